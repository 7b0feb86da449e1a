"""Generating anchor boxes (d2l 13.4.1). Run `learndl check multibox-prior` to grade this file."""

import torch


def multibox_prior(data: torch.Tensor, sizes: list[float], ratios: list[float]) -> torch.Tensor:
    """Anchor boxes centred on every pixel of data's last two axes.

    data: (batch, channels, h, w) (only its h, w and device matter); sizes: n scales in (0, 1];
    ratios: m width-to-height ratios. Returns (1, h * w * (n + m - 1), 4) boxes in corner form
    (x1, y1, x2, y2), in coordinates divided by the image's width and height. Pixels go row by row;
    each pixel's anchors are (sizes[0], ratios[0]), ..., (sizes[n-1], ratios[0]), then
    (sizes[0], ratios[1]), ..., (sizes[0], ratios[m-1]).
    """
    # TODO: your code here
    raise NotImplementedError("multibox_prior")
