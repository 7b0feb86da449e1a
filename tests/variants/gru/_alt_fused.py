import torch


def _sigmoid(x):
    return 1 / (1 + torch.exp(-x))


def gru(inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    h = W_hz.shape[0]
    # one matmul for both gates' input parts, for all steps at once
    W_x_gates = torch.cat([W_xz, W_xr], dim=1)
    W_h_gates = torch.cat([W_hz, W_hr], dim=1)
    b_gates = torch.cat([b_z, b_r])
    XG = torch.einsum('tbv,vg->tbg', inputs, W_x_gates) + b_gates
    XH = torch.einsum('tbv,vh->tbh', inputs, W_xh) + b_h
    H = state[0]
    hs = []
    for t in range(inputs.shape[0]):
        gates = _sigmoid(XG[t] + H @ W_h_gates)
        Z, R = gates[:, :h], gates[:, h:]
        H_tilde = torch.tanh(XH[t] + (R * H) @ W_hh)
        H = H_tilde + Z * (H - H_tilde)
        hs.append(H)
    Y = torch.stack(hs) @ W_hq + b_q
    return Y.reshape(-1, W_hq.shape[1]), (H,)
