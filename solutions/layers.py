"""Reference solution for the custom-layers exercise (d2l 5.4)."""

import torch
from torch import nn


class CenteredLayer(nn.Module):
    """Subtracts the mean of all elements: the output has overall mean 0."""

    def __init__(self):
        super().__init__()

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return X - X.mean()


class MyLinear(nn.Module):
    """ReLU(X @ weight + bias); weight is (in_units, units), bias is (units,)."""

    def __init__(self, in_units: int, units: int):
        super().__init__()
        # nn.Parameter registers the tensors: parameters(), .to(device) and autograd all see them
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # the parameters themselves, not .data, so gradients reach them
        return torch.relu(X @ self.weight + self.bias)
