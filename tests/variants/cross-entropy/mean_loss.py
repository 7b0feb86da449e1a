# expect: return one loss per example
# not: the loss has the wrong sign
import torch


def log_softmax(X):
    S = X - X.max(dim=-1, keepdim=True).values
    return S - torch.log(torch.exp(S).sum(dim=-1, keepdim=True))


def cross_entropy(logits, y):
    return -log_softmax(logits)[torch.arange(len(y), device=y.device), y].mean()


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.to(y.dtype) == y).sum())
