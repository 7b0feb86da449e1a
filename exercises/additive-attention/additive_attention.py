"""Additive attention (d2l 10.3). Run `learndl check additive-attention` to grade this file."""

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
    key_index = torch.arange(X.shape[-1], device=X.device)
    keep = key_index.view(1, 1, -1) < valid_lens.unsqueeze(-1)
    return F.softmax(X.masked_fill(~keep, -1e6), dim=-1)


class AdditiveAttention(nn.Module):
    """Additive attention: score(q, k) = w_v^T tanh(W_q q + W_k k).

    __init__(num_hiddens, dropout) must create (the checks set their weights):
      self.W_q: linear map query_size -> num_hiddens, no bias (nn.Linear or nn.LazyLinear)
      self.W_k: linear map key_size -> num_hiddens, no bias
      self.w_v: linear map num_hiddens -> 1, no bias
      self.dropout: nn.Dropout(dropout)
    forward(queries, keys, values, valid_lens=None):
      queries (batch, n_q, query_size), keys (batch, n_k, key_size), values (batch, n_k, value_size)
      sets self.attention_weights (batch, n_q, n_k) (before dropout) and
      returns (batch, n_q, value_size) = dropout(attention_weights) @ values.
    """

    def __init__(self, num_hiddens, dropout, **kwargs):
        super().__init__(**kwargs)
        # TODO: your code here
        raise NotImplementedError("AdditiveAttention.__init__")

    def forward(self, queries, keys, values, valid_lens=None):
        # TODO: your code here
        raise NotImplementedError("AdditiveAttention.forward")
