import torch
from torch import nn


class Residual(nn.Module):
    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.use_1x1conv = use_1x1conv
        self.conv1 = nn.LazyConv2d(num_channels, kernel_size=(3, 3), padding=(1, 1), stride=(strides, strides))
        self.conv2 = nn.LazyConv2d(num_channels, kernel_size=(3, 3), padding=(1, 1))
        self.conv3 = None
        if use_1x1conv:
            self.conv3 = nn.LazyConv2d(num_channels, kernel_size=(1, 1), stride=(strides, strides))
        self.bn1 = nn.LazyBatchNorm2d(eps=1e-5, momentum=0.1)
        self.bn2 = nn.LazyBatchNorm2d()

    def forward(self, X):
        Y = torch.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        return torch.relu(Y + (self.conv3(X) if self.use_1x1conv else X))
