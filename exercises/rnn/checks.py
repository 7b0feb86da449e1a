"""Hidden checks for the rnn exercise. Probes run in the learner's process; checks here decide."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from learndl_cli.grader.api import expect, expect_close, fail, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_rnn(mod, inputs, H, params):
    before = [p.clone() for p in params] + [inputs.clone(), H.clone()]
    Y, state = mod.rnn(inputs, (H,), params)
    return Y, state, before, list(params) + [inputs, H]


def probe_rnn_grads(mod, inputs, H, params, G):
    params = [p.clone().requires_grad_(True) for p in params]
    H = H.clone().requires_grad_(True)
    Y, state = mod.rnn(inputs, (H,), params)
    if not isinstance(Y, torch.Tensor) or not Y.requires_grad:
        return None
    (Y * G).sum().backward()
    return [p.grad for p in params] + [H.grad]


class _ScratchModel:
    """A from-scratch model as in the book: a list of tensors in .params."""

    def __init__(self, tensors):
        self.params = [t.clone().requires_grad_(True) for t in tensors]


class _Module(nn.Module):
    """An nn.Module with a frozen parameter (no gradient) besides the trainable ones."""

    def __init__(self, tensors):
        super().__init__()
        self.trainable = nn.ParameterList([nn.Parameter(t.clone()) for t in tensors])
        self.frozen = nn.Parameter(torch.ones_like(tensors[0]), requires_grad=False)


def probe_clip(mod, values, grads, theta, as_module):
    net = _Module(values) if as_module else _ScratchModel(values)
    params = list(net.trainable) if as_module else net.params
    for p, g in zip(params, grads):
        p.grad = g.clone()
    storage = [p.grad for p in params]
    result = mod.grad_clipping(net, theta)
    same_tensors = all(p.grad is s for p, s in zip(params, storage))
    return [p.grad if p.grad is not None else None for p in params], same_tensors, result is None


def probe_perplexity(mod, y_hat, y):
    out = mod.perplexity(y_hat, y)
    if isinstance(out, (int, float)) and not isinstance(out, bool):  # the book's math.exp(...) is a float
        out = torch.tensor(float(out), dtype=y_hat.dtype, device=y_hat.device)
    return out


# ---------------------------------------------------------------------------- references (parent)


def make_params(rng, V, h, dtype=torch.float32):
    return [rng.normal((V, h), 0.5, dtype), rng.normal((h, h), 0.5, dtype), rng.normal((h,), 0.3, dtype),
            rng.normal((h, V), 0.5, dtype), rng.normal((V,), 0.3, dtype)]


def torch_rnn(params):
    """nn.RNN (tanh) holding the learner-format weights, in float64."""
    W_xh, W_hh, b_h = (p.double() for p in params[:3])
    net = nn.RNN(W_xh.shape[0], W_xh.shape[1], nonlinearity="tanh").double()
    with torch.no_grad():
        net.weight_ih_l0.copy_(W_xh.T)
        net.weight_hh_l0.copy_(W_hh.T)
        net.bias_ih_l0.copy_(b_h)
        net.bias_hh_l0.zero_()
    return net


def reference(inputs, H, params):
    net = torch_rnn(params)
    with torch.no_grad():
        out, hn = net(inputs.double(), H.double()[None])
    W_hq, b_q = params[3].double(), params[4].double()
    Y = out.reshape(-1, out.shape[-1]) @ W_hq + b_q
    return Y.to(inputs.dtype), hn[0].to(inputs.dtype)


def manual(inputs, H, params, act=torch.tanh, carry=True):
    """Known-wrong variants of the loop, in float64."""
    W_xh, W_hh, b_h, W_hq, b_q = (p.double() for p in params)
    H0 = H.double()
    H = H0
    outs = []
    for X in inputs.double():
        H = act(X @ W_xh + (H if carry else H0) @ W_hh + b_h)
        outs.append(H @ W_hq + b_q)
    return torch.cat(outs, 0).to(inputs.dtype), H.to(inputs.dtype)


def _state_tensor(state, what):
    if isinstance(state, (tuple, list)) and len(state) == 1:  # [H] unpacks like (H,) in the book's loop
        return state[0]
    if isinstance(state, torch.Tensor):
        fail(f"{what} returned the state as a bare tensor: return it as a tuple (H,), as the book's init_rnn_state does")
    fail(f"{what} returned the state as {type(state).__name__}: return a tuple with one tensor, (H,)")


def _rnn_case(learner, rng, T, B, V, h, dtype=torch.float32, atol=1e-5, rtol=1e-4):
    inputs = rng.normal((T, B, V), dtype=dtype)
    H = rng.normal((B, h), 0.5, dtype)
    params = make_params(rng, V, h, dtype)
    Y, state, before, after = learner.run(probe_rnn, inputs, H, params)
    rY, rH = reference(inputs, H, params)
    what = f"rnn(inputs, (H,), params)[0] for num_steps={T}, batch={B}"
    inputs_desc = {"inputs": inputs, "H": H}
    if isinstance(Y, torch.Tensor) and tuple(Y.shape) == (T, B, V):
        fail(f"{what} has shape {(T, B, V)}, expected {(T * B, V)}: concatenate the steps' outputs along dim 0 "
             "(torch.cat(outputs, dim=0)), as the book's training loop expects")
    expect_close(Y, rY, what=what, inputs=inputs_desc, atol=atol, rtol=rtol, mistakes={
        "the hidden state is not carried from one step to the next: H computed at step t is the H used at step t + 1":
            manual(inputs, H, params, carry=False)[0],
        "used ReLU for the hidden state; the book's RNN uses tanh": manual(inputs, H, params, act=torch.relu)[0],
        "forgot the nonlinearity: H = tanh(X W_xh + H W_hh + b_h)": manual(inputs, H, params, act=lambda z: z)[0],
    })
    Hn = _state_tensor(state, "rnn(inputs, (H,), params)")
    expect_close(Hn, rH, what="the state returned by rnn (the hidden state after the last step)", inputs=inputs_desc,
                 atol=atol, rtol=rtol, mistakes={
                     "returned the initial state: return the hidden state after the last step, (H,)": H,
                 })
    for b, a in zip(before, after):
        expect_close(a, b, what="the inputs, state and params after calling rnn (they must not be modified in place)", atol=0, rtol=0)


# ---------------------------------------------------------------------------- checks, in order


def test_rnn_one_step(learner, rng):
    _rnn_case(learner, rng, 1, 3, 5, 4)


def test_rnn_sequence(learner, rng):
    _rnn_case(learner, rng, 6, 2, 7, 5)


def test_rnn_float64(learner, rng):
    _rnn_case(learner, rng, 4, 3, 5, 6, dtype=torch.float64, atol=1e-10, rtol=1e-8)


def test_rnn_gradients(learner, rng):
    T, B, V, h = 5, 2, 4, 3
    inputs, H, params = rng.normal((T, B, V)), rng.normal((B, h), 0.5), make_params(rng, V, h)
    G = rng.normal((T * B, V))
    got = learner.run(probe_rnn_grads, inputs, H, params, G)
    if got is None:
        fail("rnn's outputs do not require grad when the params do (no .detach(), .data or torch.tensor(...))")
    net = torch_rnn(params)
    H0 = H.double().requires_grad_(True)
    W_hq, b_q = params[3].double().requires_grad_(True), params[4].double().requires_grad_(True)
    out, _ = net(inputs.double(), H0[None])
    ((out.reshape(-1, h) @ W_hq + b_q) * G.double()).sum().backward()
    want = [net.weight_ih_l0.grad.T, net.weight_hh_l0.grad.T, net.bias_ih_l0.grad, W_hq.grad, b_q.grad, H0.grad]
    for name, g, w in zip(["W_xh", "W_hh", "b_h", "W_hq", "b_q", "the initial H"], got, want):
        expect(g is not None, f"no gradient reached {name}: every parameter must be used (and not detached)")
        expect_close(g, w.float(), what=f"the gradient of sum(Y * G) with respect to {name}", inputs={"inputs": inputs},
                     atol=1e-4, rtol=1e-3)


def _clip_ref(grads, theta):
    norm = math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads))
    scale = theta / norm if norm > theta else 1.0
    return [(g.double() * scale).to(g.dtype) for g in grads], norm


def _clip_case(learner, rng, grads, theta, as_module, label):
    values = [rng.normal(g.shape) for g in grads]
    got, same, returned_none = learner.run(probe_clip, values, grads, theta, as_module)
    want, norm = _clip_ref(grads, theta)
    per_param = [(g.double() * min(1.0, theta / max(float(g.double().norm()), 1e-30))).float() for g in grads]
    forced = [(g.double() * theta / norm).float() for g in grads]
    for i, (g, w) in enumerate(zip(got, want)):
        if g is None:
            fail(f"grad_clipping ({label}) removed the gradient of parameter {i}: scale p.grad in place")
    if not same:
        fail(f"grad_clipping ({label}) replaced the .grad tensors: scale them in place (p.grad[:] *= theta / norm or p.grad.mul_(...))")
    what = f"the gradients after grad_clipping(net, theta={theta}) ({label}, global norm {norm:.3g})"
    for i, (g, w) in enumerate(zip(got, want)):
        expect_close(g, w, what=f"{what}, parameter {i}", mistakes={
            "clipped each parameter's gradient on its own: use the global norm sqrt(sum over all parameters of sum(p.grad ** 2))":
                per_param[i],
            "scaled the gradients although their norm is already below theta: only rescale when norm > theta": forced[i],
            "left the gradients unchanged although their global norm is above theta: multiply each by theta / norm (in place)":
                grads[i],
        })


@skip_on_meta
def test_grad_clipping_scratch_model(learner, rng):
    grads = [rng.normal((4, 3), 2.0), rng.normal((3, 3), 2.0), rng.normal((3,), 2.0)]
    _clip_case(learner, rng, grads, 1.0, False, "a model with net.params, norm above theta")


@skip_on_meta
def test_grad_clipping_below_theta(learner, rng):
    grads = [rng.normal((4, 3), 0.05), rng.normal((3,), 0.05)]
    _clip_case(learner, rng, grads, 1.0, False, "a model with net.params, norm below theta")


@skip_on_meta
def test_grad_clipping_module(learner, rng):
    grads = [rng.normal((2, 5), 3.0), rng.normal((5,), 3.0)]
    _clip_case(learner, rng, grads, 2.0, True, "an nn.Module with a frozen parameter")


def test_perplexity(learner, rng):
    n, V = 12, 6
    y_hat, y = rng.normal((n, V), 2.0), rng.integers(0, V, (n,))
    got = learner.run(probe_perplexity, y_hat, y)
    ce = F.cross_entropy(y_hat.double(), y, reduction="none")
    want = torch.exp(ce.mean()).float()
    expect_close(got, want, what="perplexity(y_hat, y)", inputs={"y_hat": y_hat}, mistakes={
        "returned the cross-entropy itself: perplexity is exp(mean cross-entropy)": ce.mean().float(),
        "exponentiated the summed cross-entropy: average over the tokens first, exp(mean)": torch.exp(ce.sum()).float(),
        "averaged exp(loss) over the tokens: perplexity is exp of the mean loss, not the mean of exp(loss)":
            torch.exp(ce).mean().float(),
        "used base 2: d2l's perplexity is exp (natural log), not 2 ** loss": (2.0 ** ce.mean()).float(),
        "applied softmax before the cross-entropy: F.cross_entropy takes logits and applies log-softmax itself":
            torch.exp(F.cross_entropy(torch.softmax(y_hat.double(), -1), y)).float(),
    })


@skip_on_meta
def test_perplexity_landmarks(learner, rng):
    V = 8
    uniform = learner.run(probe_perplexity, torch.zeros(5, V), rng.integers(0, V, (5,)))
    expect_close(uniform, torch.tensor(float(V)), what="perplexity of uniform guessing (all logits equal)",
                 inputs={"vocab_size": V})
    y = rng.integers(0, V, (6,))
    confident = torch.full((6, V), -30.0)
    confident[torch.arange(6), y] = 30.0
    perfect = learner.run(probe_perplexity, confident, y)
    expect_close(perfect, torch.tensor(1.0), what="perplexity of a perfect, confident model", inputs={"vocab_size": V})
