import itertools

import torch


def numerical_grad(f, x, h=1e-4):
    grad = torch.zeros_like(x)
    for idx in itertools.product(*[range(s) for s in x.shape]):
        x_plus = x.detach().clone()
        x_minus = x.detach().clone()
        x_plus[idx] += h
        x_minus[idx] -= h
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * h)
    return grad
