import math

import torch
from torch import nn


def xavier_uniform_(W, gain=1.0):
    rf = 1
    for s in W.shape[2:]:
        rf *= s
    fan_in, fan_out = W.shape[1] * rf, W.shape[0] * rf
    a = gain * math.sqrt(6 / (fan_in + fan_out))
    with torch.no_grad():
        U = torch.rand(W.shape, dtype=W.dtype, device=W.device)
        W.copy_(U * 2 * a - a)
    return W


def xavier_normal_(W, gain=1.0):
    rf = 1
    for s in W.shape[2:]:
        rf *= s
    n_in, n_out = W.shape[1] * rf, W.shape[0] * rf
    std = gain * math.sqrt(2 / (n_in + n_out))
    return nn.init.normal_(W, 0.0, std)
