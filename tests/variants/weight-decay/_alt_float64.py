import torch


def l2_penalty(w):
    return (w.double() ** 2).sum().div(2).to(w.dtype)


def sgd_weight_decay(params, lr, batch_size, wd):
    for p in params:
        with torch.no_grad():
            p.mul_(1 - lr * wd)
            p.add_(p.grad, alpha=-lr / batch_size)
        p.grad = None
