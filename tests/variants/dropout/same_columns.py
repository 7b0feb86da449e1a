# expect: same columns in every row
import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape[-1], device=X.device) > dropout).to(X.dtype)
    return mask * X / (1.0 - dropout)
