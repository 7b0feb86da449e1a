import torch


def pairwise_sq_dists(X, Y):
    diff = X.double()[:, None, :] - Y.double()[None, :, :]
    return diff.pow(2).sum(-1).to(X.dtype)


def one_hot(y, num_classes):
    idx = torch.arange(0, num_classes, dtype=y.dtype, device=y.device)
    return torch.where(y[..., None] == idx, 1.0, 0.0).float()
