# expect: it must not be modified in place
import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    X.mul_((torch.rand_like(X) > dropout).to(X.dtype)).div_(1.0 - dropout)
    return X
