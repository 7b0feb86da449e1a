# expect: the validation fold overlaps the training folds
# not: as the validation set: fold i =
import torch


def get_k_fold_data(k, i, X, y):
    fs = X.shape[0] // k
    X_valid, y_valid = X[i * fs:(i + 1) * fs], y[i * fs:(i + 1) * fs]
    X_train = torch.cat([X[j * fs:(j + 1) * fs] for j in range(k - 1)])   # forgets to skip fold i
    y_train = torch.cat([y[j * fs:(j + 1) * fs] for j in range(k - 1)])
    return X_train, y_train, X_valid, y_valid
