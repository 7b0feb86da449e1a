import math

import torch
import torch.nn.functional as F
from torch import nn


def nadaraya_watson(x_train, y_train, x_query, sigma=1.0):
    dt = x_query.dtype
    diff = x_query.double().view(-1, 1) - x_train.double().view(1, -1)
    logits = -(diff ** 2) / (2 * math.pow(sigma, 2))
    weights = torch.softmax(logits, dim=-1)
    y_hat = weights @ y_train.double()
    return y_hat.to(dt), weights.to(dt)


class NWKernelRegression(nn.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = nn.Parameter(torch.rand((1,)))

    def forward(self, queries, keys, values):
        scores = -((queries.reshape(-1, 1) - keys) * self.w).pow(2) / 2
        self.attention_weights = F.softmax(scores, dim=-1)
        return torch.sum(self.attention_weights * values, dim=-1)
