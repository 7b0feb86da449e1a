import torch
from torch import nn


def sequence_mask(X, valid_len, value=0):
    out = X.clone()
    for b in range(X.shape[0]):
        out[b, valid_len[b]:] = value
    return out


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        logp = pred - torch.logsumexp(pred, dim=-1, keepdim=True)
        nll = -torch.gather(logp, 2, label.unsqueeze(-1)).squeeze(-1)   # (batch, num_steps)
        steps = torch.arange(label.shape[1], device=pred.device)
        w = (steps[None, :] < valid_len[:, None]).to(pred.dtype)
        return (nll * w).mean(dim=1)
