"""A cosine learning-rate schedule with warm-up (d2l 11.11). Run `learndl check lr-scheduler` to grade this file."""

import math


class CosineScheduler:
    """scheduler(epoch) -> the learning rate (a Python float) for that epoch (0, 1, 2, ...).

    epoch < warmup_steps:                 warmup_begin_lr + (base_lr - warmup_begin_lr) * epoch / warmup_steps
    warmup_steps <= epoch <= max_update:  final_lr + (base_lr - final_lr)
                                           * (1 + cos(pi * (epoch - warmup_steps) / (max_update - warmup_steps))) / 2
    epoch > max_update:                   final_lr
    (0 <= warmup_steps < max_update.)
    """

    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        # TODO: your code here
        raise NotImplementedError("CosineScheduler.__init__")

    def __call__(self, epoch):
        # TODO: your code here
        raise NotImplementedError("CosineScheduler.__call__")
