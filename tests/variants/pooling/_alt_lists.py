import torch


def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    h, w = X.shape
    ph, pw = pool_size
    out = []
    for i in range(h - ph + 1):
        row = []
        for j in range(w - pw + 1):
            win = X[i:i + ph, j:j + pw].reshape(-1)
            if mode == "max":
                row.append(torch.max(win))
            else:
                row.append(torch.sum(win) / (ph * pw))
        out.append(torch.stack(row))
    return torch.stack(out)
