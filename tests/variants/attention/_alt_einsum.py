import math

import torch
import torch.nn.functional as F
from torch import nn


def masked_softmax(X, valid_lens):
    if valid_lens is not None:
        lens = valid_lens if valid_lens.dim() == 2 else valid_lens[:, None]
        idx = torch.arange(X.shape[-1], device=X.device)
        X = torch.where(idx < lens[..., None], X, torch.full_like(X, -1e6))
    return F.softmax(X, dim=-1)


class DotProductAttention(nn.Module):
    def __init__(self, dropout, **kwargs):
        super().__init__(**kwargs)
        self.p = dropout

    def forward(self, queries, keys, values, valid_lens=None):
        scores = torch.einsum('bqd,bkd->bqk', queries, keys) / math.sqrt(queries.shape[-1])
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.einsum('bqk,bkv->bqv', F.dropout(self.attention_weights, self.p, self.training), values)


class MultiHeadAttention(nn.Module):
    def __init__(self, num_hiddens, num_heads, dropout, bias=False, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q, self.W_k, self.W_v, self.W_o = (nn.LazyLinear(num_hiddens, bias=bias) for _ in range(4))

    def forward(self, queries, keys, values, valid_lens):
        h = self.num_heads

        def split(X):  # (b, n, h*d) -> (b*h, n, d), example by example
            b, n, _ = X.shape
            return X.unflatten(-1, (h, -1)).transpose(1, 2).flatten(0, 1)

        out = self.attention(split(self.W_q(queries)), split(self.W_k(keys)), split(self.W_v(values)),
                             None if valid_lens is None else valid_lens.repeat_interleave(h, dim=0))
        out = out.unflatten(0, (-1, h)).transpose(1, 2).flatten(2)
        return self.W_o(out)
