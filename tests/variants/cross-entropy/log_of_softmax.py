# expect: took the log of the softmax
# not: subtracted the global max
import torch


def log_softmax(X):
    E = torch.exp(X - X.max(dim=-1, keepdim=True).values)
    return torch.log(E / E.sum(dim=-1, keepdim=True))


def cross_entropy(logits, y):
    return -log_softmax(logits)[torch.arange(len(y), device=y.device), y]


def accuracy(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.to(y.dtype) == y).sum())
