"""Reference solution for the weight-decay exercise (d2l 4.5)."""

import torch


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    """||w||^2 / 2: its gradient is exactly w."""
    return (w * w).sum() / 2


def sgd_weight_decay(params, lr: float, batch_size: int, wd: float) -> None:
    """One SGD step on the batch-averaged gradient plus the decay term wd * param, in place."""
    with torch.no_grad():  # the update itself must not be recorded by autograd
        for param in params:
            param -= lr * (param.grad / batch_size + wd * param)
            param.grad.zero_()  # otherwise the next backward() adds to this gradient
