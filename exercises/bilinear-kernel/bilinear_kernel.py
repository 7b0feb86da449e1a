"""Bilinear-interpolation kernel for a transposed convolution (d2l 13.11.2). Grade with `learndl check bilinear-kernel`."""

import torch


def bilinear_kernel(in_channels: int, out_channels: int, kernel_size: int) -> torch.Tensor:
    """The (in_channels, out_channels, kernel_size, kernel_size) weight of an nn.ConvTranspose2d that
    upsamples each channel by bilinear interpolation: weight[c, c] is the 2-D tent filter, every other
    [i, o] is zero. The book uses it with in_channels == out_channels."""
    # TODO: your code here
    raise NotImplementedError("bilinear_kernel")
