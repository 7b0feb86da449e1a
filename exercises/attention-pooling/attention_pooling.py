"""Nadaraya-Watson kernel regression (d2l 10.2). Run `learndl check attention-pooling` to grade this file."""

import torch
import torch.nn.functional as F
from torch import nn


def nadaraya_watson(x_train, y_train, x_query, sigma=1.0):
    """Nonparametric attention pooling with a Gaussian kernel.

    x_train, y_train: (n_train,);  x_query: (n_query,);  sigma: the kernel width (a float).
    Returns (y_hat, attention_weights):
      attention_weights (n_query, n_train): row q is the softmax over i of -(x_query[q] - x_train[i])^2 / (2 sigma^2)
      y_hat (n_query,) = attention_weights @ y_train
    """
    # TODO: your code here
    raise NotImplementedError("nadaraya_watson")


class NWKernelRegression(nn.Module):
    """Parametric attention pooling with a learnable kernel width.

    self.w: nn.Parameter of shape (1,) (the checks set it).
    forward(queries, keys, values): queries (n,), keys (n, m), values (n, m)
      sets self.attention_weights (n, m): softmax over j of -((queries[q] - keys[q, j]) * w)^2 / 2
      returns (n,): the attention-weighted sum of values[q, :].
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # TODO: your code here
        raise NotImplementedError("NWKernelRegression.__init__")

    def forward(self, queries, keys, values):
        # TODO: your code here
        raise NotImplementedError("NWKernelRegression.forward")
