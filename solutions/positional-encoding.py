"""Reference solution for the positional-encoding exercise (d2l 10.6)."""

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)            # (max_len, 1)
        inv_freq = 10000.0 ** (-torch.arange(0, num_hiddens, 2, dtype=torch.float32) / num_hiddens)
        angles = position * inv_freq                                                  # (max_len, d/2)
        P = torch.zeros(1, max_len, num_hiddens)
        P[0, :, 0::2] = torch.sin(angles)    # even columns: sine
        P[0, :, 1::2] = torch.cos(angles)    # odd columns: cosine of the same frequency
        self.register_buffer("P", P, persistent=False)

    def forward(self, X):
        P = self.P[:, : X.shape[1], :].to(device=X.device, dtype=X.dtype)
        return self.dropout(X + P)
