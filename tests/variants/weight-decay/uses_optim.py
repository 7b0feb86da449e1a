# expect: forbidden: you used torch.optim.SGD
import torch


def l2_penalty(w):
    return (w ** 2).sum() / 2


def sgd_weight_decay(params, lr, batch_size, wd):
    for p in params:
        p.grad /= batch_size
    opt = torch.optim.SGD(params, lr=lr, weight_decay=wd)
    opt.step()
    opt.zero_grad()
