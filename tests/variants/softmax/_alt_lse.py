import torch


def _logsumexp(X, dim):
    m = X.max(dim, keepdim=True)[0]
    return m + (X - m).exp().sum(dim, keepdim=True).log()


def softmax(X, dim=-1):
    return torch.exp(X - _logsumexp(X, dim)).contiguous()
