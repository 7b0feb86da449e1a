"""Xavier initialisation (d2l 4.8). Run `learndl check init` to grade this file."""

import math

import torch


def xavier_uniform_(W: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """Fill W (at least 2-D; (out, in) or (out, in, kh, kw)) in place from U(-a, a), return W.

    a = gain * sqrt(6 / (fan_in + fan_out)); fan_in = W.shape[1] * receptive field,
    fan_out = W.shape[0] * receptive field (receptive field = product of W.shape[2:]).
    """
    # TODO: your code here
    raise NotImplementedError("xavier_uniform_")


def xavier_normal_(W: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """Fill W in place from N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)), return W."""
    # TODO: your code here
    raise NotImplementedError("xavier_normal_")
