# expect: not portable
import torch


def softmax(X, dim=-1):
    shifted = X - X.max(dim=dim, keepdim=True).values
    E = torch.exp(shifted)
    total = torch.zeros(E.shape).sum(dim=dim, keepdim=True) + E.sum(dim=dim, keepdim=True)
    return E / total
