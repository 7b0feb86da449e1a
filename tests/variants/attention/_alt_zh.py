"""Masked softmax, dot-product and multi-head attention with the Chinese edition's constructors
(动手学深度学习 v2): MultiHeadAttention(key_size, query_size, value_size, num_hiddens, num_heads,
dropout, bias=False) with fixed-size nn.Linear layers, and helpers that move the heads in and out
of the batch axis."""

import math

import torch
from torch import nn


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    rows = X.shape
    if valid_lens.dim() == 1:
        lens = valid_lens.repeat_interleave(rows[1])
    else:
        lens = valid_lens.reshape(-1)
    flat = X.reshape(-1, rows[-1])
    padded = torch.arange(rows[-1], device=X.device)[None, :] >= lens[:, None]
    flat = flat.masked_fill(padded, -1e6)
    return torch.softmax(flat.reshape(rows), dim=-1)


class DotProductAttention(nn.Module):
    def __init__(self, dropout, **kwargs):
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


def split_heads(X, num_heads):
    """(batch, n, num_hiddens) -> (batch * num_heads, n, num_hiddens / num_heads), example-major."""
    batch, n, _ = X.shape
    X = X.reshape(batch, n, num_heads, -1).permute(0, 2, 1, 3)
    return X.reshape(batch * num_heads, n, -1)


def merge_heads(X, num_heads):
    """The inverse of split_heads."""
    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2]).permute(0, 2, 1, 3)
    return X.reshape(X.shape[0], X.shape[1], -1)


class MultiHeadAttention(nn.Module):
    def __init__(self, key_size, query_size, value_size, num_hiddens, num_heads, dropout, bias=False, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=bias)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=bias)
        self.W_v = nn.Linear(value_size, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    def forward(self, queries, keys, values, valid_lens):
        q = split_heads(self.W_q(queries), self.num_heads)
        k = split_heads(self.W_k(keys), self.num_heads)
        v = split_heads(self.W_v(values), self.num_heads)
        if valid_lens is not None:
            valid_lens = torch.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
        out = self.attention(q, k, v, valid_lens)
        return self.W_o(merge_heads(out, self.num_heads))
