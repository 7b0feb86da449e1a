import math

import torch


def softmax(X, dim=-1):
    # compute in float64 for accuracy, then cast back
    Xd = X.to(torch.float64)
    m, _ = torch.max(Xd, dim=dim, keepdim=True)
    X_exp = torch.exp(Xd - m)
    partition = X_exp.sum(dim, keepdim=True)
    out = X_exp / partition
    return out.to(X.dtype)
