"""Reference solution for the lr-scheduler exercise (d2l 11.11)."""

import math


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self.max_update = max_update
        self.base_lr = base_lr
        self.final_lr = final_lr
        self.warmup_steps = warmup_steps
        self.warmup_begin_lr = warmup_begin_lr

    def __call__(self, epoch):
        if epoch < self.warmup_steps:                       # linear warm-up
            done = epoch / self.warmup_steps
            return self.warmup_begin_lr + (self.base_lr - self.warmup_begin_lr) * done
        if epoch <= self.max_update:                        # half a cosine wave, base_lr -> final_lr
            done = (epoch - self.warmup_steps) / (self.max_update - self.warmup_steps)
            return self.final_lr + (self.base_lr - self.final_lr) * (1 + math.cos(math.pi * done)) / 2
        return self.final_lr                                # after max_update: stay at the floor
