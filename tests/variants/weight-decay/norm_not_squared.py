# expect: returned the norm ||w||
# not: took the mean
import torch


def l2_penalty(w):
    return torch.sqrt((w ** 2).sum())


def sgd_weight_decay(params, lr, batch_size, wd):
    with torch.no_grad():
        for p in params:
            p -= lr * (p.grad / batch_size + wd * p)
            p.grad.zero_()
