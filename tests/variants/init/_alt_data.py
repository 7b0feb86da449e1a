import math

import torch


def _fan_in_out(W):
    fan_in = W.numel() // W.size(0)
    fan_out = W.numel() // W.size(1)
    return fan_in, fan_out


def xavier_uniform_(W, gain=1.0):
    fan_in, fan_out = _fan_in_out(W)
    bound = gain * (6 / (fan_in + fan_out)) ** 0.5
    W.data.uniform_(-bound, bound)
    return W


def xavier_normal_(W, gain=1.0):
    fan_in, fan_out = _fan_in_out(W)
    W.data.normal_(mean=0.0, std=gain * math.sqrt(2.0 / float(fan_in + fan_out)))
    return W
