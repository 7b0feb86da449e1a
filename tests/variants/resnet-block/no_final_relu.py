# expect: forgot the final ReLU
"""Reference solution for the resnet-block exercise (d2l 7.6)."""

import torch
from torch import nn
from torch.nn import functional as F


class Residual(nn.Module):
    """The residual block: two 3x3 conv + batch-norm layers and a shortcut, added before the last ReLU."""

    def __init__(self, num_channels: int, use_1x1conv: bool = False, strides: int = 1):
        super().__init__()
        self.conv1 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
        # the 1x1 convolution makes the shortcut's channels and size match the main path
        self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.LazyBatchNorm2d()
        self.bn2 = nn.LazyBatchNorm2d()

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        shortcut = self.conv3(X) if self.conv3 is not None else X
        return Y + shortcut
