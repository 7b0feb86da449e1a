import torch


def lstm(inputs, state, params):
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = params
    H, C = state
    ys = []
    for t in range(inputs.shape[0]):
        X = inputs[t]
        i = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
        f = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
        o = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
        C = f * C + i * torch.tanh(X @ W_xc + H @ W_hc + b_c)
        H = o * torch.tanh(C)
        ys.append(H @ W_hq + b_q)
    return torch.cat(ys, 0), [H, C]
