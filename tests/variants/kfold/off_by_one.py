# expect: as the validation set: fold i =
# not: y_valid does not belong to X_valid
import torch


def get_k_fold_data(k, i, X, y):
    fs = X.shape[0] // k
    i = i + 1                      # counts folds from 1
    X_valid, y_valid = X[i * fs:(i + 1) * fs], y[i * fs:(i + 1) * fs]
    rest = [j for j in range(k) if j != i]
    X_train = torch.cat([X[j * fs:(j + 1) * fs] for j in rest])
    y_train = torch.cat([y[j * fs:(j + 1) * fs] for j in rest])
    return X_train, y_train, X_valid, y_valid
