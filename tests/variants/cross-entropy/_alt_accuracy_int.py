import torch


def log_softmax(X):
    c = X.max(dim=1, keepdim=True)[0]
    return X - c - torch.log(torch.exp(X - c).sum(1, keepdim=True))


def cross_entropy(y_hat, y):
    # the book indexes with range(len(y_hat)), y
    return - log_softmax(y_hat)[range(len(y_hat)), y]


def accuracy(y_hat, y):
    """计算预测正确的数量"""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return cmp.type(y.dtype).sum().item()
