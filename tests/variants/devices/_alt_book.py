import torch


def try_gpu(i=0):  #@save
    """如果存在，则返回gpu(i)，否则返回cpu()"""
    if torch.cuda.device_count() >= i + 1:
        return torch.device(f'cuda:{i}')
    return torch.device('cpu')


def try_all_gpus():  #@save
    """返回所有可用的GPU，如果没有GPU，则返回[cpu(),]"""
    devices = [torch.device(f'cuda:{i}')
               for i in range(torch.cuda.device_count())]
    return devices if devices else [torch.device('cpu')]


def add_bias_column(X):
    out = X.new_ones(X.shape[0], X.shape[1] + 1)
    out[:, :-1] = X
    return out


def causal_mask(scores):
    out = scores.clone()
    T = out.shape[-1]
    for i in range(T):
        out[..., i, i + 1:] = -1e6
    return out
