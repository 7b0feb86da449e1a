# expect: is wrong
# not: the default dim must be the last one
import torch


def softmax(X, dim=None):
    """A default of None normalises over every element: not a dimension at all."""
    if dim is None:
        E = torch.exp(X - X.max())
        return E / E.sum()
    E = torch.exp(X - X.max(dim=dim, keepdim=True).values)
    return E / E.sum(dim=dim, keepdim=True)
