# expect: forbidden: you used nn.Linear
import torch
from torch import nn


class CenteredLayer(nn.Module):
    def forward(self, X):
        return X - X.mean()


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.lin = nn.Linear(in_units, units)

    def forward(self, X):
        return torch.relu(self.lin(X))
