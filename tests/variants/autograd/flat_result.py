# expect: return the gradient with x's shape
import torch


def numerical_grad(f, x, h=1e-4):
    g = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)
    for i in range(x.numel()):
        xp, xm = x.clone(), x.clone()
        xp.view(-1)[i] += h
        xm.view(-1)[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return g
