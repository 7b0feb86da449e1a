"""Reference solution for the dropout exercise (d2l 4.6)."""

import torch


def dropout_layer(X: torch.Tensor, dropout: float) -> torch.Tensor:
    """Inverted dropout: keep each element with probability 1 - dropout, scaled by 1 / (1 - dropout)."""
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)  # everything dropped; avoids 0 / 0
    if dropout == 0:
        return X.clone()
    keep = (torch.rand_like(X) > dropout).to(X.dtype)  # drawn on X's device
    return keep * X / (1.0 - dropout)
