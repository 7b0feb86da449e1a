# expect: not portable
"""Reference solution for the pooling exercise (d2l 6.5)."""

import torch


def pool2d(X: torch.Tensor, pool_size: tuple, mode: str = "max") -> torch.Tensor:
    """Stride-1 max or average pooling of a 2-D X with a (p_h, p_w) window."""
    p_h, p_w = pool_size
    out_h, out_w = X.shape[0] - p_h + 1, X.shape[1] - p_w + 1
    Y = torch.zeros((out_h, out_w), dtype=X.dtype)
    for i in range(out_h):
        for j in range(out_w):
            window = X[i:i + p_h, j:j + p_w]
            if mode == "max":
                Y[i, j] = window.max()
            elif mode == "avg":
                Y[i, j] = window.mean()
            else:
                raise ValueError(f"unknown pooling mode {mode!r} (use 'max' or 'avg')")
    return Y
