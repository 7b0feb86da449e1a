import torch


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self.T, self.W = max_update, warmup_steps
        self.base, self.final, self.begin = base_lr, final_lr, warmup_begin_lr

    def __call__(self, epoch):
        e = min(epoch, self.T)
        if e < self.W:
            return float(torch.tensor(self.begin, dtype=torch.float32).lerp(
                torch.tensor(self.base, dtype=torch.float32), e / self.W))
        frac = torch.tensor((e - self.W) / (self.T - self.W), dtype=torch.float32)
        return (self.final + (self.base - self.final) * 0.5 * (1 + torch.cos(torch.pi * frac))).item()
