import torch


def pairwise_sq_dists(X, Y):
    # ||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y  (the classic matrix form)
    X_sq = (X ** 2).sum(dim=1, keepdim=True)     # (n, 1)
    Y_sq = (Y ** 2).sum(dim=1).unsqueeze(0)      # (1, m)
    return X_sq + Y_sq - 2 * X @ Y.T


def one_hot(y, num_classes):
    out = torch.zeros(*y.shape, num_classes, device=y.device)
    out.scatter_(-1, y.unsqueeze(-1), 1.0)
    return out
