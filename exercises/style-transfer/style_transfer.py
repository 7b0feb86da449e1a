"""Style-transfer losses (d2l 13.12.5). Run `learndl check style-transfer` to grade this file."""

import torch


def content_loss(Y_hat: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between the synthesised features Y_hat and the content features Y
    (same shape); Y is a fixed target (no gradient flows into it). Returns a scalar."""
    # TODO: your code here
    raise NotImplementedError("content_loss")


def gram(X: torch.Tensor) -> torch.Tensor:
    """The Gram matrix (c, c) of features X of shape (1, c, h, w), divided by c * h * w."""
    # TODO: your code here
    raise NotImplementedError("gram")


def style_loss(Y_hat: torch.Tensor, gram_Y: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between gram(Y_hat) and the style image's Gram matrix gram_Y (c, c),
    a fixed target. Returns a scalar."""
    # TODO: your code here
    raise NotImplementedError("style_loss")


def tv_loss(Y_hat: torch.Tensor) -> torch.Tensor:
    """Total variation of an image batch Y_hat (n, c, h, w): 0.5 * (mean |vertical neighbour
    differences| + mean |horizontal neighbour differences|). Returns a scalar."""
    # TODO: your code here
    raise NotImplementedError("tv_loss")
