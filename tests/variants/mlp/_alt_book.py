import torch
from torch import nn


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs, self.num_outputs, self.num_hiddens = num_inputs, num_outputs, num_hiddens
        self.lr, self.sigma = lr, sigma
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = relu(X @ self.W1 + self.b1)  # 这里“@”代表矩阵乘法
        return (H @ self.W2 + self.b2)
