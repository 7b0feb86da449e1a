# A correct file another way: einsum for the scores, softplus for the loss, mask applied by where.
import torch
from torch import nn
from torch.nn import functional as F


def skip_gram(center, contexts_and_negatives, embed_v, embed_u):
    return torch.einsum("bid,bjd->bij", embed_v(center), embed_u(contexts_and_negatives))


class SigmoidBCELoss(nn.Module):
    def forward(self, inputs, target, mask=None):
        # -log sigma(x) = softplus(-x); -log(1 - sigma(x)) = softplus(x)
        out = target * F.softplus(-inputs) + (1 - target) * F.softplus(inputs)
        if mask is not None:
            out = torch.where(mask > 0, out * mask, torch.zeros_like(out))
        return out.sum(dim=1) / out.shape[1]
