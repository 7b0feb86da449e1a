import torch
from torch import nn
import torch.nn.functional as F


def sequence_mask(X, valid_len, value=0):
    steps = torch.arange(X.shape[1], device=X.device)
    keep = steps[None, :] < valid_len[:, None]
    keep = keep.view(*keep.shape, *([1] * (X.dim() - 2))).to(X.dtype)
    return X * keep + value * (1 - keep)


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        l = F.cross_entropy(pred.transpose(1, 2), label, reduction='none')
        w = sequence_mask(torch.ones_like(l), valid_len)
        return (l * w).mean(1)
