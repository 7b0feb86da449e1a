"""Hidden checks for the gru exercise. Probes run in the learner's process; checks here decide.

torch's nn.GRU applies the reset gate after the hidden-to-hidden product, r * (H W_hh), while the
book (and the original GRU) uses (r * H) W_hh. The two agree exactly when the candidate's W_hh is
diagonal, so the first check compares with nn.GRU (copied weights, float64) on such a W_hh; the
others compare with the book's equations in float64 and name nn.GRU's variant as a mistake.
"""

import torch
from torch import nn

from learndl_cli.grader.api import expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_gru(mod, inputs, H, params):
    before = [p.clone() for p in params] + [inputs.clone(), H.clone()]
    Y, state = mod.gru(inputs, (H,), params)
    return Y, state, before, list(params) + [inputs, H]


def probe_gru_grads(mod, inputs, H, params, G):
    params = [p.clone().requires_grad_(True) for p in params]
    H = H.clone().requires_grad_(True)
    Y, _ = mod.gru(inputs, (H,), params)
    if not isinstance(Y, torch.Tensor) or not Y.requires_grad:
        return None
    (Y * G).sum().backward()
    return [p.grad for p in params] + [H.grad]


# ---------------------------------------------------------------------------- references (parent)

NAMES = ["W_xz", "W_hz", "b_z", "W_xr", "W_hr", "b_r", "W_xh", "W_hh", "b_h", "W_hq", "b_q"]


def make_params(rng, V, h, dtype=torch.float32, diagonal_W_hh=False):
    ps = []
    for _ in range(3):
        ps += [rng.normal((V, h), 0.6, dtype), rng.normal((h, h), 0.6, dtype), rng.normal((h,), 0.5, dtype)]
    if diagonal_W_hh:
        ps[7] = torch.diag(rng.normal((h,), 0.8, dtype))
    return ps + [rng.normal((h, V), 0.6, dtype), rng.normal((V,), 0.3, dtype)]


def torch_gru(inputs, H, params):
    """nn.GRU with copied weights (gate order r, z, n), float64, plus the output layer."""
    p = [t.double() for t in params]
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = p
    net = nn.GRU(W_xz.shape[0], W_xz.shape[1]).double()
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.cat([W_xr.T, W_xz.T, W_xh.T]))
        net.weight_hh_l0.copy_(torch.cat([W_hr.T, W_hz.T, W_hh.T]))
        net.bias_ih_l0.copy_(torch.cat([b_r, b_z, b_h]))
        net.bias_hh_l0.zero_()
        out, hn = net(inputs.double(), H.double()[None])
    Y = out.reshape(-1, out.shape[-1]) @ W_hq + b_q
    return Y.to(inputs.dtype), hn[0].to(inputs.dtype)


def book_gru(inputs, H, params, mistake=None):
    """The book's equations in float64; `mistake` builds a known-wrong variant."""
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = (t.double() for t in params)
    if mistake == "swapped":
        W_xz, W_hz, b_z, W_xr, W_hr, b_r = W_xr, W_hr, b_r, W_xz, W_hz, b_z
    H0 = H = H.double()
    outs = []
    for X in inputs.double():
        Hp = H0 if mistake == "not_carried" else H
        Z = torch.sigmoid(X @ W_xz + Hp @ W_hz + b_z)
        R = torch.sigmoid(X @ W_xr + Hp @ W_hr + b_r)
        if mistake == "candidate_sigmoid":
            H_tilda = torch.sigmoid(X @ W_xh + (R * Hp) @ W_hh + b_h)
        elif mistake == "torch_reset":
            H_tilda = torch.tanh(X @ W_xh + R * (Hp @ W_hh) + b_h)
        elif mistake == "no_reset":
            H_tilda = torch.tanh(X @ W_xh + Hp @ W_hh + b_h)
        else:
            H_tilda = torch.tanh(X @ W_xh + (R * Hp) @ W_hh + b_h)
        if mistake == "update_reversed":
            H = (1 - Z) * Hp + Z * H_tilda
        else:
            H = Z * Hp + (1 - Z) * H_tilda
        outs.append((Hp if mistake == "output_before_update" else H) @ W_hq + b_q)
    return torch.cat(outs, 0).to(inputs.dtype), H.to(inputs.dtype)


