# expect: the last n % k = 3 rows belong to no fold
import torch


def get_k_fold_data(k, i, X, y):
    fs = X.shape[0] // k
    X_valid, y_valid = X[i * fs:(i + 1) * fs], y[i * fs:(i + 1) * fs]
    X_train = torch.cat([X[:i * fs], X[(i + 1) * fs:]])     # keeps the leftover rows too
    y_train = torch.cat([y[:i * fs], y[(i + 1) * fs:]])
    return X_train, y_train, X_valid, y_valid
