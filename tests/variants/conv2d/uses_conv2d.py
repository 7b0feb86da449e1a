# expect: forbidden: you used F.conv2d
import torch
import torch.nn.functional as F


def corr2d(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]


def corr2d_multi_in(X, K):
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)


def corr2d_multi_in_out_1x1(X, K):
    return corr2d_multi_in_out(X, K)


def conv_output_shape(n, k, p, s):
    return (n - k + 2 * p) // s + 1
