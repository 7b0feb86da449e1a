"""Broadcasting drills (d2l 2.1). Run `learndl check broadcasting` to grade this file."""

import torch


def pairwise_sq_dists(X: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances between the rows of X (n, d) and the rows of Y (m, d).

    Returns D of shape (n, m) with D[i, j] = sum_k (X[i, k] - Y[j, k]) ** 2, in X's dtype and on
    X's device. No Python loops: use broadcasting.
    """
    # TODO: your code here
    raise NotImplementedError("pairwise_sq_dists")


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """One-hot encoding of the int64 labels y (any shape) as a float32 tensor.

    Returns a tensor of shape y.shape + (num_classes,) on y's device, with out[..., c] = 1.0 where
    y == c and 0.0 elsewhere. No Python loops.
    """
    # TODO: your code here
    raise NotImplementedError("one_hot")
