"""2-D cross-correlation with channels, and convolution output shapes (d2l 6.2-6.4).
Run `learndl check conv2d` to grade this file."""

import torch


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation: X (h, w), K (kh, kw) -> (h - kh + 1, w - kw + 1), X's dtype and device."""
    # TODO: your code here
    raise NotImplementedError("corr2d")


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """X (c_i, h, w), K (c_i, kh, kw) -> (h - kh + 1, w - kw + 1): the sum over input channels."""
    # TODO: your code here
    raise NotImplementedError("corr2d_multi_in")


def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """X (c_i, h, w), K (c_o, c_i, kh, kw) -> (c_o, h - kh + 1, w - kw + 1)."""
    # TODO: your code here
    raise NotImplementedError("corr2d_multi_in_out")


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """X (c_i, h, w), K (c_o, c_i, 1, 1) -> (c_o, h, w), computed as one matrix product."""
    # TODO: your code here
    raise NotImplementedError("corr2d_multi_in_out_1x1")


def conv_output_shape(n: int, k: int, p: int, s: int) -> int:
    """Output size along one axis: input n, kernel k, padding p on each side, stride s."""
    # TODO: your code here
    raise NotImplementedError("conv_output_shape")
