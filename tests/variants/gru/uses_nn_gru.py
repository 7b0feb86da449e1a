# expect: forbidden: you used nn.GRU
import torch
from torch import nn


def gru(inputs, state, params):
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    net = nn.GRU(W_xz.shape[0], W_xz.shape[1]).to(inputs.device)
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.cat([W_xr.T, W_xz.T, W_xh.T]))
        net.weight_hh_l0.copy_(torch.cat([W_hr.T, W_hz.T, W_hh.T]))
        net.bias_ih_l0.copy_(torch.cat([b_r, b_z, b_h]))
        net.bias_hh_l0.zero_()
    out, hn = net(inputs, state[0][None])
    return out.reshape(-1, out.shape[-1]) @ W_hq + b_q, (hn[0],)
