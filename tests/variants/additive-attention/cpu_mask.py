# expect: not portable

import torch
import torch.nn.functional as F
from torch import nn


def masked_softmax(X, valid_lens):
    """Softmax over the last axis of X (batch, n_queries, n_keys) that ignores the padded keys.

    valid_lens: None (nothing masked), (batch,) (one length per example, for every query) or
    (batch, n_queries) (one length per query). Key j of a row is masked when j >= its valid length:
    its score is replaced by -1e6 before the softmax, so its weight is 0. (Provided: you do not
    need to change it.)
    """
    if valid_lens is None:
        return F.softmax(X, dim=-1)
    if valid_lens.dim() == 1:
        valid_lens = valid_lens.unsqueeze(1).expand(X.shape[0], X.shape[1])
    key_index = torch.arange(X.shape[-1])
    keep = key_index.view(1, 1, -1) < valid_lens.unsqueeze(-1)
    return F.softmax(X.masked_fill(~keep, -1e6), dim=-1)


class AdditiveAttention(nn.Module):
    def __init__(self, num_hiddens, dropout, **kwargs):
        super().__init__(**kwargs)
        self.W_q = nn.LazyLinear(num_hiddens, bias=False)
        self.W_k = nn.LazyLinear(num_hiddens, bias=False)
        self.w_v = nn.LazyLinear(1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        q = self.W_q(queries)                               # (batch, n_q, h)
        k = self.W_k(keys)                                  # (batch, n_k, h)
        hidden = torch.tanh(q.unsqueeze(2) + k.unsqueeze(1))  # (batch, n_q, n_k, h): every pair
        scores = self.w_v(hidden).squeeze(-1)               # (batch, n_q, n_k)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
