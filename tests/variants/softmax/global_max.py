# expect: subtracted the global max
# not: overflows for large logits
import torch


def softmax(X, dim=-1):
    E = torch.exp(X - X.max())
    return E / E.sum(dim=dim, keepdim=True)
