import math

import torch


def layer_norm(X, gamma, beta, eps):
    k = gamma.dim()
    n = gamma.numel()
    lead = X.shape[: X.dim() - k]
    rows = X.reshape(-1, n)
    out = []
    for r in rows:
        m = r.sum() / n
        v = ((r - m) * (r - m)).sum() / n
        out.append((r - m) / torch.sqrt(v + eps))
    Xhat = torch.stack(out).reshape(X.shape) if out else X.clone()
    return Xhat * gamma + beta
