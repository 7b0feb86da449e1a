# expect: must be a column (n, 1), not a row
# not: forgot to square the differences
import torch


def pairwise_sq_dists(X, Y):
    xx = (X * X).sum(dim=1)
    yy = (Y * Y).sum(dim=1)
    return xx + yy - 2 * X @ Y.T   # both norms are rows: wrong unless you make xx a column


def one_hot(y, num_classes):
    return (y.unsqueeze(-1) == torch.arange(num_classes, device=y.device)).float()
