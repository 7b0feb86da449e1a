# expect: forbidden: you used F.batch_norm
import torch
import torch.nn.functional as F


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    Y = F.batch_norm(X, moving_mean.flatten(), moving_var.flatten(), gamma.flatten(), beta.flatten(),
                     training=torch.is_grad_enabled(), momentum=1 - momentum, eps=eps)
    return Y, moving_mean, moving_var
