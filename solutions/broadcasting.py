"""Reference solution for the broadcasting exercise (d2l 2.1)."""

import torch


def pairwise_sq_dists(X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """D[i, j] = ||X[i] - Y[j]||^2 for X (n, d) and Y (m, d), by broadcasting."""
    diff = X.unsqueeze(1) - Y.unsqueeze(0)  # (n, 1, d) - (1, m, d) -> (n, m, d)
    return (diff * diff).sum(dim=-1)


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Float32 one-hot encoding of y, with a new last dimension of size num_classes."""
    classes = torch.arange(num_classes, device=y.device)  # (num_classes,)
    return (y.unsqueeze(-1) == classes).to(torch.float32)  # y.shape + (1,) against (num_classes,)
