import torch


def lstm(inputs, state, params):
    p = [t.to(torch.float64) for t in params]
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = p
    H, C = (s.to(torch.float64) for s in state)
    out = []
    for t in range(inputs.size(0)):
        X = inputs[t].to(torch.float64)
        i_t = torch.sigmoid(torch.mm(X, W_xi) + torch.mm(H, W_hi) + b_i)
        f_t = torch.sigmoid(torch.mm(X, W_xf) + torch.mm(H, W_hf) + b_f)
        o_t = torch.sigmoid(torch.mm(X, W_xo) + torch.mm(H, W_ho) + b_o)
        g_t = torch.tanh(torch.mm(X, W_xc) + torch.mm(H, W_hc) + b_c)
        C = f_t * C + i_t * g_t
        H = o_t * torch.tanh(C)
        out.append(torch.mm(H, W_hq) + b_q)
    dt = inputs.dtype
    return torch.cat(out, dim=0).to(dt), (H.to(dt), C.to(dt))
