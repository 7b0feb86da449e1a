"""Hidden checks for the lstm exercise. Probes run in the learner's process; checks here decide.

The reference is torch's own nn.LSTM (gate order i, f, g, o) with the learner-format weights
copied in, in float64; known-wrong variants are built from the equations.
"""

import torch
from torch import nn

from learndl_cli.grader.api import expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_lstm(mod, inputs, H, C, params):
    before = [p.clone() for p in params] + [inputs.clone(), H.clone(), C.clone()]
    Y, state = mod.lstm(inputs, (H, C), params)
    return Y, state, before, list(params) + [inputs, H, C]


def probe_lstm_grads(mod, inputs, H, C, params, G, GH, GC):
    params = [p.clone().requires_grad_(True) for p in params]
    H = H.clone().requires_grad_(True)
    C = C.clone().requires_grad_(True)
    Y, (Hn, Cn) = mod.lstm(inputs, (H, C), params)
    if not isinstance(Y, torch.Tensor) or not Y.requires_grad:
        return None
    ((Y * G).sum() + (Hn * GH).sum() + (Cn * GC).sum()).backward()
    return [p.grad for p in params] + [H.grad, C.grad]


# ---------------------------------------------------------------------------- references (parent)

NAMES = ["W_xi", "W_hi", "b_i", "W_xf", "W_hf", "b_f", "W_xo", "W_ho", "b_o", "W_xc", "W_hc", "b_c", "W_hq", "b_q"]


def make_params(rng, V, h, dtype=torch.float32):
    ps = []
    for _ in range(4):
        ps += [rng.normal((V, h), 0.6, dtype), rng.normal((h, h), 0.6, dtype), rng.normal((h,), 0.5, dtype)]
    return ps + [rng.normal((h, V), 0.6, dtype), rng.normal((V,), 0.3, dtype)]


def torch_lstm(params):
    p = [t.double() for t in params]
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c = p[:12]
    net = nn.LSTM(W_xi.shape[0], W_xi.shape[1]).double()
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.cat([W_xi.T, W_xf.T, W_xc.T, W_xo.T]))
        net.weight_hh_l0.copy_(torch.cat([W_hi.T, W_hf.T, W_hc.T, W_ho.T]))
        net.bias_ih_l0.copy_(torch.cat([b_i, b_f, b_c, b_o]))
        net.bias_hh_l0.zero_()
    return net


def reference(inputs, H, C, params):
    net = torch_lstm(params)
    with torch.no_grad():
        out, (hn, cn) = net(inputs.double(), (H.double()[None], C.double()[None]))
    Y = out.reshape(-1, out.shape[-1]) @ params[12].double() + params[13].double()
    return Y.to(inputs.dtype), hn[0].to(inputs.dtype), cn[0].to(inputs.dtype)


def book_lstm(inputs, H, C, params, mistake=None):
    """The equations in float64; `mistake` builds a known-wrong variant."""
    W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q = (t.double() for t in params)
    if mistake == "i_f_swapped":
        W_xi, W_hi, b_i, W_xf, W_hf, b_f = W_xf, W_hf, b_f, W_xi, W_hi, b_i
    if mistake == "f_o_swapped":
        W_xf, W_hf, b_f, W_xo, W_ho, b_o = W_xo, W_ho, b_o, W_xf, W_hf, b_f
    if mistake == "i_o_swapped":
        W_xi, W_hi, b_i, W_xo, W_ho, b_o = W_xo, W_ho, b_o, W_xi, W_hi, b_i
    if mistake == "torch_order":  # unpacked as nn.LSTM orders its gates: input, forget, cell (g), output
        W_xo, W_ho, b_o, W_xc, W_hc, b_c = W_xc, W_hc, b_c, W_xo, W_ho, b_o
    H, C0 = H.double(), C.double()
    C = C0
    outs = []
    for X in inputs.double():
        I = torch.sigmoid(X @ W_xi + H @ W_hi + b_i)
        F = torch.sigmoid(X @ W_xf + H @ W_hf + b_f)
        O = torch.sigmoid(X @ W_xo + H @ W_ho + b_o)
        C_tilda = (torch.sigmoid if mistake == "candidate_sigmoid" else torch.tanh)(X @ W_xc + H @ W_hc + b_c)
        C_prev = C
        C = F * (C0 if mistake == "cell_not_carried" else C) + I * C_tilda
        H = O * (C if mistake == "no_tanh" else torch.tanh(C_prev if mistake == "h_from_old_c" else C))
        outs.append(H @ W_hq + b_q)
    return torch.cat(outs, 0).to(inputs.dtype), H.to(inputs.dtype), C.to(inputs.dtype)


MISTAKES = {
    "the memory cell state is not carried: the C computed at step t is the C used at step t + 1 (return it too)": "cell_not_carried",
    "left out the tanh on the memory cell: H = O * tanh(C)": "no_tanh",
    "the input and forget gates are swapped: params are [W_xi, W_hi, b_i (input), W_xf, W_hf, b_f (forget), "
    "W_xo, W_ho, b_o (output), W_xc, W_hc, b_c (candidate), W_hq, b_q]": "i_f_swapped",
    "the forget and output gates are swapped: params are [W_xi, W_hi, b_i (input), W_xf, W_hf, b_f (forget), "
    "W_xo, W_ho, b_o (output), W_xc, W_hc, b_c (candidate), W_hq, b_q]": "f_o_swapped",
    "the input and output gates are swapped: params are [W_xi, W_hi, b_i (input), W_xf, W_hf, b_f (forget), "
    "W_xo, W_ho, b_o (output), W_xc, W_hc, b_c (candidate), W_hq, b_q]": "i_o_swapped",
    "params were unpacked in nn.LSTM's gate order (input, forget, cell, output): the book's order is input, forget, "
    "output, candidate: [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q]": "torch_order",
    "the candidate memory used sigmoid: C_tilda = tanh(X @ W_xc + H @ W_hc + b_c) (sigmoid is for the gates)": "candidate_sigmoid",
    "H was computed from the previous step's C: update C first, then H = O * tanh(C)": "h_from_old_c",
}


