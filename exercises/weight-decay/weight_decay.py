"""Weight decay (d2l 4.5). Run `learndl check weight-decay` to grade this file."""

import torch


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    """Half the sum of the squares of all entries of w, as a 0-d tensor (differentiable)."""
    # TODO: your code here
    raise NotImplementedError("l2_penalty")


def sgd_weight_decay(params, lr: float, batch_size: int, wd: float) -> None:
    """Minibatch SGD with weight decay, in place: p -= lr * (p.grad / batch_size + wd * p); then zero p.grad.

    Each p.grad holds the gradient of the loss summed over the minibatch.
    """
    # TODO: your code here
    raise NotImplementedError("sgd_weight_decay")
