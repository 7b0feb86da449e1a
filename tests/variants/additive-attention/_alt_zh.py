"""Additive attention with the Chinese edition's constructor (动手学深度学习 v2):
AdditiveAttention(key_size, query_size, num_hiddens, dropout), fixed-size nn.Linear layers."""

import torch
from torch import nn


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    if valid_lens.dim() == 1:
        valid_lens = valid_lens[:, None].expand(X.shape[0], X.shape[1])
    positions = torch.arange(X.shape[-1], device=X.device)
    padded = positions[None, None, :] >= valid_lens[..., None]
    return torch.softmax(X.masked_fill(padded, -1e6), dim=-1)


class AdditiveAttention(nn.Module):
    def __init__(self, key_size, query_size, num_hiddens, dropout, **kwargs):
        super().__init__(**kwargs)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        q = self.W_q(queries)[:, :, None, :]      # (batch, n_q, 1, h)
        k = self.W_k(keys)[:, None, :, :]         # (batch, 1, n_k, h)
        scores = self.w_v(torch.tanh(q + k))[..., 0]
        self.attention_weights = masked_softmax(scores, valid_lens)
        return self.dropout(self.attention_weights) @ values
