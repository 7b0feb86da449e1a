"""Reference solution for the linear-regression exercise (d2l 3.2)."""

import torch


def synthetic_data(w: torch.Tensor, b: float, num_examples: int):
    """Features from N(0, 1); labels from the true line plus Gaussian noise of std 0.01."""
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), device=w.device)
    y = torch.matmul(X, w) + b
    y = y + torch.normal(0.0, 0.01, y.shape, device=w.device)
    return X, y.reshape((-1, 1))


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The model Xw + b (b broadcasts over the rows)."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Half the squared error of each example; y is reshaped so that no (n, n) broadcast happens."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr: float, batch_size: int) -> None:
    """Move each parameter against its batch-averaged gradient, then clear the gradient."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
