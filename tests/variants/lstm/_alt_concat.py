import torch


def lstm(inputs, state, params):
    """Stack [X, H] and the four gates' weights so each step is one matrix product."""
    gates = [params[3 * g: 3 * g + 3] for g in range(4)]  # i, f, o, c
    W_hq, b_q = params[12], params[13]
    W = torch.cat([torch.cat([W_x, W_h], dim=0) for W_x, W_h, _ in gates], dim=1)
    b = torch.cat([b_ for _, _, b_ in gates])
    H, C = state
    Y = []
    for X in inputs.unbind(0):
        z = torch.cat([X, H], dim=1) @ W + b
        i, f, o, c = z.chunk(4, dim=1)
        C = torch.sigmoid(f) * C + torch.sigmoid(i) * torch.tanh(c)
        H = torch.sigmoid(o) * C.tanh()
        Y.append(torch.addmm(b_q, H, W_hq))
    return torch.cat(Y, 0), (H, C)
