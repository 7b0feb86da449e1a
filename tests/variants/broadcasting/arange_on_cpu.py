# expect: not portable
import torch


def pairwise_sq_dists(X, Y):
    diff = X[:, None, :] - Y[None, :, :]
    return (diff * diff).sum(-1)


def one_hot(y, num_classes):
    return (y.unsqueeze(-1) == torch.arange(num_classes)).float()
