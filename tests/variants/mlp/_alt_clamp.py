import torch
from torch import nn


def relu(X):
    return X.clamp(min=0)


def relu_mask(X):
    return X * (X > 0)


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super().__init__()
        self.num_inputs = num_inputs
        self.lr = lr
        self.W1 = nn.Parameter(sigma * torch.randn((num_inputs, num_hiddens)))
        self.b1 = nn.Parameter(torch.zeros((num_hiddens,)))
        self.W2 = nn.Parameter(sigma * torch.randn((num_hiddens, num_outputs)))
        self.b2 = nn.Parameter(torch.zeros((num_outputs,)))

    def forward(self, X):
        X = X.reshape(-1, self.num_inputs)
        H = relu_mask(torch.einsum('nd,dh->nh', X, self.W1) + self.b1)
        return torch.einsum('nh,ho->no', H, self.W2) + self.b2
