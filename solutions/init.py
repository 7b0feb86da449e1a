"""Reference solution for the init exercise (d2l 4.8): Xavier initialisation."""

import math

import torch


def _fans(W: torch.Tensor) -> tuple[int, int]:
    """fan_in and fan_out of a weight shaped (out, in, *kernel)."""
    receptive = math.prod(W.shape[2:])  # 1 for a plain (out, in) matrix
    return W.shape[1] * receptive, W.shape[0] * receptive


def xavier_uniform_(W: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)), so Var(w) = a^2 / 3 = 2 gain^2 / (fan_in + fan_out)."""
    fan_in, fan_out = _fans(W)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():  # W may be an nn.Parameter
        W.uniform_(-a, a)
    return W


def xavier_normal_(W: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(W)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    with torch.no_grad():
        W.normal_(0.0, std)
    return W
