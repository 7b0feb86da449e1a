# expect: forbidden: you used F.layer_norm
import torch
import torch.nn.functional as F


def layer_norm(X, gamma, beta, eps):
    return F.layer_norm(X, gamma.shape, gamma, beta, eps)
