# expect: pairwise_sq_dists loops in Python
import torch


def pairwise_sq_dists(X, Y):
    rows = []
    for i in range(X.shape[0]):
        rows.append(((X[i] - Y) ** 2).sum(dim=1))
    return torch.stack(rows)


def one_hot(y, num_classes):
    return (y.unsqueeze(-1) == torch.arange(num_classes, device=y.device)).float()
