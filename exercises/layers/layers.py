"""Custom layers (d2l 5.4). Run `learndl check layers` to grade this file."""

import torch
from torch import nn


class CenteredLayer(nn.Module):
    """A layer without parameters: forward(X) = X - X.mean() (the mean of all elements of X)."""

    def __init__(self):
        super().__init__()

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # TODO: your code here
        raise NotImplementedError("CenteredLayer.forward")


class MyLinear(nn.Module):
    """ReLU(X @ weight + bias) with its own parameters.

    self.weight: nn.Parameter of shape (in_units, units); self.bias: nn.Parameter of shape (units,),
    both initialised with torch.randn. X: (batch, in_units) -> (batch, units).
    """

    def __init__(self, in_units: int, units: int):
        super().__init__()
        # TODO: create self.weight and self.bias
        raise NotImplementedError("MyLinear.__init__")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # TODO: your code here
        raise NotImplementedError("MyLinear.forward")
