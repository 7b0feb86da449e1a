"""Transposed convolution (d2l 13.10). Run `learndl check trans-conv` to grade this file."""

import torch


def trans_conv(X: torch.Tensor, K: torch.Tensor, stride: int = 1, padding: int = 0) -> torch.Tensor:
    """The 2-D transposed convolution of X (h, w) with the kernel K (kh, kw).

    Each X[i, j] * K is added into the output at rows i*stride .. i*stride + kh - 1 and columns
    j*stride .. j*stride + kw - 1; then `padding` rows and columns are removed from every border.
    Output shape: ((h - 1) * stride + kh - 2 * padding, (w - 1) * stride + kw - 2 * padding).
    """
    # TODO: your code here
    raise NotImplementedError("trans_conv")
