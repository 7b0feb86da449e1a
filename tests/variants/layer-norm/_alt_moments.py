import torch


def layer_norm(X, gamma, beta, eps):
    dims = tuple(range(-gamma.dim(), 0))
    mean = X.mean(dim=dims, keepdim=True)
    var = (X * X).mean(dim=dims, keepdim=True) - mean * mean   # E[x^2] - E[x]^2
    return gamma * (X - mean) / torch.sqrt(var + eps) + beta
