# expect: a leaf Variable that requires grad
import math

import torch


def xavier_uniform_(W, gain=1.0):
    fan_in, fan_out = W.shape[1] * math.prod(W.shape[2:]), W.shape[0] * math.prod(W.shape[2:])
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    W.uniform_(-a, a)
    return W


def xavier_normal_(W, gain=1.0):
    fan_in, fan_out = W.shape[1] * math.prod(W.shape[2:]), W.shape[0] * math.prod(W.shape[2:])
    W.normal_(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))
    return W
