"""Hidden checks for the linear-regression exercise. Probes run in the learner's process; checks here decide.

synthetic_data is random: it is checked statistically, with bounds of at least 6 standard errors.
"""

import math

import torch

from learndl_cli.grader.api import expect, expect_close, expect_shape, fail, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_synthetic(mod, w, b, n, seed):
    torch.manual_seed(seed)
    out = mod.synthetic_data(w, b, n)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return "bad", type(out).__name__
    return tuple(out)


def probe_linreg(mod, X, w, b):
    return mod.linreg(X, w, b)


def probe_linreg_grad(mod, X, w, b, G):
    w = w.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    out = mod.linreg(X, w, b)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    (out * G).sum().backward()
    return w.grad, b.grad


def probe_loss(mod, y_hat, y):
    return mod.squared_loss(y_hat, y)


def probe_sgd(mod, params, grads, lr, batch_size):
    ps = [p.clone().requires_grad_(True) for p in params]
    for p, g in zip(ps, grads):
        p.grad = g.clone()
    mod.sgd(ps, lr, batch_size)
    return [p.detach().clone() for p in ps], [None if p.grad is None else p.grad.clone() for p in ps], [p.requires_grad for p in ps]


def probe_train(mod, true_w, true_b, seed, num_epochs, lr, batch_size):
    """The d2l 3.2 training loop, with the learner's four functions."""
    torch.manual_seed(seed)
    features, labels = mod.synthetic_data(true_w, true_b, 1000)
    w = torch.normal(0.0, 0.01, size=(2, 1), device=true_w.device, requires_grad=True)
    b = torch.zeros(1, device=true_w.device, requires_grad=True)
    n = features.shape[0]
    losses = []
    for _ in range(num_epochs):
        order = torch.randperm(n, device=true_w.device)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            l = mod.squared_loss(mod.linreg(features[idx], w, b), labels[idx])
            l.sum().backward()
            mod.sgd([w, b], lr, batch_size)
        with torch.no_grad():
            losses.append(mod.squared_loss(mod.linreg(features, w, b), labels).mean())
    return w.detach().reshape(-1), b.detach(), torch.stack(losses)


# ---------------------------------------------------------------------------- checks, in order


def unpack(got, what):
    if isinstance(got, tuple) and len(got) == 2 and got[0] == "bad":
        fail(f"{what} returned a {got[1]}: return the pair (X, y)")
    return got


def test_synthetic_data_shapes(learner, rng):
    w = torch.tensor([2.0, -3.4, 0.5])
    X, y = unpack(learner.run(probe_synthetic, w, 4.2, 50, rng.torch_seed()), "synthetic_data(w, b, 50)")
    expect_shape(X, (50, 3), what="X from synthetic_data(w, b, 50) with len(w) = 3")
    if isinstance(y, torch.Tensor) and tuple(y.shape) == (50,):
        fail("y from synthetic_data(w, b, 50) has shape (50,): return labels as a column, y.reshape((-1, 1)) -> (50, 1)")
    expect_shape(y, (50, 1), what="y from synthetic_data(w, b, 50)")
    expect(X.dtype == torch.float32 and y.dtype == torch.float32,
           f"synthetic_data returned X as {X.dtype} and y as {y.dtype}: both must be float32, like w")


@skip_on_meta
def test_synthetic_data_statistics(learner, rng):
    w = torch.tensor([2.0, -3.4])
    b = 4.2
    n = 20000
    X, y = unpack(learner.run(probe_synthetic, w, b, n, rng.torch_seed()), f"synthetic_data(w, b, {n})")
    expect_shape(X, (n, 2), what=f"X from synthetic_data(w, b, {n})")
    expect_shape(y, (n, 1), what=f"y from synthetic_data(w, b, {n})")
    X64, y64 = X.double(), y.double().reshape(-1)
    m = X64.numel()
    mean, var = X64.mean().item(), X64.var().item()
    expect(abs(mean) <= 6 / math.sqrt(m), f"the features X have mean {mean:.4f}, expected 0: draw them from N(0, 1) (torch.normal(0, 1, ...))")
    expect(abs(var - 1) <= 6 * math.sqrt(2 / m), f"the features X have variance {var:.4f}, expected 1: draw them from N(0, 1) "
           "(torch.rand is uniform on [0, 1), not standard normal)")
    residual = y64 - (X64 @ w.double() + b)
    r_mean, r_std = residual.mean().item(), residual.std().item()
    if r_std < 1e-4:
        fail("y is exactly Xw + b: add Gaussian noise with std 0.01 (torch.normal(0, 0.01, y.shape))")
    if abs(r_mean) > 0.5 and abs(r_mean + b) < 0.05:
        fail(f"y - Xw has mean {r_mean + b:.3f}, expected b = {b}: add the bias b")
    if abs(r_std / 0.01 - 1) > 6 / math.sqrt(2 * n):
        fail(f"the noise y - (Xw + b) has standard deviation {r_std:.4g}, expected 0.01: "
             "add torch.normal(0, 0.01, y.shape), i.e. std 0.01, not variance 0.01 or std 1")
    expect(abs(r_mean) <= 6 * 0.01 / math.sqrt(n), f"the noise y - (Xw + b) has mean {r_mean:.4g}, expected 0")


