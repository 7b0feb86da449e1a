# expect: used the unbiased variance
"""Reference solution for the layer-norm exercise (d2l 7.5 / 10.7)."""

import torch


def layer_norm(X: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float) -> torch.Tensor:
    """Per-example normalisation over the trailing dimensions that gamma covers."""
    dims = tuple(range(X.dim() - gamma.dim(), X.dim()))
    mean = X.mean(dim=dims, keepdim=True)
    var = X.var(dim=dims, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    return gamma * X_hat + beta
