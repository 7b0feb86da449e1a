"""Reference solution for the trans-conv exercise (d2l 13.10)."""

import torch


def trans_conv(X, K, stride=1, padding=0):
    """Scatter X[i, j] * K into the output at (i * stride, j * stride); crop `padding` at every border."""
    h, w = X.shape
    kh, kw = K.shape
    Y = torch.zeros(((h - 1) * stride + kh, (w - 1) * stride + kw), dtype=X.dtype, device=X.device)
    for i in range(h):
        for j in range(w):
            Y[i * stride:i * stride + kh, j * stride:j * stride + kw] += X[i, j] * K
    return Y[padding:Y.shape[0] - padding, padding:Y.shape[1] - padding]
