"""A multilayer perceptron from scratch (d2l 4.2). Run `learndl check mlp` to grade this file."""

import torch
from torch import nn


def relu(X: torch.Tensor) -> torch.Tensor:
    """Elementwise max(X, 0), with X's shape, dtype and device; X is not modified."""
    # TODO: your code here
    raise NotImplementedError("relu")


class MLPScratch(nn.Module):
    """One hidden layer: forward(X) = relu(X W1 + b1) W2 + b2, with X flattened to (n, num_inputs).

    Parameters (nn.Parameter, these names): W1 (num_inputs, num_hiddens) and W2 (num_hiddens, num_outputs)
    drawn from N(0, sigma^2); b1 (num_hiddens,) and b2 (num_outputs,) zeros.
    """

    def __init__(self, num_inputs: int, num_outputs: int, num_hiddens: int, lr: float, sigma: float = 0.01):
        super().__init__()
        self.num_inputs = num_inputs
        self.lr = lr
        # TODO: create self.W1, self.b1, self.W2, self.b2
        raise NotImplementedError("MLPScratch.__init__")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # TODO: flatten X to (n, num_inputs), hidden layer with relu, output layer (no relu)
        raise NotImplementedError("MLPScratch.forward")
