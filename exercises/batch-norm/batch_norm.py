"""Batch normalization from scratch (d2l 7.5). Run `learndl check batch-norm` to grade this file."""

import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """Return (Y, moving_mean, moving_var).

    Training when torch.is_grad_enabled(), evaluation otherwise (under torch.no_grad()).
    X: (batch, features) with gamma/beta/moving_* of shape (1, features), or
    X: (batch, channels, h, w) with gamma/beta/moving_* of shape (1, channels, 1, 1).
    Training: normalise with the batch mean and biased variance (eps inside the sqrt), then
    moving = momentum * moving + (1 - momentum) * batch statistic.
    Evaluation: normalise with moving_mean / moving_var and return them unchanged.
    """
    # TODO: your code here
    raise NotImplementedError("batch_norm")
