# expect: one loss per sequence
# not: averaged over the valid steps only
import torch
from torch import nn


def sequence_mask(X, valid_len, value=0):
    mask = torch.arange(X.shape[1], device=X.device)[None, :] < valid_len[:, None]
    X = X.clone()
    X[~mask] = value
    return X


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        weights = sequence_mask(torch.ones_like(label), valid_len)
        self.reduction = "none"
        unweighted = super().forward(pred.permute(0, 2, 1), label)
        return (unweighted * weights).mean()
