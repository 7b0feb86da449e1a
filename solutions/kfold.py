"""Reference solution for the kfold exercise (d2l 4.10)."""

import torch


def get_k_fold_data(k: int, i: int, X: torch.Tensor, y: torch.Tensor):
    """Fold i of k consecutive folds as validation data, the other folds (in order) as training data."""
    assert k > 1 and 0 <= i < k
    fold_size = X.shape[0] // k  # the last X.shape[0] % k rows belong to no fold
    train_X, train_y = [], []
    X_valid = y_valid = None
    for j in range(k):
        rows = slice(j * fold_size, (j + 1) * fold_size)
        if j == i:
            X_valid, y_valid = X[rows], y[rows]
        else:
            train_X.append(X[rows])
            train_y.append(y[rows])
    return torch.cat(train_X, dim=0), torch.cat(train_y, dim=0), X_valid, y_valid
