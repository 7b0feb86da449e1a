import torch
import torch.nn.functional as F
from torch import nn


def sequence_mask(X, valid_len, value=0):
    pad = torch.arange(X.shape[1], device=X.device).expand(X.shape[0], -1) >= valid_len.view(-1, 1)
    while pad.dim() < X.dim():
        pad = pad.unsqueeze(-1)
    return X.masked_fill(pad, value)


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        B, T, V = pred.shape
        ce = F.cross_entropy(pred.reshape(-1, V), label.reshape(-1), reduction='none').reshape(B, T)
        ce = sequence_mask(ce, valid_len)
        return ce.sum(dim=1) / T
