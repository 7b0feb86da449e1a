# expect: it must not be modified in place
import torch


def softmax(X, dim=-1):
    X -= X.max(dim=dim, keepdim=True).values
    X.exp_()
    return X / X.sum(dim=dim, keepdim=True)
