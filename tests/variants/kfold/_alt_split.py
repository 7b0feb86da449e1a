import torch


def get_k_fold_data(k, i, X, y):
    fs = X.shape[0] // k
    Xs = list(torch.split(X[: k * fs], fs))
    ys = list(torch.split(y[: k * fs], fs))
    X_valid, y_valid = Xs.pop(i), ys.pop(i)
    return torch.cat(Xs), torch.cat(ys), X_valid, y_valid
