# expect: valid_lens repeated with .repeat instead of torch.repeat_interleave

import math

import torch
from torch import nn
from torch.nn import functional as F


def masked_softmax(X: torch.Tensor, valid_lens: torch.Tensor | None) -> torch.Tensor:
    """Softmax over the last axis, with keys at or beyond each valid length filled with -1e6."""
    if valid_lens is None:
        return F.softmax(X, dim=-1)
    batch, num_queries, num_keys = X.shape
    if valid_lens.dim() == 1:
        lens = valid_lens.repeat(num_queries)  # one length per query row
    else:
        lens = valid_lens.reshape(-1)
    keep = torch.arange(num_keys, device=X.device)[None, :] < lens.to(X.device)[:, None]
    filled = X.reshape(-1, num_keys).masked_fill(~keep, -1e6)
    return F.softmax(filled.reshape(X.shape), dim=-1)


class DotProductAttention(nn.Module):
    """Scaled dot-product attention."""

    def __init__(self, dropout: float, **kwargs):
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)


class MultiHeadAttention(nn.Module):
    """Multi-head attention: num_heads scaled dot-product attentions on split projections."""

    def __init__(self, num_hiddens: int, num_heads: int, dropout: float, bias: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_k = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_v = nn.LazyLinear(num_hiddens, bias=bias)
        self.W_o = nn.LazyLinear(num_hiddens, bias=bias)

    def split_heads(self, X):
        """(batch, n, hidden) -> (batch * heads, n, hidden / heads), example by example."""
        batch, n, hidden = X.shape
        X = X.reshape(batch, n, self.num_heads, hidden // self.num_heads)
        return X.permute(0, 2, 1, 3).reshape(batch * self.num_heads, n, hidden // self.num_heads)

    def merge_heads(self, X):
        """The inverse of split_heads: (batch * heads, n, d) -> (batch, n, heads * d)."""
        _, n, d = X.shape
        X = X.reshape(-1, self.num_heads, n, d)
        return X.permute(0, 2, 1, 3).reshape(X.shape[0], n, self.num_heads * d)

    def forward(self, queries, keys, values, valid_lens):
        queries = self.split_heads(self.W_q(queries))
        keys = self.split_heads(self.W_k(keys))
        values = self.split_heads(self.W_v(values))
        if valid_lens is not None:
            valid_lens = torch.repeat_interleave(valid_lens, self.num_heads, dim=0)
        output = self.attention(queries, keys, values, valid_lens)
        return self.W_o(self.merge_heads(output))
