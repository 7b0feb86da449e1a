"""An RNN from scratch (d2l 8.5). Run `learndl check rnn` to grade this file."""

import math

import torch
from torch import nn
from torch.nn import functional as F


def rnn(inputs, state, params):
    """inputs: (num_steps, batch, vocab); state: (H,) with H (batch, num_hiddens);
    params: [W_xh, W_hh, b_h, W_hq, b_q]. Returns (outputs of shape (num_steps * batch, vocab), (H,))."""
    # TODO: your code here
    raise NotImplementedError("rnn")


def grad_clipping(net, theta):
    """Scale all gradients of net (an nn.Module, or a model with net.params) in place so that their
    global L2 norm is at most theta."""
    # TODO: your code here
    raise NotImplementedError("grad_clipping")


def perplexity(y_hat, y):
    """exp(mean cross-entropy) of logits y_hat (n, vocab) for true indices y (n,), a 0-dim tensor."""
    # TODO: your code here
    raise NotImplementedError("perplexity")
