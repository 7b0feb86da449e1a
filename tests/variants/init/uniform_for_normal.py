# expect: this looks uniform
import math

import torch


def xavier_uniform_(W, gain=1.0):
    fan_in, fan_out = W.shape[1] * math.prod(W.shape[2:]), W.shape[0] * math.prod(W.shape[2:])
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        W.uniform_(-a, a)
    return W


def xavier_normal_(W, gain=1.0):
    return xavier_uniform_(W, gain)   # same variance, wrong distribution
