import math

import torch


@torch.no_grad()
def xavier_uniform_(W, gain=1.0):
    receptive_field = W[0][0].numel()
    fan_in = W.size(1) * receptive_field
    fan_out = W.size(0) * receptive_field
    limit = gain * math.sqrt(6.0 / (fan_in + fan_out))
    W[...] = torch.empty_like(W).uniform_(-limit, limit)
    return W


@torch.no_grad()
def xavier_normal_(W, gain=1.0):
    receptive_field = W[0][0].numel()
    fan_in = W.size(1) * receptive_field
    fan_out = W.size(0) * receptive_field
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    W.copy_(torch.randn_like(W) * std)
    return W
