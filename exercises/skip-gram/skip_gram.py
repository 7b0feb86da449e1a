"""The skip-gram forward pass and its loss (d2l 14.4.1-14.4.2). Grade with `learndl check skip-gram`."""

import torch
from torch import nn
from torch.nn import functional as F


def skip_gram(center: torch.Tensor, contexts_and_negatives: torch.Tensor, embed_v: nn.Embedding,
              embed_u: nn.Embedding) -> torch.Tensor:
    """Scores of each center word against its contexts and noise words.

    center (batch, 1) and contexts_and_negatives (batch, max_len) are token indices; embed_v holds
    the center-word vectors, embed_u the context-word vectors (both d wide). Returns (batch, 1, max_len):
    entry [b, 0, j] is the dot product of v(center[b]) and u(contexts_and_negatives[b, j]).
    """
    # TODO: your code here
    raise NotImplementedError("skip_gram")


class SigmoidBCELoss(nn.Module):
    """Binary cross-entropy on logits with a mask, averaged over dim 1."""

    def __init__(self):
        super().__init__()

    def forward(self, inputs, target, mask=None):
        """inputs, target, mask: (batch, max_len); target 1 for real contexts, 0 for noise words; mask 1
        for real positions, 0 for padding (None: no mask). Returns (batch,): each row's mean over all
        max_len positions of the masked per-element loss."""
        # TODO: your code here
        raise NotImplementedError("SigmoidBCELoss.forward")
