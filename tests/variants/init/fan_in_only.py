# expect: xavier_uniform_ bound uses fan_in only
import math

import torch


def xavier_uniform_(W, gain=1.0):
    fan_in = W.shape[1] * math.prod(W.shape[2:])
    a = gain * math.sqrt(6.0 / fan_in)
    with torch.no_grad():
        W.uniform_(-a, a)
    return W


def xavier_normal_(W, gain=1.0):
    fan_in, fan_out = W.shape[1] * math.prod(W.shape[2:]), W.shape[0] * math.prod(W.shape[2:])
    with torch.no_grad():
        W.normal_(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))
    return W
