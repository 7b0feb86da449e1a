# expect: forbidden: you used torch.cdist
import torch


def pairwise_sq_dists(X, Y):
    return torch.cdist(X, Y) ** 2


def one_hot(y, num_classes):
    return (y.unsqueeze(-1) == torch.arange(num_classes, device=y.device)).float()
