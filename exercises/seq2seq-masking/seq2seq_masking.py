"""Masking padded time steps (d2l 9.7). Run `learndl check seq2seq-masking` to grade this file."""

import torch
from torch import nn


def sequence_mask(X: torch.Tensor, valid_len: torch.Tensor, value=0) -> torch.Tensor:
    """Replace the padded steps of each sequence in X by `value`.

    X:         (batch, num_steps) or (batch, num_steps, ...): any dtype.
    valid_len: (batch,) integer tensor; sequence b is real for steps t < valid_len[b].
    Returns a tensor of X's shape, dtype and device where X[b, t, ...] = value for every
    t >= valid_len[b], and X's entries elsewhere.
    """
    # TODO: your code here
    raise NotImplementedError("sequence_mask")


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """Softmax cross-entropy that ignores padded steps.

    forward(pred, label, valid_len):
      pred:      (batch, num_steps, vocab_size) logits
      label:     (batch, num_steps) int64 token indices
      valid_len: (batch,) integer tensor
    returns    (batch,): for each sequence, the mean over ALL num_steps of the per-step
               cross-entropy, with the steps t >= valid_len[b] weighted 0.
    """

    def forward(self, pred, label, valid_len):
        # TODO: your code here
        raise NotImplementedError("MaskedSoftmaxCELoss.forward")
