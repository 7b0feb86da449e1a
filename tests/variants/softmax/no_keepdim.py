# expect: must match the size
import torch


def softmax(X, dim=-1):
    E = torch.exp(X - X.max(dim=dim, keepdim=True).values)
    return E / E.sum(dim=dim)
