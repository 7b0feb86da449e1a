import torch


def dropout_layer(X, dropout):
    if dropout == 1:
        return torch.zeros(X.shape, dtype=X.dtype, device=X.device)
    u = torch.empty_like(X).uniform_(0, 1)
    return torch.where(u < dropout, torch.zeros_like(X), X / (1 - dropout))
