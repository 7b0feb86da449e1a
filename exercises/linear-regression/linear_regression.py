"""Linear regression from scratch (d2l 3.2). Run `learndl check linear-regression` to grade this file."""

import torch


def synthetic_data(w: torch.Tensor, b: float, num_examples: int):
    """Return (X, y): X (num_examples, len(w)) from N(0, 1); y = Xw + b + noise of std 0.01, shape (num_examples, 1).

    Both on w's device.
    """
    # TODO: your code here
    raise NotImplementedError("synthetic_data")


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear regression model: X (n, d), w (d, 1), b (1,) -> (n, 1)."""
    # TODO: your code here
    raise NotImplementedError("linreg")


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-example squared loss (y_hat - y)^2 / 2, shaped like y_hat (reshape y first)."""
    # TODO: your code here
    raise NotImplementedError("squared_loss")


def sgd(params, lr: float, batch_size: int) -> None:
    """Minibatch SGD, in place under torch.no_grad(): param -= lr * param.grad / batch_size; then zero the grads."""
    # TODO: your code here
    raise NotImplementedError("sgd")
