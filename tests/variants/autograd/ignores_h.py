# expect: ignores the `h` argument
import torch


def numerical_grad(f, x, h=1e-4):
    step = 1e-4
    g = torch.zeros_like(x)
    for i in range(x.numel()):
        xp, xm = x.clone(), x.clone()
        xp.view(-1)[i] += step
        xm.view(-1)[i] -= step
        g.view(-1)[i] = (f(xp) - f(xm)) / (2 * step)
    return g
