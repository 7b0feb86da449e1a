# expect: the hidden state is not carried
# not: each step's output was computed from the previous H
"""Reference solution for the gru exercise (d2l 9.1)."""

import torch


def gru(inputs, state, params):
    """A GRU over the time steps: update gate Z, reset gate R, candidate H_tilda."""
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    (H0,) = state
    H = H0
    outputs = []
    for X in inputs:
        Z = torch.sigmoid(X @ W_xz + H @ W_hz + b_z)  # update gate: how much old state to keep
        R = torch.sigmoid(X @ W_xr + H @ W_hr + b_r)  # reset gate: how much old state to use
        H_tilda = torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)
        H = Z * H + (1 - Z) * H_tilda
        outputs.append(H @ W_hq + b_q)
        H = H0
    return torch.cat(outputs, dim=0), (Z * H0 + (1 - Z) * H_tilda,)
