"""Reference solution for the style-transfer exercise (d2l 13.12.5)."""

import torch


def content_loss(Y_hat, Y):
    """Mean squared error against the fixed content features."""
    return torch.square(Y_hat - Y.detach()).mean()


def gram(X):
    """Channel-by-channel inner products of X (1, c, h, w), divided by c * h * w."""
    num_channels, n = X.shape[1], X.numel() // X.shape[1]
    X = X.reshape((num_channels, n))
    return torch.matmul(X, X.T) / (num_channels * n)


def style_loss(Y_hat, gram_Y):
    """Mean squared error between Gram matrices; the style's is a fixed target."""
    return torch.square(gram(Y_hat) - gram_Y.detach()).mean()


def tv_loss(Y_hat):
    """Total variation: mean absolute difference of vertical and of horizontal neighbours, halved."""
    vertical = torch.abs(Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).mean()
    horizontal = torch.abs(Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).mean()
    return 0.5 * (vertical + horizontal)
