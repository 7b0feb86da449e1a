"""Hidden checks for the weight-decay exercise. Probes run in the learner's process; checks here decide."""

import torch

from learndl_cli.grader.api import expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_penalty(mod, w):
    return mod.l2_penalty(w)


def probe_penalty_grad(mod, w):
    w = w.clone().requires_grad_(True)
    out = mod.l2_penalty(w)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    out.backward()
    return w.grad


def probe_step(mod, params, grads, lr, batch_size, wd):
    ps = [p.clone().requires_grad_(True) for p in params]
    for p, g in zip(ps, grads):
        p.grad = g.clone()
    result = mod.sgd_weight_decay(ps, lr, batch_size, wd)
    return ([p.detach().clone() for p in ps], [None if p.grad is None else p.grad.clone() for p in ps],
            [p.requires_grad for p in ps], result is None)


def probe_train(mod, X, y, w, b, lr, wd, steps):
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    batch_size = X.shape[0]
    for _ in range(steps):
        loss = ((X @ w + b - y) ** 2 / 2).sum()
        loss.backward()
        mod.sgd_weight_decay([w, b], lr, batch_size, wd)
    return w.detach(), b.detach()


# ---------------------------------------------------------------------------- references (parent)


def ref_step(p, g, lr, bs, wd):
    # What torch.optim.SGD(lr=lr, weight_decay=wd) does with the batch-averaged gradient: g + wd * p, then
    # p -= lr * that. Written out because importing torch.optim costs the grading parent seconds.
    p, g = p.double(), g.double() / bs
    return p - lr * (g + wd * p)


def step_mistakes(p, g, lr, bs, wd):
    p, g = p.double(), g.double()
    found = {
        "did not update the parameter in place: write `param -= ...` (or param.sub_(...)) inside torch.no_grad(), not `param = param - ...`": p,
        "forgot to divide the gradient by batch_size (param.grad is the gradient of the *summed* loss)": p - lr * (g + wd * p),
        "the decay term is not multiplied by lr: param -= lr * (param.grad / batch_size + wd * param)": p - lr * g / bs - wd * p,
        "the decay term has the wrong sign: it must pull the weights towards 0 (param -= lr * wd * param)": p - lr * (g / bs - wd * p),
        "divided the decay term by batch_size too: only the gradient is averaged; the decay is lr * wd * param": p - lr * (g + wd * p) / bs,
        "used 2 * wd: the gradient of wd * ||w||^2 / 2 is wd * w (that is what the 1/2 is for)": p - lr * (g / bs + 2 * wd * p),
    }
    if wd:
        found["left out the decay: add wd * param to the averaged gradient"] = p - lr * g / bs
    return found


def ref_train(X, y, w, b, lr, wd, steps, zero_grads=True):
    w = w.double().clone().requires_grad_(True)
    b = b.double().clone().requires_grad_(True)
    X, y = X.double(), y.double()
    acc_w, acc_b = torch.zeros_like(w), torch.zeros_like(b)
    for _ in range(steps):
        loss = ((X @ w + b - y) ** 2 / 2).sum()
        gw, gb = torch.autograd.grad(loss, [w, b])
        if zero_grads:
            acc_w, acc_b = gw, gb
        else:
            acc_w, acc_b = acc_w + gw, acc_b + gb
        with torch.no_grad():
            for p, g in ((w, acc_w), (b, acc_b)):
                p.copy_(ref_step(p, g, lr, X.shape[0], wd))
    return w.detach(), b.detach()


# ---------------------------------------------------------------------------- checks, in order


def test_l2_penalty_values(learner, rng):
    w = rng.normal((5, 1))
    got = learner.run(probe_penalty, w)
    w64 = w.double()
    ref = ((w64 ** 2).sum() / 2).float()
    if isinstance(got, torch.Tensor) and got.dim() > 0 and got.numel() > 1:
        fail(f"l2_penalty(w) returned shape {tuple(got.shape)}: sum over all entries, giving a 0-d tensor")
    expect_close(got, ref, what="l2_penalty(w)", inputs={"w": w}, mistakes={
        "forgot the 1/2: l2_penalty(w) = sum(w^2) / 2 (so its gradient is w)": (w64 ** 2).sum(),
        "returned the norm ||w||: the penalty is half the *squared* norm, sum(w^2) / 2": w64.norm(),
        "returned half the norm: the penalty is half the *squared* norm, sum(w^2) / 2": w64.norm() / 2,
        "used |w| (that is the L1 penalty): square the weights, sum(w^2) / 2": w64.abs().sum() / 2,
        "took the mean: the penalty sums the squares, sum(w^2) / 2": (w64 ** 2).mean() / 2,
    })


