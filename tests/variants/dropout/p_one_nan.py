# expect: dropout=1 divides by zero
import torch


def dropout_layer(X, dropout):
    mask = (torch.rand_like(X) > dropout).float()
    return mask * X / (1.0 - dropout)
