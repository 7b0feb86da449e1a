"""The residual block of ResNet (d2l 7.6). Run `learndl check resnet-block` to grade this file."""

import torch
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    """ReLU(bn2(conv2(ReLU(bn1(conv1(X))))) + shortcut(X)).

    conv1: LazyConv2d(num_channels, 3, padding=1, stride=strides); conv2: LazyConv2d(num_channels, 3, padding=1);
    conv3: LazyConv2d(num_channels, 1, stride=strides) if use_1x1conv else None;
    bn1, bn2: LazyBatchNorm2d() (or BatchNorm2d(num_channels)).
    """

    def __init__(self, num_channels: int, use_1x1conv: bool = False, strides: int = 1):
        super().__init__()
        # TODO: create self.conv1, self.conv2, self.conv3, self.bn1, self.bn2
        raise NotImplementedError("Residual.__init__")

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # TODO: your code here
        raise NotImplementedError("Residual.forward")
