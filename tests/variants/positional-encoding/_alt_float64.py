import math

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pos = torch.arange(max_len, dtype=torch.float64)[:, None]
        div = torch.exp(torch.arange(0, num_hiddens, 2, dtype=torch.float64) * (-math.log(10000.0) / num_hiddens))
        P = torch.empty(max_len, num_hiddens, dtype=torch.float64)
        P[:, 0::2] = torch.sin(pos * div)
        P[:, 1::2] = torch.cos(pos * div)[:, : num_hiddens // 2]
        self.register_buffer("P", P.unsqueeze(0).float())

    def forward(self, X):
        X = X + self.P[:, : X.shape[1], :]
        return self.dropout(X)
