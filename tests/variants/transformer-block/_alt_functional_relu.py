"""Reference solution for the transformer-block exercise (d2l 10.7)."""

import math

import torch
import torch.nn.functional as F
from torch import nn


# ---------------------------------------------------------------- provided: multi-head attention
# A working MultiHeadAttention (the drill for it is the `attention` exercise), so that this exercise
# is about the block around it. You may replace it with your own, keeping W_q, W_k, W_v and W_o.


def masked_softmax(X, valid_lens):
    """Softmax over the last axis of X (batch, n_q, n_k); keys j >= valid_len get weight 0.

    valid_lens: None, (batch,) or (batch, n_q).
    """
    if valid_lens is None:
        return F.softmax(X, dim=-1)
    if valid_lens.dim() == 1:
        valid_lens = valid_lens.unsqueeze(1).expand(X.shape[0], X.shape[1])
    keep = torch.arange(X.shape[-1], device=X.device).view(1, 1, -1) < valid_lens.unsqueeze(-1)
    return F.softmax(X.masked_fill(~keep, -1e6), dim=-1)


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention in num_heads parallel heads of num_hiddens // num_heads features."""

    def __init__(self, num_hiddens, num_heads, dropout, bias=False, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.dropout = nn.Dropout(dropout)
        self.W_q = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_k = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_v = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_o = nn.LazyLinear(num_hiddens, bias=bias)

    def split_heads(self, X):
        """(batch, n, num_hiddens) -> (batch * num_heads, n, num_hiddens // num_heads)."""
        batch, n, _ = X.shape
        X = X.reshape(batch, n, self.num_heads, -1).permute(0, 2, 1, 3)
        return X.reshape(batch * self.num_heads, n, -1)

    def merge_heads(self, X):
        """(batch * num_heads, n, d_head) -> (batch, n, num_heads * d_head)."""
        X = X.reshape(-1, self.num_heads, X.shape[1], X.shape[2]).permute(0, 2, 1, 3)
        return X.reshape(X.shape[0], X.shape[1], -1)

    def forward(self, queries, keys, values, valid_lens=None):
        q = self.split_heads(self.W_q(queries))
        k = self.split_heads(self.W_k(keys))
        v = self.split_heads(self.W_v(values))
        if valid_lens is not None:          # every head of example b uses b's valid length
            valid_lens = torch.repeat_interleave(valid_lens, self.num_heads, dim=0)
        scores = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(q.shape[-1])
        self.attention_weights = masked_softmax(scores, valid_lens)
        out = torch.bmm(self.dropout(self.attention_weights), v)
        return self.W_o(self.merge_heads(out))


# ---------------------------------------------------------------- the block


class PositionWiseFFN(nn.Module):
    def __init__(self, ffn_num_hiddens, ffn_num_outputs, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = nn.LazyLinear(ffn_num_hiddens, bias=True)
        self.dense2 = nn.LazyLinear(ffn_num_outputs)

    def forward(self, X):
        H = F.relu(self.dense1(X))
        return self.dense2(H)


class AddNorm(nn.Module):
    def __init__(self, norm_shape, dropout, **kwargs):
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(norm_shape, eps=1e-5)

    def forward(self, X, Y):
        residual = X + self.dropout(Y)
        return self.ln(residual)


class TransformerEncoderBlock(nn.Module):
    def __init__(self, num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias=False, **kwargs):
        super().__init__(**kwargs)
        self.attention = MultiHeadAttention(num_hiddens, num_heads, dropout, bias=use_bias)
        self.addnorm1 = AddNorm([num_hiddens], dropout)
        self.ffn = PositionWiseFFN(ffn_num_hiddens, num_hiddens)
        self.addnorm2 = AddNorm((num_hiddens,), dropout)

    def forward(self, X, valid_lens=None):
        attn = self.attention(X, X, X, valid_lens)
        Y = self.addnorm1(X, attn)
        Z = self.ffn(Y)
        out = self.addnorm2(Y, Z)
        return out
