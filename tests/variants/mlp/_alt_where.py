import torch
import torch.nn as nn


def relu(X):
    return torch.where(X > 0, X, torch.tensor(0.0))


class MLPScratch(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens, lr, sigma=0.01):
        super(MLPScratch, self).__init__()
        self.num_inputs = num_inputs
        self.lr = lr
        self.W1 = nn.Parameter(torch.normal(0, sigma, size=(num_inputs, num_hiddens)))
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(torch.normal(0, sigma, size=(num_hiddens, num_outputs)))
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    def forward(self, X):
        X = X.view(X.shape[0], -1) if X.is_contiguous() else X.reshape(X.shape[0], -1)
        hidden = relu(torch.addmm(self.b1, X, self.W1))
        return torch.addmm(self.b2, hidden, self.W2)
