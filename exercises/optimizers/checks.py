"""Hidden checks for the optimizers exercise. Probes run in the learner's process; checks here decide.

Each check trains the same small linear-regression model for a few steps with the learner's step
function (in the child) and with torch.optim (here, float64), and compares the whole trajectory.
Conventions (see the README): d2l puts AdaGrad's and RMSProp's eps *inside* the square root, torch
puts it outside. torch.optim.Adagrad with initial_accumulator_value=eps and eps=0 is exactly d2l's
AdaGrad; for RMSProp, torch.optim.RMSprop with eps=0 is compared when the statement's eps is 0, and
the statement's own formula (float64, written out below) when eps > 0.
"""

import torch

from learndl_cli.grader.api import expect, expect_close, fail

STEP = {"momentum": "sgd_momentum", "adagrad": "adagrad", "rmsprop": "rmsprop", "adam": "adam"}
NUM_STEPS = 6


# ---------------------------------------------------------------------------- probes (child side)


def _loss(params, X, y):
    w, b = params
    return ((X @ w + b - y) ** 2).mean() / 2


def probe_train(mod, name, params, X, y, hyperparams, steps):
    init = getattr(mod, f"init_{name}_states")
    step = getattr(mod, STEP[name])
    ps = [p.clone().requires_grad_(True) for p in params]
    states = init(ps)
    hyper = dict(hyperparams)
    trajectory, grads = [], []
    for _ in range(steps):
        _loss(ps, X, y).backward()
        step(ps, states, hyper)
        trajectory.append(torch.cat([p.detach().reshape(-1) for p in ps]).clone())
        grads.append(torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1) for p in ps]).clone())
    flat = []
    stack = [states]
    while stack:  # the state tensors, wherever the learner keeps them (a list of tensors or of tuples)
        item = stack.pop(0)
        if isinstance(item, torch.Tensor):
            flat.append(item.detach().clone())
        elif isinstance(item, (list, tuple)):
            stack[:0] = list(item)
    return torch.stack(trajectory), torch.stack(grads), hyper.get("t"), flat


# ---------------------------------------------------------------------------- references (parent)


def data(rng, dtype=torch.float64):
    X = rng.normal((24, 3), dtype=dtype)
    y = X @ torch.tensor([[2.0], [-3.4], [1.5]], dtype=dtype) + 4.2 + 0.1 * rng.normal((24, 1), dtype=dtype)
    params = [rng.normal((3, 1), scale=0.1, dtype=dtype), torch.zeros(1, dtype=dtype)]
    return params, X, y


def torch_trajectory(make_opt, params, X, y, steps=NUM_STEPS):
    ps = [p.clone().double().requires_grad_(True) for p in params]
    opt = make_opt(ps)
    rows = []
    for _ in range(steps):
        opt.zero_grad()
        _loss(ps, X.double(), y.double()).backward()
        opt.step()
        rows.append(torch.cat([p.detach().reshape(-1) for p in ps]).clone())
    return torch.stack(rows)


