import torch
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super(Residual, self).__init__()
        self.conv1 = nn.LazyConv2d(num_channels, 3, strides, 1)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.LazyConv2d(num_channels, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv3 = nn.LazyConv2d(num_channels, 1, strides) if use_1x1conv else None

    def forward(self, X):
        identity = X
        out = self.relu(self.bn1(self.conv1(X)))
        out = self.bn2(self.conv2(out))
        if self.conv3 is not None:
            identity = self.conv3(identity)
        out = out + identity
        return self.relu(out)
