"""GPUs and device-agnostic code (d2l 5.6 / 12.5). Run `learndl check devices` to grade this file."""

import torch


def try_gpu(i=0):
    """torch.device(f'cuda:{i}') if GPU i exists (torch.cuda.device_count() >= i + 1), else torch.device('cpu')."""
    # TODO: your code here
    raise NotImplementedError("try_gpu")


def try_all_gpus():
    """[torch.device('cuda:0'), torch.device('cuda:1'), ...] for every GPU, or [torch.device('cpu')] if there is none."""
    # TODO: your code here
    raise NotImplementedError("try_all_gpus")


def add_bias_column(X):
    """X (n, d) -> (n, d + 1): X with a last column of ones, on X's device, with X's dtype."""
    # TODO: your code here
    raise NotImplementedError("add_bias_column")


def causal_mask(scores):
    """scores (..., T, T) -> a new tensor where every entry [..., i, j] with j > i is -1e6.

    Same shape, dtype and device as scores; scores itself is not changed.
    """
    # TODO: your code here
    raise NotImplementedError("causal_mask")