def own_trajectory(name, hyper, params, X, y, steps=NUM_STEPS, *, no_zero=False, rebind=False, ema=False,
                   eps_outside=False, eps_inside=False, no_accumulate=False, no_one_minus=False,
                   no_bias_correction=False, t_stuck=False, book_constants=False, store_hat=False,
                   t_per_param=False, zero_first=False, no_square=False, t_early=False):
    """The statement's formulas in float64, with one classic mistake switched on by a flag."""
    ps = [p.clone().double().requires_grad_(True) for p in params]
    st = [[torch.zeros_like(p), torch.zeros_like(p)] for p in ps]
    h = dict(hyper)
    if book_constants:
        h.update(beta1=0.9, beta2=0.999, eps=1e-6)
    rows = []
    for _ in range(steps):
        _loss(ps, X.double(), y.double()).backward()
        with torch.no_grad():
            for p, (a, b) in zip(ps, st):
                g = p.grad.clone()
                if zero_first:
                    p.grad.zero_()
                    g = p.grad
                if rebind:
                    a.zero_()
                    b.zero_()
                if name == "momentum":
                    a.copy_(h["momentum"] * a + ((1 - h["momentum"]) * g if ema else g))
                    p -= h["lr"] * a
                elif name in ("adagrad", "rmsprop"):
                    if name == "adagrad":
                        b.copy_(g * g if no_accumulate else b + (g.abs() if no_square else g * g))
                    else:
                        b.copy_(h["gamma"] * b + (1 if no_one_minus else 1 - h["gamma"]) * g * g)
                    denom = torch.sqrt(b) + h["eps"] if eps_outside else torch.sqrt(b + h["eps"])
                    p -= h["lr"] * g / denom
                else:
                    t = 1 if t_stuck else h["t"] + (1 if t_early else 0)
                    a.copy_(h["beta1"] * a + (1 - h["beta1"]) * g)
                    b.copy_(h["beta2"] * b + (1 - h["beta2"]) * g * g)
                    v_hat = a if no_bias_correction else a / (1 - h["beta1"] ** t)
                    s_hat = b if no_bias_correction else b / (1 - h["beta2"] ** t)
                    if store_hat:
                        a.copy_(v_hat)
                        b.copy_(s_hat)
                    denom = torch.sqrt(s_hat + h["eps"]) if eps_inside else torch.sqrt(s_hat) + h["eps"]
                    p -= h["lr"] * v_hat / denom
                    if t_per_param:
                        h["t"] += 1
                if not no_zero:
                    p.grad.zero_()
        if name == "adam" and not t_per_param:
            h["t"] += 1
        rows.append(torch.cat([p.detach().reshape(-1) for p in ps]).clone())
    return torch.stack(rows)


REBIND = ("the state does not carry over between steps: update it in place (v[:] = ..., v.mul_(...).add_(...)) "
          "instead of rebinding the name")
COMMON = {
    "the gradient was zeroed before the update, so the parameters never move: zero it after the step": dict(zero_first=True),
}

MISTAKES = {
    "momentum": {
        "this is the exponentially-weighted form v = β v + (1 - β) g; the book's momentum adds the whole gradient: v = β v + g": dict(ema=True),
    },
    "adagrad": {
        "eps is outside the square root (torch's convention); this exercise, like the book, uses sqrt(s + eps)": dict(eps_outside=True),
        "s must accumulate all squared gradients: s = s + g² (not s = g²)": dict(no_accumulate=True),
        "s accumulates |g| instead of the squared gradient g * g": dict(no_square=True),
    },
    "rmsprop": {
        "eps is outside the square root (torch's convention); this exercise, like the book, uses sqrt(s + eps)": dict(eps_outside=True),
        "the leaky average needs the (1 - γ) factor: s = γ s + (1 - γ) g²": dict(no_one_minus=True),
    },
    "adam": {
        "Adam's bias correction is missing: divide v by (1 - β1^t) and s by (1 - β2^t) before the update": dict(no_bias_correction=True),
        "the bias correction always uses t = 1: increment hyperparams['t'] after each step": dict(t_stuck=True),
        "eps belongs outside the square root in Adam: sqrt(ŝ) + eps": dict(eps_inside=True),
        "the hyperparameters were hard-coded: read beta1, beta2 and eps from hyperparams": dict(book_constants=True),
        "the bias-corrected v̂ and ŝ were written back into the state: keep v and s uncorrected, and correct only for the update": dict(store_hat=True),
        "hyperparams['t'] goes up once per parameter: add 1 once per call of adam, after the loop over the parameters": dict(t_per_param=True),
        "hyperparams['t'] was increased before the update, so the first step used t = 2: add 1 after the loop over the parameters": dict(t_early=True),
    },
}


