import torch


def softmax(X, dim=-1):
    """Move `dim` to the end, loop over rows, write each row into a list."""
    Xt = X.transpose(dim, -1)
    flat = Xt.reshape(-1, Xt.shape[-1])
    rows = []
    for i in range(flat.shape[0]):
        row = flat[i]
        c = row.max()
        e = (row - c).exp()
        rows.append(e / e.sum())
    if rows:
        out = torch.stack(rows)
    else:
        out = flat.clone()
    return out.reshape(Xt.shape).transpose(dim, -1)
