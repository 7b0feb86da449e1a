import torch
import torch.nn.functional as F


def gru(inputs, state, params):
    dtype = inputs.dtype
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = [p.double() for p in params]
    H = state[0].double()
    Ys = []
    for step in range(len(inputs)):
        X = inputs[step].double()
        Z = torch.sigmoid(torch.matmul(X, W_xz) + torch.matmul(H, W_hz) + b_z)
        R = torch.sigmoid(torch.matmul(X, W_xr) + torch.matmul(H, W_hr) + b_r)
        cand = torch.tanh(torch.matmul(X, W_xh) + torch.matmul(R * H, W_hh) + b_h)
        H = Z * H + (1.0 - Z) * cand
        Ys.append(torch.matmul(H, W_hq) + b_q)
    return torch.cat(Ys).to(dtype), (H.to(dtype),)
