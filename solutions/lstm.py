"""Reference solution for the lstm exercise (d2l 9.2)."""

import torch


def lstm(inputs, state, params):
    """An LSTM over the time steps, carrying the hidden state H and the memory cell C."""
    (W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o,
     W_xc, W_hc, b_c, W_hq, b_q) = params
    H, C = state
    outputs = []
    for X in inputs:
        I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)  # input gate
        F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)  # forget gate
        O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)  # output gate
        C_tilda = torch.tanh(X @ W_xc + H @ W_hc + b_c)
        C = F * C + I * C_tilda  # the memory cell flows on to the next step
        H = O * torch.tanh(C)
        outputs.append(H @ W_hq + b_q)
    return torch.cat(outputs, dim=0), (H, C)
