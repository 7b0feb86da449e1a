"""Reference solution for the skip-gram exercise (d2l 14.4.1-14.4.2)."""

import torch
from torch import nn
from torch.nn import functional as F


def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
    """(batch, 1, max_len) dot products of center vectors with context/noise vectors."""
    v = embed_v(center)  # (batch, 1, d)
    u = embed_u(contexts_and_negatives)  # (batch, max_len, d)
    return torch.bmm(v, u.permute(0, 2, 1))


class SigmoidBCELoss(nn.Module):
    """Masked binary cross-entropy on logits, averaged over each row (padding counts as 0)."""

    def __init__(self):
        super().__init__()

    def forward(self, inputs, target, mask=None):
        # -log sigma(x) for the positives, -log(1 - sigma(x)) = -log sigma(-x) for the negatives, stably
        out = -(target * F.logsigmoid(inputs) + (1 - target) * F.logsigmoid(-inputs))
        if mask is not None:
            out = out * mask
        return out.mean(dim=1)
