# expect: did not update the parameter in place
# not: left out the decay
import torch


def l2_penalty(w):
    return (w ** 2).sum() / 2


def sgd_weight_decay(params, lr, batch_size, wd):
    with torch.no_grad():
        for p in params:
            p = p - lr * (p.grad / batch_size + wd * p)    # rebinds the name; the parameter is untouched
