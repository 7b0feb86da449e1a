import torch


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def sgd_weight_decay(params, lr, batch_size, wd):
    with torch.no_grad():
        for param in params:
            grad = param.grad / batch_size + wd * param  # the penalty's gradient is wd * w
            param -= lr * grad
            param.grad.zero_()
