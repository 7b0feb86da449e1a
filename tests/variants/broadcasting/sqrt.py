# expect: took the square root
import torch


def pairwise_sq_dists(X, Y):
    diff = X[:, None, :] - Y[None, :, :]
    return (diff ** 2).sum(-1).sqrt()


def one_hot(y, num_classes):
    return (y.unsqueeze(-1) == torch.arange(num_classes, device=y.device)).float()
