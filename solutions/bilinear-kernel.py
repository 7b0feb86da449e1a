"""Reference solution for the bilinear-kernel exercise (d2l 13.11.2)."""

import torch


def bilinear_kernel(in_channels, out_channels, kernel_size):
    """weight[c, c] is the outer product of a 1-D tent with itself; the other channel pairs are 0."""
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    t = torch.arange(kernel_size, dtype=torch.float32)
    tent = 1 - torch.abs(t - center) / factor
    filt = tent.reshape(-1, 1) * tent.reshape(1, -1)
    weight = torch.zeros((in_channels, out_channels, kernel_size, kernel_size))
    for c in range(min(in_channels, out_channels)):
        weight[c, c] = filt
    return weight
