import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if torch.is_grad_enabled():
        dims = [0] if X.ndim == 2 else [0, 2, 3]
        var, mean = torch.var_mean(X, dim=dims, keepdim=True, correction=0)
        with torch.no_grad():
            new_mean = momentum * moving_mean + (1 - momentum) * mean
            new_var = momentum * moving_var + (1 - momentum) * var
    else:
        mean, var = moving_mean, moving_var
        new_mean, new_var = moving_mean, moving_var
    Y = gamma * (X - mean) * torch.rsqrt(var + eps) + beta
    return Y, new_mean, new_var
