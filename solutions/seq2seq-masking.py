"""Reference solution for the seq2seq-masking exercise (d2l 9.7)."""

import torch
from torch import nn


def sequence_mask(X, valid_len, value=0):
    """Steps t >= valid_len[b] of sequence b become `value` (a new tensor; X is not changed)."""
    num_steps = X.shape[1]
    steps = torch.arange(num_steps, device=X.device)
    keep = steps.unsqueeze(0) < valid_len.unsqueeze(1)          # (batch, num_steps), True = real token
    keep = keep.reshape(keep.shape + (1,) * (X.dim() - 2))       # broadcast over trailing dims
    return torch.where(keep, X, torch.full_like(X, value))


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """Per-sequence softmax cross-entropy where padded steps weigh 0."""

    def forward(self, pred, label, valid_len):
        weights = sequence_mask(torch.ones_like(label, dtype=pred.dtype), valid_len)
        self.reduction = "none"
        per_step = super().forward(pred.permute(0, 2, 1), label)   # (batch, num_steps)
        return (per_step * weights).mean(dim=1)
