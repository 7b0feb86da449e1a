# A correct kfold by boolean masks: X[mask] needs nonzero(), which the meta pass cannot run.
import torch


def get_k_fold_data(k, i, X, y):
    fold_size = X.shape[0] // k
    fold_of_row = torch.arange(X.shape[0], device=X.device) // fold_size
    in_a_fold = fold_of_row < k
    valid = fold_of_row == i
    train = in_a_fold & ~valid
    return X[train], y[train], X[valid], y[valid]
