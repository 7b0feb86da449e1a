# A correct file another way: einsum scores, the alpha weights as a softmax over dim 1 of e,
# then transposed (the same normalisation over A's tokens).
import torch
from torch import nn
from torch.nn import functional as F


def mlp(num_inputs, num_hiddens, flatten):
    net = [nn.Dropout(0.2), nn.Linear(num_inputs, num_hiddens), nn.ReLU()]
    if flatten:
        net.append(nn.Flatten(start_dim=1))
    net += [nn.Dropout(0.2), nn.Linear(num_hiddens, num_hiddens), nn.ReLU()]
    if flatten:
        net.append(nn.Flatten(start_dim=1))
    return nn.Sequential(*net)


class Attend(nn.Module):
    def __init__(self, num_inputs, num_hiddens, **kwargs):
        super().__init__(**kwargs)
        self.f = mlp(num_inputs, num_hiddens, flatten=False)

    def forward(self, A, B):
        e = torch.einsum("bih,bjh->bij", self.f(A), self.f(B))
        beta = torch.einsum("bij,bjd->bid", torch.softmax(e, dim=2), B)
        alpha = torch.einsum("bij,bid->bjd", torch.softmax(e, dim=1), A)
        return beta, alpha
