import torch
from torch import nn


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    (H,) = state
    outs = None
    for X in inputs:
        H = torch.tanh(torch.matmul(X, W_xh) + torch.matmul(H, W_hh) + b_h)
        Y = torch.matmul(H, W_hq) + b_q
        outs = Y if outs is None else torch.cat((outs, Y), 0)
    return outs, (H,)


def grad_clipping(net, theta):
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad and p.grad is not None]
    else:
        params = net.params
    sq = torch.zeros((), dtype=torch.float64, device=params[0].grad.device)
    for p in params:
        sq = sq + p.grad.double().pow(2).sum()
    norm = sq.sqrt()
    if norm > theta:
        coef = theta / norm
        for p in params:
            p.grad.copy_(p.grad * coef.to(p.grad.dtype))


def perplexity(y_hat, y):
    z = y_hat.double()
    z = z - z.max(dim=1, keepdim=True).values
    log_probs = z - z.exp().sum(dim=1, keepdim=True).log()
    ce = -log_probs.gather(1, y.view(-1, 1)).mean()
    return ce.exp().to(y_hat.dtype)
