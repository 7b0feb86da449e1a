# expect: used the batch statistics in evaluation
"""Reference solution for the batch-norm exercise (d2l 7.5)."""

import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    """Batch normalization: batch statistics in training, moving statistics in evaluation."""
    if False:
        # evaluation (prediction): the running estimates, left as they are
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert X.dim() in (2, 4), "batch_norm expects a 2-D or a 4-D X"
        dims = (0,) if X.dim() == 2 else (0, 2, 3)  # per feature / per channel
        mean = X.mean(dim=dims, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)  # biased: divide by n
        X_hat = (X - mean) / torch.sqrt(var + eps)
        # the book's convention: momentum is the weight of the old value
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * var
    Y = gamma * X_hat + beta
    return Y, moving_mean.data, moving_var.data
