"""Reference solution for the mlp exercise (d2l 4.2)."""

import torch
from torch import nn


def relu(X: torch.Tensor) -> torch.Tensor:
    """max(X, 0) elementwise; the zeros are made on X's device with X's dtype."""
    return torch.max(X, torch.zeros_like(X))


class MLPScratch(nn.Module):
    """An MLP with one hidden ReLU layer, parameters created by hand."""

    def __init__(self, num_inputs: int, num_outputs: int, num_hiddens: int, lr: float, sigma: float = 0.01):
        super().__init__()
        self.num_inputs = num_inputs
        self.lr = lr
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = X.reshape((-1, self.num_inputs))  # (n, 1, 28, 28) images -> (n, 784)
        H = relu(torch.matmul(X, self.W1) + self.b1)
        return torch.matmul(H, self.W2) + self.b2  # logits: no ReLU on the output
