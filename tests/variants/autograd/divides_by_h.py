# expect: divided by h instead of 2h
# not: forgot to divide by 2h
import torch


def numerical_grad(f, x, h=1e-4):
    g = torch.zeros_like(x)
    for i in range(x.numel()):
        xp, xm = x.clone(), x.clone()
        xp.view(-1)[i] += h
        xm.view(-1)[i] -= h
        g.view(-1)[i] = (f(xp) - f(xm)) / h
    return g
