# expect: forbidden: you used nn.LSTMCell
import torch
from torch import nn


def lstm(inputs, state, params):
    cell = nn.LSTMCell(inputs.shape[-1], state[0].shape[-1])
    H, C = state
    outputs = []
    for X in inputs:
        H, C = cell(X, (H, C))
        outputs.append(H @ params[12] + params[13])
    return torch.cat(outputs, dim=0), (H, C)
