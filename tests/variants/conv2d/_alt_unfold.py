import math

import torch


def corr2d(X, K):
    kh, kw = K.shape
    windows = X.unfold(0, kh, 1).unfold(1, kw, 1)  # (oh, ow, kh, kw)
    return (windows * K).sum(dim=(-2, -1))


def corr2d_multi_in(X, K):
    kh, kw = K.shape[-2:]
    windows = X.unfold(1, kh, 1).unfold(2, kw, 1)  # (c_i, oh, ow, kh, kw)
    return torch.einsum('cxyhw,chw->xy', windows, K)


def corr2d_multi_in_out(X, K):
    kh, kw = K.shape[-2:]
    windows = X.unfold(1, kh, 1).unfold(2, kw, 1)
    return torch.einsum('cxyhw,ochw->oxy', windows, K)


def corr2d_multi_in_out_1x1(X, K):
    return torch.einsum('chw,oc->ohw', X, K[:, :, 0, 0])


def conv_output_shape(n, k, p, s):
    return math.floor((n - k + 2 * p) / s) + 1