def test_l2_penalty_any_shape_float64(learner, rng):
    w = rng.normal((3, 4, 2), dtype=torch.float64)
    got = learner.run(probe_penalty, w)
    expect_close(got, (w ** 2).sum() / 2, what="l2_penalty(w) for a (3, 4, 2) float64 w", inputs={"w": w},
                 atol=1e-12, rtol=1e-10)


def test_l2_penalty_gradient(learner, rng):
    w = rng.normal((4, 3))
    got = learner.run(probe_penalty_grad, w)
    if got is None:
        fail("l2_penalty(w) is not differentiable: the result does not require grad when w does")
    # (a missing 1/2 is named by test_l2_penalty_values, which runs first)
    expect_close(got, w, what="the gradient of l2_penalty(w) (it must be w itself)", inputs={"w": w})


def judge_step(got, params, grads, lr, bs, wd):
    new, new_grads, still, returned_none = got
    call = f"sgd_weight_decay(params, lr={lr:g}, batch_size={bs}, wd={wd:g})"
    for i, (p, g) in enumerate(zip(params, grads)):
        expect_close(new[i], ref_step(p, g, lr, bs, wd).to(p.dtype), what=f"{call}: params[{i}] after the step",
                     inputs={f"params[{i}]": p}, mistakes=step_mistakes(p, g, lr, bs, wd))
        expect(still[i], f"{call}: params[{i}] no longer requires grad: update it in place under torch.no_grad(), "
               "do not replace it or detach it")
        ng = new_grads[i]
        if ng is not None and ng.device.type != "meta" and bool((ng != 0).any()):
            fail(f"{call}: forgot to zero the gradients after the step: call param.grad.zero_() "
                 "(otherwise the next backward() adds to the old gradient)")


def test_one_step(learner, rng):
    params = [rng.normal((4, 3)), rng.normal((3,))]
    grads = [rng.normal((4, 3), scale=3.0), rng.normal((3,), scale=3.0)]
    got = learner.run(probe_step, params, grads, 0.1, 8, 0.3)
    judge_step(got, params, grads, 0.1, 8, 0.3)


def test_no_decay_is_plain_sgd(learner, rng):
    params = [rng.normal((2, 5))]
    grads = [rng.normal((2, 5))]
    got = learner.run(probe_step, params, grads, 0.5, 4, 0.0)
    judge_step(got, params, grads, 0.5, 4, 0.0)


def test_float64_params(learner, rng):
    params = [rng.normal((3, 3), dtype=torch.float64)]
    grads = [rng.normal((3, 3), dtype=torch.float64)]
    got = learner.run(probe_step, params, grads, 0.03, 16, 3.0)
    new = got[0][0]
    expect_close(new, ref_step(params[0], grads[0], 0.03, 16, 3.0), what="sgd_weight_decay on float64 params",
                 inputs={"param": params[0]}, atol=1e-12, rtol=1e-10, mistakes=step_mistakes(params[0], grads[0], 0.03, 16, 3.0))


def test_training_steps(learner, rng):
    X, y = rng.normal((16, 5)), rng.normal((16, 1))
    w, b = rng.normal((5, 1)), torch.zeros(1)
    w_got, b_got = learner.run(probe_train, X, y, w, b, 0.05, 0.5, 6)
    w_ref, b_ref = ref_train(X, y, w, b, 0.05, 0.5, 6)
    # (gradients that pile up are caught by the one-step checks: "forgot to zero the gradients")
    expect_close(w_got, w_ref.float(), what="w after 6 steps of linear regression with sgd_weight_decay (lr=0.05, wd=0.5)",
                 inputs={"X": X}, atol=1e-4)
    expect_close(b_got, b_ref.float(), what="b after 6 steps of linear regression with sgd_weight_decay", inputs={"X": X}, atol=1e-4)
