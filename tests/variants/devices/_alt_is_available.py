import torch


def try_gpu(i=0):
    """Return gpu(i) if it exists, otherwise cpu()."""
    if torch.cuda.is_available() and i < torch.cuda.device_count():
        return torch.device('cuda', i)
    return torch.device('cpu')


def try_all_gpus():
    if not torch.cuda.is_available():
        return [torch.device('cpu')]
    return [torch.device('cuda', i) for i in range(torch.cuda.device_count())] or [torch.device('cpu')]


def add_bias_column(X):
    return torch.cat((X, torch.ones_like(X[:, :1])), dim=1)


def causal_mask(scores):
    T = scores.size(-1)
    i = torch.arange(T, device=scores.device)
    future = i[None, :] > i[:, None]
    return torch.where(future, torch.full_like(scores, -1e6), scores)