MISTAKES = {
    "the reset and update gates are swapped: params are [W_xz, W_hz, b_z (update gate Z), W_xr, W_hr, b_r (reset gate R), ...]; "
    "R multiplies H inside the candidate, Z blends old and candidate state": "swapped",
    "the update gate is the wrong way round: H = Z * H + (1 - Z) * H_tilda (Z near 1 keeps the old state)": "update_reversed",
    "the hidden state is not carried from one step to the next: the H computed at step t is the H used at step t + 1": "not_carried",
    "applied the reset gate after W_hh, R * (H @ W_hh) (nn.GRU's variant): the book's candidate uses (R * H) @ W_hh": "torch_reset",
    "the reset gate is not used: the candidate state is tanh(X @ W_xh + (R * H) @ W_hh + b_h)": "no_reset",
    "the candidate state used sigmoid: H_tilda = tanh(X @ W_xh + (R * H) @ W_hh + b_h) (sigmoid is for the gates)": "candidate_sigmoid",
    "each step's output was computed from the previous H: update H first, then append H @ W_hq + b_q": "output_before_update",
}


def _state_tensor(state, what):
    if isinstance(state, (tuple, list)) and len(state) == 1:  # [H] unpacks like (H,) in the book's loop
        return state[0]
    if isinstance(state, torch.Tensor):
        fail(f"{what} returned the state as a bare tensor: return it as a tuple (H,)")
    fail(f"{what} returned the state as {type(state).__name__}: return a tuple with one tensor, (H,)")


def _case(learner, rng, T, B, V, h, dtype=torch.float32, diagonal=False, use_torch=False, atol=1e-5, rtol=1e-4):
    inputs, H = rng.normal((T, B, V), dtype=dtype), rng.normal((B, h), 0.5, dtype)
    params = make_params(rng, V, h, dtype, diagonal)
    Y, state, before, after = learner.run(probe_gru, inputs, H, params)
    rY, rH = torch_gru(inputs, H, params) if use_torch else book_gru(inputs, H, params)
    what = f"gru(inputs, (H,), params)[0] for num_steps={T}, batch={B}"
    desc = {"inputs": inputs, "H": H}
    if isinstance(Y, torch.Tensor) and tuple(Y.shape) == (T, B, V):
        fail(f"{what} has shape {(T, B, V)}, expected {(T * B, V)}: concatenate the steps' outputs along dim 0 (torch.cat(outputs, dim=0))")
    mistakes = {msg: book_gru(inputs, H, params, key)[0] for msg, key in MISTAKES.items()}
    if diagonal:
        mistakes.pop(next(m for m, k in MISTAKES.items() if k == "torch_reset"))  # identical on a diagonal W_hh
    expect_close(Y, rY, what=what + (" (compared with nn.GRU, copied weights, diagonal W_hh)" if use_torch else ""),
                 inputs=desc, atol=atol, rtol=rtol, mistakes=mistakes)
    Hn = _state_tensor(state, "gru(inputs, (H,), params)")
    expect_close(Hn, rH, what="the state returned by gru (the hidden state after the last step)", inputs=desc, atol=atol, rtol=rtol,
                 mistakes={"returned the initial state: return the hidden state after the last step, (H,)": H})
    for b, a in zip(before, after):
        expect_close(a, b, what="the inputs, state and params after calling gru (they must not be modified in place)", atol=0, rtol=0)


# ---------------------------------------------------------------------------- checks, in order


def test_matches_nn_gru(learner, rng):
    _case(learner, rng, 5, 3, 4, 6, diagonal=True, use_torch=True)


def test_one_step(learner, rng):
    _case(learner, rng, 1, 2, 5, 4)


def test_sequence(learner, rng):
    _case(learner, rng, 7, 3, 6, 5)


def test_float64(learner, rng):
    _case(learner, rng, 4, 2, 5, 3, dtype=torch.float64, atol=1e-10, rtol=1e-8)


def test_gradients(learner, rng):
    T, B, V, h = 4, 2, 5, 3
    inputs, H, params = rng.normal((T, B, V)), rng.normal((B, h), 0.5), make_params(rng, V, h)
    G = rng.normal((T * B, V))
    got = learner.run(probe_gru_grads, inputs, H, params, G)
    if got is None:
        fail("gru's outputs do not require grad when the params do (no .detach(), .data or torch.tensor(...))")
    ps = [p.double().requires_grad_(True) for p in params]
    H0 = H.double().requires_grad_(True)
    Y, _ = book_gru(inputs.double(), H0, ps)
    (Y * G.double()).sum().backward()
    for name, g, p in zip(NAMES + ["the initial H"], got, ps + [H0]):
        expect(g is not None, f"no gradient reached {name}: every parameter must be used (and not detached)")
        expect_close(g, p.grad.float(), what=f"the gradient of sum(Y * G) with respect to {name}", inputs={"inputs": inputs},
                     atol=1e-4, rtol=1e-3)
