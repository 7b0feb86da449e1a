import torch


def get_k_fold_data(k, i, X, y):
    n = len(X) // k
    start, stop = i * n, (i + 1) * n
    X_train = torch.cat((X[:start], X[stop:k * n]))
    y_train = torch.cat((y[:start], y[stop:k * n]))
    return X_train, y_train, X[start:stop].clone(), y[start:stop].clone()
