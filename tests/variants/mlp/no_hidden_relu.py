# expect: the hidden layer has no ReLU
# not: applied ReLU to the output layer too
import torch
from torch import nn


def relu(X):
    return torch.max(X, torch.zeros_like(X))


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs = num_inputs
        self.lr = lr
        self.W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens) * sigma)
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs) * sigma)
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.reshape((-1, self.num_inputs))
        H = torch.matmul(X, self.W1) + self.b1
        return torch.matmul(H, self.W2) + self.b2
