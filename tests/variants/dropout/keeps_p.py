# expect: not 1 - p
import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    if dropout == 0:
        return X.clone()
    mask = (torch.rand_like(X) < dropout).float()
    return mask * X / (1.0 - dropout)
