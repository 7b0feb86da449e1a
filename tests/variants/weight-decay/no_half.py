# expect: forgot the 1/2
# not: used |w|
import torch


def l2_penalty(w):
    return (w ** 2).sum()


def sgd_weight_decay(params, lr, batch_size, wd):
    with torch.no_grad():
        for p in params:
            p -= lr * (p.grad / batch_size + wd * p)
            p.grad.zero_()
