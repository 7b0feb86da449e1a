"""Sinusoidal positional encoding (d2l 10.6). Run `learndl check positional-encoding` to grade this file."""

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    """Adds a fixed sinusoidal position vector to every time step, then applies dropout.

    __init__ must set:
      self.dropout: nn.Dropout(dropout)
      self.P:       float32 tensor of shape (1, max_len, num_hiddens) with
                    P[0, i, 2j]   = sin(i / 10000 ** (2j / num_hiddens))
                    P[0, i, 2j+1] = cos(i / 10000 ** (2j / num_hiddens))
                    (a plain attribute as in the book, or a buffer from register_buffer)
    forward(X): X of shape (batch, num_steps, num_hiddens), num_steps <= max_len
      returns dropout(X + P[:, :num_steps, :]), same shape, on X's device.
    num_hiddens is even.
    """

    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        # TODO: your code here
        raise NotImplementedError("PositionalEncoding.__init__")

    def forward(self, X):
        # TODO: your code here
        raise NotImplementedError("PositionalEncoding.forward")
