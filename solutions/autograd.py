"""Reference solution for the autograd exercise (d2l 2.5): central differences."""

import torch


def numerical_grad(f, x: torch.Tensor, h: float = 1e-4) -> torch.Tensor:
    """Central-difference gradient of the scalar function f at x (x is not modified)."""
    xc = x.detach().clone()  # our private copy: nudging it never touches the caller's x
    flat = xc.view(-1)  # a view: writing flat[i] writes xc
    grad = torch.zeros_like(xc)
    grad_flat = grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i].clone()
        flat[i] = old + h
        f_plus = f(xc)
        flat[i] = old - h
        f_minus = f(xc)
        flat[i] = old  # put the element back before moving on
        grad_flat[i] = (f_plus - f_minus) / (2 * h)
    return grad
