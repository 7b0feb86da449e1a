# expect: forbidden: you used nn.init.xavier_uniform_
import math

import torch
from torch import nn


def xavier_uniform_(W, gain=1.0):
    return nn.init.xavier_uniform_(W, gain)


def xavier_normal_(W, gain=1.0):
    return nn.init.xavier_normal_(W, gain)
