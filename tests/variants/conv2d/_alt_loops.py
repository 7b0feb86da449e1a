import torch


def corr2d(X, K):
    kh, kw = K.shape
    rows = []
    for i in range(X.shape[0] - kh + 1):
        row = []
        for j in range(X.shape[1] - kw + 1):
            acc = X[i, j] * K[0, 0]
            for a in range(kh):
                for b in range(kw):
                    if a or b:
                        acc = acc + X[i + a, j + b] * K[a, b]
            row.append(acc)
        rows.append(torch.stack(row))
    return torch.stack(rows)


def corr2d_multi_in(X, K):
    out = corr2d(X[0], K[0])
    for c in range(1, X.shape[0]):
        out = out + corr2d(X[c], K[c])
    return out


def corr2d_multi_in_out(X, K):
    outs = []
    for k in K:
        outs.append(corr2d_multi_in(X, k))
    return torch.stack(outs)


def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    return (K.view(K.shape[0], c_i) @ X.view(c_i, -1)).view(-1, h, w)


def conv_output_shape(n, k, p, s):
    out = 1
    pos = 0
    while pos + k + s <= n + 2 * p:
        pos += s
        out += 1
    return out
