"""Scaled dot-product and multi-head attention (d2l 10.3, 10.5). Grade with `learndl check attention`."""

import math

import torch
from torch import nn
from torch.nn import functional as F


def masked_softmax(X: torch.Tensor, valid_lens: torch.Tensor | None) -> torch.Tensor:
    """Softmax over the last axis of X (batch, num_queries, num_keys), ignoring padded keys.

    valid_lens: None, (batch,) or (batch, num_queries). Key positions j >= valid_len are set to
    -1e6 before the softmax. Returns a tensor of X's shape.
    """
    # TODO: your code here
    raise NotImplementedError("masked_softmax")


class DotProductAttention(nn.Module):
    """Scaled dot-product attention with dropout on the attention weights."""

    def __init__(self, dropout: float, **kwargs):
        super().__init__(**kwargs)
        # TODO: keep an nn.Dropout(dropout) for the attention weights

    def forward(self, queries, keys, values, valid_lens=None):
        """queries (batch, n_q, d), keys (batch, n_k, d), values (batch, n_k, d_v) -> (batch, n_q, d_v).

        Sets self.attention_weights (batch, n_q, n_k), the weights before dropout.
        """
        # TODO: your code here
        raise NotImplementedError("DotProductAttention.forward")


class MultiHeadAttention(nn.Module):
    """Multi-head attention with projections W_q, W_k, W_v, W_o and num_heads parallel heads."""

    def __init__(self, num_hiddens: int, num_heads: int, dropout: float, bias: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        # TODO: self.attention, self.W_q, self.W_k, self.W_v, self.W_o

    def forward(self, queries, keys, values, valid_lens):
        """queries (batch, n_q, num_hiddens), keys/values (batch, n_k, num_hiddens),
        valid_lens None, (batch,) or (batch, n_q) -> (batch, n_q, num_hiddens)."""
        # TODO: project, split into heads, attend, merge the heads, project with W_o
        raise NotImplementedError("MultiHeadAttention.forward")