def _state_pair(state, what):
    if isinstance(state, (tuple, list)) and len(state) == 2:  # a list unpacks the same way in the book's loop
        return tuple(state)
    if isinstance(state, (tuple, list)) and len(state) == 1:
        fail(f"{what} returned the state (H,): an LSTM's state is the pair (H, C); return the memory cell C too")
    if isinstance(state, torch.Tensor):
        fail(f"{what} returned the state as a bare tensor: return the tuple (H, C)")
    fail(f"{what} returned the state as {type(state).__name__}: return the tuple (H, C)")


def _case(learner, rng, T, B, V, h, dtype=torch.float32, atol=1e-5, rtol=1e-4):
    inputs = rng.normal((T, B, V), dtype=dtype)
    H, C = rng.normal((B, h), 0.5, dtype), rng.normal((B, h), 1.0, dtype)
    params = make_params(rng, V, h, dtype)
    Y, state, before, after = learner.run(probe_lstm, inputs, H, C, params)
    rY, rH, rC = reference(inputs, H, C, params)
    what = f"lstm(inputs, (H, C), params)[0] for num_steps={T}, batch={B}"
    desc = {"inputs": inputs, "H": H}
    if isinstance(Y, torch.Tensor) and tuple(Y.shape) == (T, B, V):
        fail(f"{what} has shape {(T, B, V)}, expected {(T * B, V)}: concatenate the steps' outputs along dim 0 (torch.cat(outputs, dim=0))")
    wrong = {msg: book_lstm(inputs, H, C, params, key) for msg, key in MISTAKES.items()}
    expect_close(Y, rY, what=what, inputs=desc, atol=atol, rtol=rtol, mistakes={m: w[0] for m, w in wrong.items()})
    Hn, Cn = _state_pair(state, "lstm(inputs, (H, C), params)")
    if isinstance(Hn, torch.Tensor) and isinstance(Cn, torch.Tensor) and Hn.shape == Cn.shape and Hn.device.type != "meta":
        if torch.allclose(Hn.double(), rC.double(), atol=atol, rtol=rtol) and torch.allclose(Cn.double(), rH.double(), atol=atol, rtol=rtol):
            fail("lstm returned the state as (C, H): the book's order is (H, C)")
    expect_close(Hn, rH, what="the H returned by lstm (after the last step)", inputs=desc, atol=atol, rtol=rtol,
                 mistakes={"returned the initial H: return the hidden state after the last step": H})
    expect_close(Cn, rC, what="the C returned by lstm (the memory cell after the last step)", inputs=desc, atol=atol, rtol=rtol,
                 mistakes={
                     "returned the initial C: the memory cell state is not carried; return the C after the last step": C,
                     "returned tanh(C): return the memory cell C itself (tanh(C) only goes into H)": torch.tanh(rC.double()).to(dtype),
                 })
    for b, a in zip(before, after):
        expect_close(a, b, what="the inputs, state and params after calling lstm (they must not be modified in place)", atol=0, rtol=0)


# ---------------------------------------------------------------------------- checks, in order


def test_one_step(learner, rng):
    _case(learner, rng, 1, 2, 5, 4)


def test_sequence(learner, rng):
    _case(learner, rng, 7, 3, 6, 5)


def test_float64(learner, rng):
    _case(learner, rng, 4, 2, 5, 3, dtype=torch.float64, atol=1e-10, rtol=1e-8)


def test_gradients(learner, rng):
    T, B, V, h = 4, 2, 5, 3
    inputs, params = rng.normal((T, B, V)), make_params(rng, V, h)
    H, C = rng.normal((B, h), 0.5), rng.normal((B, h))
    G, GH, GC = rng.normal((T * B, V)), rng.normal((B, h)), rng.normal((B, h))
    got = learner.run(probe_lstm_grads, inputs, H, C, params, G, GH, GC)
    if got is None:
        fail("lstm's outputs do not require grad when the params do (no .detach(), .data or torch.tensor(...))")
    net = torch_lstm(params)
    W_hq, b_q = params[12].double().requires_grad_(True), params[13].double().requires_grad_(True)
    H0, C0 = H.double().requires_grad_(True), C.double().requires_grad_(True)
    out, (hn, cn) = net(inputs.double(), (H0[None], C0[None]))
    Y = out.reshape(-1, h) @ W_hq + b_q
    ((Y * G.double()).sum() + (hn[0] * GH.double()).sum() + (cn[0] * GC.double()).sum()).backward()
    wi, wh, bi = net.weight_ih_l0.grad, net.weight_hh_l0.grad, net.bias_ih_l0.grad
    want = []
    for k in (0, 1, 3, 2):  # torch's gate order is i, f, g (candidate), o; the book's is i, f, o, c
        want += [wi[k * h:(k + 1) * h].T, wh[k * h:(k + 1) * h].T, bi[k * h:(k + 1) * h]]
    want += [W_hq.grad, b_q.grad, H0.grad, C0.grad]
    for name, g, w in zip(NAMES + ["the initial H", "the initial C"], got, want):
        expect(g is not None, f"no gradient reached {name}: every parameter and both parts of the state must be used (not detached)")
        expect_close(g, w.float(), what=f"the gradient of sum(Y * G) + sum(H * G_H) + sum(C * G_C) with respect to {name}",
                     inputs={"inputs": inputs}, atol=1e-4, rtol=1e-3)
