import torch


def l2_penalty(w):
    total = torch.zeros((), dtype=w.dtype, device=w.device)
    for v in w.reshape(-1):
        total = total + v * v
    return 0.5 * total


def sgd_weight_decay(params, lr, batch_size, wd):
    for param in params:
        param.data = param.data - lr * (param.grad.data / batch_size + wd * param.data)
        param.grad.data.zero_()
