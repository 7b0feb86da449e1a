# expect: one_hot loops in Python
import torch


def pairwise_sq_dists(X, Y):
    diff = X[:, None, :] - Y[None, :, :]
    return (diff * diff).sum(-1)


def one_hot(y, num_classes):
    out = torch.zeros(y.shape + (num_classes,), device=y.device)
    for c in range(num_classes):
        out[..., c] = (y == c).float()
    return out
