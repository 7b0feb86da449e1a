import torch
import torch.nn.functional as F
from torch.cuda import device_count


def try_gpu(i=0):
    return torch.device(f"cuda:{i}") if device_count() > i else torch.device("cpu")


def try_all_gpus():
    n = device_count()
    return [try_gpu(i) for i in range(n)] if n > 0 else [torch.device("cpu")]


def add_bias_column(X):
    return F.pad(X, (0, 1), value=1.0)


def causal_mask(scores):
    T = scores.shape[-1]
    mask = torch.triu(torch.ones(T, T, device=scores.device), diagonal=1).bool()
    return scores.masked_fill(mask, -1e6)
