"""Decomposable attention, the Attend step (d2l 15.5.1). Run `learndl check decomposable-attention` to grade this file.

mlp is given (the book's: dropout, linear, ReLU, twice).
"""

import torch
from torch import nn
from torch.nn import functional as F


def mlp(num_inputs, num_hiddens, flatten):
    """Given: Dropout(0.2), Linear(num_inputs, num_hiddens), ReLU, Dropout(0.2), Linear(num_hiddens, num_hiddens), ReLU."""
    net = [nn.Dropout(0.2), nn.Linear(num_inputs, num_hiddens), nn.ReLU()]
    if flatten:
        net.append(nn.Flatten(start_dim=1))
    net += [nn.Dropout(0.2), nn.Linear(num_hiddens, num_hiddens), nn.ReLU()]
    if flatten:
        net.append(nn.Flatten(start_dim=1))
    return nn.Sequential(*net)


class Attend(nn.Module):
    """Soft alignment of a premise A and a hypothesis B. The checks set the weights of self.f."""

    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.f = mlp(num_inputs, num_hiddens, flatten=False)

    def forward(self, A, B):
        """A (batch, m, embed) and B (batch, n, embed) token embeddings -> (beta, alpha):
        beta (batch, m, embed), B softly aligned to each token of A;
        alpha (batch, n, embed), A softly aligned to each token of B."""
        # TODO: your code here
        raise NotImplementedError("Attend.forward")
