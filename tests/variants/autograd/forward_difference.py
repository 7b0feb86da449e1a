# expect: used the forward difference
# not: divided by h instead of 2h
import torch


def numerical_grad(f, x, h=1e-4):
    g = torch.zeros_like(x)
    f0 = f(x)
    for i in range(x.numel()):
        xp = x.clone()
        xp.view(-1)[i] += h
        g.view(-1)[i] = (f(xp) - f0) / h
    return g
