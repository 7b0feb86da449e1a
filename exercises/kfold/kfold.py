"""K-fold cross-validation data (d2l 4.10). Run `learndl check kfold` to grade this file."""

import torch


def get_k_fold_data(k: int, i: int, X: torch.Tensor, y: torch.Tensor):
    """Split (X, y) into k consecutive folds of X.shape[0] // k rows; fold i is the validation set.

    Returns (X_train, y_train, X_valid, y_valid): the training set is the other k - 1 folds
    concatenated in order along dim 0. Rows past k * (n // k) are left out.
    """
    # TODO: your code here
    raise NotImplementedError("get_k_fold_data")
