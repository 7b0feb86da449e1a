"""Optimisation algorithms from scratch (d2l 11.6, 11.7, 11.8, 11.10).

Run `learndl check optimizers` to grade this file.

Every step function has the book's signature (params, states, hyperparams):
  params:      a list of tensors with requires_grad=True whose .grad holds the current gradient;
  states:      what init_*_states(params) returned, one entry per parameter (update it IN PLACE:
               the step returns nothing, and the same states are passed to the next step);
  hyperparams: a dict of numbers (see each function).
Each step updates every parameter in place under torch.no_grad() and then zeroes its gradient.
"""

import torch


def init_momentum_states(params):
    """One velocity per parameter: a list of zero tensors like each parameter."""
    # TODO: your code here
    raise NotImplementedError("init_momentum_states")


def sgd_momentum(params, states, hyperparams):
    """Momentum: v <- momentum * v + g;  p <- p - lr * v.  hyperparams: 'lr', 'momentum'."""
    # TODO: your code here
    raise NotImplementedError("sgd_momentum")


def init_adagrad_states(params):
    """One running sum of squared gradients per parameter (zeros like each parameter)."""
    # TODO: your code here
    raise NotImplementedError("init_adagrad_states")


def adagrad(params, states, hyperparams):
    """AdaGrad: s <- s + g^2;  p <- p - lr * g / sqrt(s + eps).  hyperparams: 'lr', 'eps'."""
    # TODO: your code here
    raise NotImplementedError("adagrad")


def init_rmsprop_states(params):
    """One leaky average of squared gradients per parameter (zeros like each parameter)."""
    # TODO: your code here
    raise NotImplementedError("init_rmsprop_states")


def rmsprop(params, states, hyperparams):
    """RMSProp: s <- gamma * s + (1 - gamma) * g^2;  p <- p - lr * g / sqrt(s + eps).

    hyperparams: 'lr', 'gamma', 'eps'.
    """
    # TODO: your code here
    raise NotImplementedError("rmsprop")


def init_adam_states(params):
    """One pair (v, s) of zero tensors like each parameter: a list of tuples."""
    # TODO: your code here
    raise NotImplementedError("init_adam_states")


def adam(params, states, hyperparams):
    """Adam, with bias correction. hyperparams: 'lr', 'beta1', 'beta2', 'eps', 't' (starts at 1).

    v <- beta1 * v + (1 - beta1) * g;      s <- beta2 * s + (1 - beta2) * g^2
    v_hat = v / (1 - beta1 ** t);          s_hat = s / (1 - beta2 ** t)
    p <- p - lr * v_hat / (sqrt(s_hat) + eps)
    After updating every parameter, increment hyperparams['t'] by 1.
    """
    # TODO: your code here
    raise NotImplementedError("adam")
