import torch


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    training = torch.is_grad_enabled()
    if training:
        dims = (0,) if X.dim() == 2 else (0, 2, 3)
        Xd = X.double()
        mean = Xd.mean(dims, keepdim=True)
        var = Xd.var(dims, unbiased=False, keepdim=True)
        X_hat = ((Xd - mean) / (var + eps).sqrt()).to(X.dtype)
        # update the running estimates in place
        moving_mean.data.mul_(momentum).add_((1 - momentum) * mean.detach().to(moving_mean.dtype))
        moving_var.data.mul_(momentum).add_((1 - momentum) * var.detach().to(moving_var.dtype))
    else:
        X_hat = (X - moving_mean) / (moving_var + eps).sqrt()
    return gamma * X_hat + beta, moving_mean, moving_var
