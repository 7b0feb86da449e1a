import torch
from torch import nn


def _softmax_rows(S):
    S = S - S.max(dim=1, keepdim=True).values
    E = S.exp()
    return E / E.sum(dim=1, keepdim=True)


def nadaraya_watson(x_train, y_train, x_query, sigma=1.0):
    d2 = (x_query[:, None] - x_train[None, :]).square()
    A = _softmax_rows(-0.5 * d2 / (sigma * sigma))
    return torch.mv(A, y_train), A


class NWKernelRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.rand(1))

    def forward(self, queries, keys, values):
        u = (queries.unsqueeze(1) - keys) * self.w
        self.attention_weights = _softmax_rows(-(u * u) / 2)
        return torch.einsum('nm,nm->n', self.attention_weights, values)
