import math

import torch


def init_momentum_states(params):
    return [torch.zeros(p.shape, dtype=p.dtype, device=p.device) for p in params]


def init_adagrad_states(params):
    return [p.detach().new_zeros(p.shape) for p in params]


def init_rmsprop_states(params):
    return [torch.zeros_like(p, memory_format=torch.preserve_format) for p in params]


def init_adam_states(params):
    states = []
    for p in params:
        states.append((torch.zeros_like(p), torch.zeros_like(p)))
    return states


@torch.no_grad()
def sgd_momentum(params, states, hyperparams):
    for p, v in zip(params, states):
        v.copy_(hyperparams['momentum'] * v + p.grad)
        p.add_(v, alpha=-hyperparams['lr'])
        p.grad.zero_()


@torch.no_grad()
def adagrad(params, states, hyperparams):
    for p, s in zip(params, states):
        s.addcmul_(p.grad, p.grad)
        p.addcdiv_(p.grad, (s + hyperparams['eps']).sqrt(), value=-hyperparams['lr'])
        p.grad.zero_()


@torch.no_grad()
def rmsprop(params, states, hyperparams):
    gamma = hyperparams['gamma']
    for p, s in zip(params, states):
        s.mul_(gamma).addcmul_(p.grad, p.grad, value=1 - gamma)
        p.addcdiv_(p.grad, torch.sqrt(s.add(hyperparams['eps'])), value=-hyperparams['lr'])
        p.grad.zero_()


@torch.no_grad()
def adam(params, states, hyperparams):
    b1, b2, eps, t = hyperparams['beta1'], hyperparams['beta2'], hyperparams['eps'], hyperparams['t']
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    step_size = hyperparams['lr'] * math.sqrt(bc2) / bc1   # torch's folded form of the bias correction
    for p, (v, s) in zip(params, states):
        v.lerp_(p.grad, 1 - b1)
        s.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
        p.addcdiv_(v, s.sqrt().add_(eps * math.sqrt(bc2)), value=-step_size)
        p.grad.zero_()
    hyperparams['t'] = t + 1
