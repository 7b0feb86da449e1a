# expect: forbidden: you used y.backward
import torch


def numerical_grad(f, x, h=1e-4):
    x = x.clone().requires_grad_(True)
    y = f(x)
    y.backward()
    return x.grad
