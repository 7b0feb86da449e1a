import torch
import torch.nn as nn


def rnn(inputs, state, params):
    W_xh, W_hh, b_h, W_hq, b_q = params
    H = state[0]
    hs = []
    for t in range(inputs.shape[0]):
        H = (inputs[t] @ W_xh + H @ W_hh + b_h).tanh()
        hs.append(H)
    Hs = torch.stack(hs)                       # (T, B, h)
    Y = torch.einsum('tbh,hv->tbv', Hs, W_hq) + b_q
    return Y.reshape(-1, Y.shape[-1]), (H,)


def grad_clipping(net, theta):
    params = net.params if not isinstance(net, nn.Module) else [p for p in net.parameters() if p.requires_grad]
    grads = [p.grad for p in params if p.grad is not None]
    total = torch.linalg.vector_norm(torch.cat([g.reshape(-1) for g in grads]))
    scale = torch.clamp(theta / total, max=1.0)
    for g in grads:
        g.mul_(scale)


def perplexity(y_hat, y):
    logp = y_hat - torch.logsumexp(y_hat, dim=1, keepdim=True)
    nll = -logp[torch.arange(len(y), device=y.device), y]
    return nll.mean().exp()
