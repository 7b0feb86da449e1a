import math

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    def __init__(self, num_hiddens, dropout, max_len=1000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        table = []
        for i in range(max_len):
            row = []
            for j in range(num_hiddens):
                angle = i / 10000 ** ((j - j % 2) / num_hiddens)
                row.append(math.sin(angle) if j % 2 == 0 else math.cos(angle))
            table.append(row)
        self.P = torch.tensor([table], dtype=torch.float32)

    def forward(self, X):
        return self.dropout(X + self.P[:, :X.size(1)].to(X.device))
