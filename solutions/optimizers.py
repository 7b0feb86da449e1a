"""Reference solution for the optimizers exercise (d2l chapter 11)."""

import torch


def _zeros_like_each(params):
    return [torch.zeros_like(p) for p in params]


def init_momentum_states(params):
    return _zeros_like_each(params)


def sgd_momentum(params, states, hyperparams):
    lr, beta = hyperparams["lr"], hyperparams["momentum"]
    with torch.no_grad():
        for p, v in zip(params, states):
            v.mul_(beta).add_(p.grad)          # v <- beta v + g   (in place: v carries over)
            p.sub_(lr * v)
            p.grad.zero_()


def init_adagrad_states(params):
    return _zeros_like_each(params)


def adagrad(params, states, hyperparams):
    lr, eps = hyperparams["lr"], hyperparams["eps"]
    with torch.no_grad():
        for p, s in zip(params, states):
            s.add_(p.grad * p.grad)            # the sum of all squared gradients so far
            p.sub_(lr * p.grad / torch.sqrt(s + eps))
            p.grad.zero_()


def init_rmsprop_states(params):
    return _zeros_like_each(params)


def rmsprop(params, states, hyperparams):
    lr, gamma, eps = hyperparams["lr"], hyperparams["gamma"], hyperparams["eps"]
    with torch.no_grad():
        for p, s in zip(params, states):
            s.mul_(gamma).add_((1 - gamma) * p.grad * p.grad)   # leaky average of g^2
            p.sub_(lr * p.grad / torch.sqrt(s + eps))
            p.grad.zero_()


def init_adam_states(params):
    return [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]


def adam(params, states, hyperparams):
    lr, b1, b2, eps, t = (hyperparams[k] for k in ("lr", "beta1", "beta2", "eps", "t"))
    with torch.no_grad():
        for p, (v, s) in zip(params, states):
            v.mul_(b1).add_((1 - b1) * p.grad)
            s.mul_(b2).add_((1 - b2) * p.grad * p.grad)
            v_hat = v / (1 - b1 ** t)          # bias correction: v and s start at 0
            s_hat = s / (1 - b2 ** t)
            p.sub_(lr * v_hat / (torch.sqrt(s_hat) + eps))
            p.grad.zero_()
    hyperparams["t"] += 1
