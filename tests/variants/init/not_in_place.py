# expect: the trailing underscore means in place
import math

import torch


def xavier_uniform_(W, gain=1.0):
    fan_in, fan_out = W.shape[1] * math.prod(W.shape[2:]), W.shape[0] * math.prod(W.shape[2:])
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return (torch.rand_like(W) * 2 - 1) * a      # a new tensor; W itself is never filled


def xavier_normal_(W, gain=1.0):
    fan_in, fan_out = W.shape[1] * math.prod(W.shape[2:]), W.shape[0] * math.prod(W.shape[2:])
    return torch.randn_like(W) * gain * math.sqrt(2.0 / (fan_in + fan_out))