def run_and_compare(learner, rng, name, hyper, expected, what):
    params, X, y = data(rng)
    traj, grads, t, states = learner.run(probe_train, name, params, X, y, hyper, NUM_STEPS)
    inputs = {"hyperparams": hyper}
    expect_close(grads, torch.zeros_like(grads),
                 what=f"{what}: p.grad after each step (it must be zeroed: p.grad.zero_())", inputs=inputs, atol=0, rtol=0)
    exp = expected(params, X, y)
    if traj.device.type != "meta" and states and all(not bool(s.any()) for s in states if isinstance(s, torch.Tensor)) \
            and torch.allclose(traj.double(), own_trajectory(name, hyper, params, X, y, rebind=True), atol=1e-9, rtol=1e-7) \
            and not torch.allclose(traj.double(), exp, atol=1e-9, rtol=1e-7):
        fail(f"{what}: {REBIND} (after {NUM_STEPS} steps every state tensor is still zero)")
    wrong = {msg: own_trajectory(name, hyper, params, X, y, **flags)
             for msg, flags in {**MISTAKES[name], **COMMON}.items()}
    expect_close(traj, exp, what=f"{what}: the parameters after each of {NUM_STEPS} steps (rows: steps; columns: w then b)",
                 inputs=inputs, atol=1e-9, rtol=1e-7, mistakes=wrong)
    return t


# ---------------------------------------------------------------------------- checks, in order


def test_momentum(learner, rng):
    for hyper in ({"lr": 0.05, "momentum": 0.5}, {"lr": 0.02, "momentum": 0.9}):
        run_and_compare(learner, rng, "momentum", hyper,
                        lambda p, X, y: torch_trajectory(lambda ps: torch.optim.SGD(ps, lr=hyper["lr"], momentum=hyper["momentum"]), p, X, y),
                        "sgd_momentum")


def test_adagrad(learner, rng):
    for hyper in ({"lr": 0.1, "eps": 1e-6}, {"lr": 0.4, "eps": 0.5}):
        run_and_compare(learner, rng, "adagrad", hyper,
                        lambda p, X, y: torch_trajectory(lambda ps: torch.optim.Adagrad(
                            ps, lr=hyper["lr"], initial_accumulator_value=hyper["eps"], eps=0.0), p, X, y),
                        "adagrad (compared with torch.optim.Adagrad(lr, initial_accumulator_value=eps, eps=0))")


def test_rmsprop(learner, rng):
    hyper = {"lr": 0.01, "gamma": 0.9, "eps": 0.0}
    run_and_compare(learner, rng, "rmsprop", hyper,
                    lambda p, X, y: torch_trajectory(lambda ps: torch.optim.RMSprop(ps, lr=hyper["lr"], alpha=hyper["gamma"], eps=0.0), p, X, y),
                    "rmsprop with eps=0 (compared with torch.optim.RMSprop(lr, alpha=gamma, eps=0))")


def test_rmsprop_eps_inside(learner, rng):
    hyper = {"lr": 0.05, "gamma": 0.8, "eps": 0.3}
    run_and_compare(learner, rng, "rmsprop", hyper,
                    lambda p, X, y: own_trajectory("rmsprop", hyper, p, X, y),
                    "rmsprop with eps=0.3 (the statement's formula, p -= lr g / sqrt(s + eps))")


def test_adam(learner, rng):
    hyper = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "t": 1}
    t = run_and_compare(learner, rng, "adam", hyper,
                        lambda p, X, y: torch_trajectory(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-6), p, X, y),
                        "adam (compared with torch.optim.Adam)")
    expect(t == 1 + NUM_STEPS, f"after {NUM_STEPS} calls of adam, hyperparams['t'] is {t!r}; it starts at 1 and adam must add 1 per call")


def test_adam_hyperparams(learner, rng):
    hyper = {"lr": 0.05, "beta1": 0.5, "beta2": 0.8, "eps": 1e-2, "t": 1}
    run_and_compare(learner, rng, "adam", hyper,
                    lambda p, X, y: torch_trajectory(lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.5, 0.8), eps=1e-2), p, X, y),
                    "adam with beta1=0.5, beta2=0.8, eps=0.01 (compared with torch.optim.Adam)")
