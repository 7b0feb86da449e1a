import torch


def corr2d(X, K):
    h, w = K.shape
    out = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype, device=X.device)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = torch.sum(X[i:i + h, j:j + w] * K)
    return out


def corr2d_multi_in(X, K):
    return torch.stack([corr2d(X[c], K[c]) for c in range(X.shape[0])]).sum(dim=0)


def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, K[o]) for o in range(K.shape[0])])


def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    return torch.matmul(K.flatten(1), X.flatten(1)).unflatten(1, (h, w))


def conv_output_shape(n, k, p, s):
    return int((n - k + 2 * p) // s) + 1
