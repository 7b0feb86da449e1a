# expect: forbidden: you used F.max_pool2d
import torch
import torch.nn.functional as F


def pool2d(X, pool_size, mode="max"):
    if mode == "max":
        return F.max_pool2d(X[None, None], pool_size, stride=1)[0, 0]
    return F.avg_pool2d(X[None, None], pool_size, stride=1)[0, 0]
