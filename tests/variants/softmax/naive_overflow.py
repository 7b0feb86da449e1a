# expect: overflows for large logits
# not: subtracted the global max
import torch


def softmax(X, dim=-1):
    E = torch.exp(X)
    return E / E.sum(dim=dim, keepdim=True)
