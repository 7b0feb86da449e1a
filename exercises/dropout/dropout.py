"""Dropout from scratch (d2l 4.6). Run `learndl check dropout` to grade this file."""

import torch


def dropout_layer(X: torch.Tensor, dropout: float) -> torch.Tensor:
    """Zero each element of X independently with probability `dropout`; scale the rest by 1/(1-dropout).

    0 <= dropout <= 1. The result has X's shape, dtype and device; X is left unchanged.
    dropout == 0 returns X's values, dropout == 1 returns zeros.
    """
    assert 0 <= dropout <= 1
    # TODO: your code here
    raise NotImplementedError("dropout_layer")
