# expect: the decay term is not multiplied by lr
# not: the decay term has the wrong sign
import torch


def l2_penalty(w):
    return (w ** 2).sum() / 2


def sgd_weight_decay(params, lr, batch_size, wd):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad / batch_size + wd * p
            p.grad.zero_()
