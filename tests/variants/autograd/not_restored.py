# expect: x was modified by numerical_grad
import torch


def numerical_grad(f, x, h=1e-4):
    g = torch.zeros_like(x)
    flat = x.view(-1)          # a view of the caller's x: every nudge lands in x
    for i in range(x.numel()):
        flat[i] += h
        fp = f(x)
        flat[i] -= 2 * h
        fm = f(x)              # ...and x[i] is never put back
        g.view(-1)[i] = (fp - fm) / (2 * h)
    return g