def test_linreg(learner, rng):
    X, w, b = rng.normal((6, 3)), rng.normal((3, 1)), rng.normal((1,))
    got = learner.run(probe_linreg, X, w, b)
    ref = (X.double() @ w.double() + b.double()).float()
    expect_close(got, ref, what="linreg(X, w, b)", inputs={"X": X, "w": w, "b": b}, mistakes={
        "forgot the bias b: the model is Xw + b": (X.double() @ w.double()).float(),
    })


def test_linreg_gradient(learner, rng):
    X, w, b, G = rng.normal((5, 2)), rng.normal((2, 1)), rng.normal((1,)), rng.normal((5, 1))
    got = learner.run(probe_linreg_grad, X, w, b, G)
    if got is None:
        fail("linreg(X, w, b) is not differentiable: the result does not require grad when w and b do")
    expect_close(got[0], (X.double().T @ G.double()).float(), what="the gradient of sum(linreg(X, w, b) * G) with respect to w", atol=1e-4)
    expect_close(got[1], G.double().sum(0).float(), what="the gradient of sum(linreg(X, w, b) * G) with respect to b", atol=1e-4)


def test_squared_loss(learner, rng):
    y_hat, y = rng.normal((8, 1)), rng.normal((8, 1))
    got = learner.run(probe_loss, y_hat, y)
    d = y_hat.double() - y.double()
    if isinstance(got, torch.Tensor) and got.dim() == 0:
        fail("squared_loss(y_hat, y) returned a single number: return one loss per example, shaped like y_hat "
             "(the training loop calls .sum())")
    expect_close(got, (d ** 2 / 2).float(), what="squared_loss(y_hat, y)", inputs={"y_hat": y_hat, "y": y}, mistakes={
        "forgot the 1/2: squared_loss = (y_hat - y)^2 / 2": (d ** 2).float(),
        "returned the error y_hat - y without squaring it": d.float(),
        "returned |y_hat - y|: square the error, (y_hat - y)^2 / 2": (d.abs() / 2).float(),
    })


def test_squared_loss_row_labels(learner, rng):
    y_hat, y = rng.normal((6, 1)), rng.normal((6,))
    got = learner.run(probe_loss, y_hat, y)
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (6, 6):
        fail("squared_loss(y_hat, y) for y_hat (6, 1) and y (6,) has shape (6, 6): reshape y to y_hat's shape first "
             "(y.reshape(y_hat.shape)), or broadcasting subtracts every label from every prediction")
    d = y_hat.double() - y.double().reshape(6, 1)
    expect_close(got, (d ** 2 / 2).float(), what="squared_loss(y_hat, y) for y_hat (6, 1) and y (6,)", inputs={"y_hat": y_hat, "y": y})


def test_sgd_step(learner, rng):
    params, grads = [rng.normal((2, 1)), rng.normal((1,))], [rng.normal((2, 1), scale=5.0), rng.normal((1,), scale=5.0)]
    lr, bs = 0.03, 10
    new, new_grads, still = learner.run(probe_sgd, params, grads, lr, bs)
    for i, (p, g) in enumerate(zip(params, grads)):
        p64, g64 = p.double(), g.double()
        ref = p64 - lr * g64 / bs  # what torch.optim.SGD(lr=lr) does with the batch-averaged gradient
        expect_close(new[i], ref.float(), what=f"sgd(params, lr={lr}, batch_size={bs}): params[{i}] after the step",
                     inputs={f"params[{i}]": p}, mistakes={
                         "sgd forgot to divide by batch_size (param.grad is the gradient of the *summed* loss)": p64 - lr * g64,
                         "sgd moved the parameter up the gradient: subtract lr * grad / batch_size": p64 + lr * g64 / bs,
                         "sgd did not update the parameter in place: write `param -= ...` inside torch.no_grad(), not `param = param - ...`": p64,
                     })
        expect(still[i], f"sgd: params[{i}] no longer requires grad: update it in place under torch.no_grad(), do not replace it")
        ng = new_grads[i]
        if ng is not None and ng.device.type != "meta" and bool((ng != 0).any()):
            fail("sgd forgot to zero the gradients after the step: call param.grad.zero_() "
                 "(otherwise the next backward() adds to the old gradient)")


@skip_on_meta
def test_training_recovers_w_and_b(learner, rng):
    true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
    w, b, losses = learner.run(probe_train, true_w, true_b, rng.torch_seed(), 3, 0.03, 10)
    err_w = (w.double() - true_w.double()).abs().max().item()
    err_b = abs(b.double().reshape(-1)[0].item() - true_b)
    history = ", ".join(f"{v:.4g}" for v in losses.tolist())
    expect(err_w < 0.05 and err_b < 0.05,
           f"after 3 epochs of minibatch SGD (lr 0.03, batch 10) with your functions, w = {[round(v, 4) for v in w.tolist()]} "
           f"and b = {b.reshape(-1)[0].item():.4f}, expected close to [2.0, -3.4] and 4.2 (training loss per epoch: {history})")
    expect(losses[-1].item() < 1e-3, f"the training loss after 3 epochs is {losses[-1].item():.4g}, expected about 5e-5 (the noise level)")
