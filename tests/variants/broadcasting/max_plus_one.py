# expect: use num_classes, not y.max() + 1
import torch


def pairwise_sq_dists(X, Y):
    diff = X[:, None, :] - Y[None, :, :]
    return (diff * diff).sum(-1)


def one_hot(y, num_classes):
    n = int(y.max()) + 1
    return (y.unsqueeze(-1) == torch.arange(n, device=y.device)).float()
