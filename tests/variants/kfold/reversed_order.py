# expect: the training folds are out of order
# not: y_train does not belong to X_train
import torch


def get_k_fold_data(k, i, X, y):
    fs = X.shape[0] // k
    X_valid, y_valid = X[i * fs:(i + 1) * fs], y[i * fs:(i + 1) * fs]
    rest = [j for j in range(k) if j != i]
    rest.reverse()
    X_train = torch.cat([X[j * fs:(j + 1) * fs] for j in rest])
    y_train = torch.cat([y[j * fs:(j + 1) * fs] for j in rest])
    return X_train, y_train, X_valid, y_valid
