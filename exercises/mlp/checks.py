"""Hidden checks for the mlp exercise. Probes run in the learner's process; checks here decide."""

import math

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import CheckFailed, expect, expect_close, fail, skip_on_meta

NAMES = ("W1", "b1", "W2", "b2")


# ---------------------------------------------------------------------------- probes (child side)


def probe_relu(mod, X):
    before = X.clone()
    out = mod.relu(X)
    return out, before, X


def probe_relu_grad(mod, X, G):
    X = X.clone().requires_grad_(True)
    out = mod.relu(X)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    (out * G).sum().backward()
    return X.grad


def _net(mod, sizes, device, sigma=None):
    num_inputs, num_outputs, num_hiddens = sizes
    if sigma is None:
        net = mod.MLPScratch(num_inputs, num_outputs, num_hiddens, 0.1)
    else:
        net = mod.MLPScratch(num_inputs, num_outputs, num_hiddens, 0.1, sigma)
    return net.to(device)


def probe_params(mod, sizes, seed, sigma, anchor):
    torch.manual_seed(seed)
    net = _net(mod, sizes, anchor.device, sigma)
    found = {}
    for name in NAMES:
        p = getattr(net, name, None)
        if not isinstance(p, torch.Tensor):
            found[name] = ("missing", type(p).__name__)
        else:
            found[name] = ("ok", p.detach().clone(), isinstance(p, torch.nn.Parameter), p.requires_grad)
    return found


def _set(net, weights):
    with torch.no_grad():
        for name, value in weights.items():
            param = getattr(net, name)
            if tuple(param.shape) != tuple(value.shape):
                raise CheckFailed(f"MLPScratch.{name} has shape {tuple(param.shape)}, expected {tuple(value.shape)} "
                                  "(W1: (num_inputs, num_hiddens), b1: (num_hiddens,), W2: (num_hiddens, num_outputs), b2: (num_outputs,))")
            param.copy_(value)


def probe_forward(mod, sizes, weights, X, catch=False):
    net = _net(mod, sizes, X.device)
    _set(net, weights)
    if not catch:
        return "ok", net(X)
    try:
        return "ok", net(X)
    except RuntimeError as exc:  # a shape error is explained by the check
        return "error", str(exc).splitlines()[0][:200]


def probe_forward_grad(mod, sizes, weights, X, G):
    net = _net(mod, sizes, X.device)
    _set(net, weights)
    out = net(X)
    (out * G).sum().backward()
    return {name: getattr(net, name).grad for name in NAMES}


def probe_train(mod, X, y, seed, steps, lr):
    torch.manual_seed(seed)
    net = _net(mod, (2, 2, 32), X.device, 0.5)
    params = [getattr(net, name) for name in NAMES]
    for _ in range(steps):
        loss = F.cross_entropy(net(X), y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
    with torch.no_grad():
        pred = net(X).argmax(dim=1)
    return (pred == y).double().mean(), loss.detach()


# ---------------------------------------------------------------------------- references (parent)


def nonzero_normal(rng, shape, dtype=torch.float32):
    X = rng.normal(shape, dtype=dtype)
    return torch.where(X.abs() < 1e-3, torch.full_like(X, 0.5), X)  # no exact zeros (ReLU's kink)


def ref_forward(weights, X, hidden=True, out_relu=False):
    w = {k: v.double() for k, v in weights.items()}
    X = X.double().reshape(X.shape[0], -1)
    H = X @ w["W1"] + w["b1"]
    if hidden:
        H = H.clamp_min(0)
    O = H @ w["W2"] + w["b2"]
    return O.clamp_min(0) if out_relu else O


def random_weights(rng, sizes):
    num_inputs, num_outputs, num_hiddens = sizes
    return {"W1": rng.normal((num_inputs, num_hiddens)), "b1": rng.normal((num_hiddens,), scale=0.5),
            "W2": rng.normal((num_hiddens, num_outputs)), "b2": rng.normal((num_outputs,), scale=0.5)}


def forward_mistakes(weights, X):
    return {
        "the hidden layer has no ReLU: without it the two layers collapse into one linear map": ref_forward(weights, X, hidden=False),
        "applied ReLU to the output layer too: the output (logits) must stay linear, H @ W2 + b2": ref_forward(weights, X, out_relu=True),
    }


# ---------------------------------------------------------------------------- checks, in order


def test_relu_values(learner, rng):
    X = nonzero_normal(rng, (4, 6))
    out, before, after = learner.run(probe_relu, X)
    X64 = X.double()
    expect_close(out, F.relu(X64).float(), what="relu(X)", inputs={"X": X}, atol=0, rtol=0, mistakes={
        "returned the mask (X > 0), not the values max(X, 0)": (X64 > 0).double(),
        "kept the negative entries and zeroed the positive ones: relu(x) = max(x, 0)": X64.clamp_max(0),
        "returned |X|: relu sets negative entries to 0, it does not flip their sign": X64.abs(),
    })
    expect_close(after, before, what="X after relu(X) (it must not be modified in place)", inputs={"X": X}, atol=0, rtol=0)


def test_relu_any_shape_float64(learner, rng):
    X = nonzero_normal(rng, (2, 3, 5), dtype=torch.float64)
    out, _, _ = learner.run(probe_relu, X)
    expect_close(out, F.relu(X), what="relu(X) for a (2, 3, 5) float64 X", inputs={"X": X}, atol=0, rtol=0)


def test_relu_gradient(learner, rng):
    X, G = nonzero_normal(rng, (3, 5)), rng.normal((3, 5))
    got = learner.run(probe_relu_grad, X, G)
    if got is None:
        fail("relu(X) is not differentiable: the result does not require grad when X does")
    Xr = X.double().requires_grad_(True)
    (F.relu(Xr) * G.double()).sum().backward()
    expect_close(got, Xr.grad.float(), what="the gradient of sum(relu(X) * G) with respect to X", inputs={"X": X})


def test_parameters(learner, rng):
    sizes = (6, 3, 5)
    found = learner.run(probe_params, sizes, rng.torch_seed(), None, torch.zeros(1))
    shapes = {"W1": (6, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}
    for name in NAMES:
        entry = found[name]
        if entry[0] == "missing":
            fail(f"MLPScratch(num_inputs=6, num_outputs=3, num_hiddens=5, lr=0.1) has no tensor attribute `{name}` "
                 f"(got {entry[1]}): create self.W1, self.b1, self.W2 and self.b2 as nn.Parameter")
        _, value, is_param, requires_grad = entry
        expect(tuple(value.shape) == shapes[name],
               f"MLPScratch(num_inputs=6, num_outputs=3, num_hiddens=5, lr=0.1).{name} has shape {tuple(value.shape)}, "
               f"expected {shapes[name]}")
        expect(is_param and requires_grad, f"MLPScratch.{name} is not an nn.Parameter that requires grad: wrap it, "
               f"self.{name} = nn.Parameter(...), so training can update it")
        expect(value.dtype == torch.float32, f"MLPScratch.{name} has dtype {value.dtype}, expected float32")


@skip_on_meta
def test_initialisation(learner, rng):
    sigma = 0.05
    found = learner.run(probe_params, (200, 50, 300), rng.torch_seed(), sigma, torch.zeros(1))
    for name in ("b1", "b2"):
        value = found[name][1]
        expect(bool((value == 0).all()), f"MLPScratch.{name} is not all zeros: initialise the biases with torch.zeros")
    for name in ("W1", "W2"):
        W = found[name][1].double()
        n = W.numel()
        std = W.pow(2).mean().sqrt().item()
        mean = W.mean().item()
        if abs(std / sigma - 1) > 6 / math.sqrt(2 * n):
            if abs(std / 0.01 - 1) < 0.05:
                fail(f"MLPScratch(..., sigma=0.05).{name} has standard deviation {std:.4g}: it ignores `sigma` "
                     "(use torch.randn(...) * sigma, not a fixed 0.01)")
            if abs(std - 1) < 0.05:
                fail(f"MLPScratch(..., sigma=0.05).{name} has standard deviation {std:.4g}: multiply torch.randn(...) by sigma")
            fail(f"MLPScratch(..., sigma=0.05).{name} has standard deviation {std:.4g}, expected sigma = 0.05 "
                 "(torch.randn(...) * sigma; torch.rand is uniform, not normal)")
        expect(abs(mean) <= 6 * sigma / math.sqrt(n), f"MLPScratch.{name} has mean {mean:.4g}, expected 0 (N(0, sigma^2))")


def test_forward(learner, rng):
    sizes = (4, 3, 5)
    weights = random_weights(rng, sizes)
    X = rng.normal((7, 4))
    status, out = learner.run(probe_forward, sizes, weights, X)
    expect_close(out, ref_forward(weights, X).float(), what="MLPScratch.forward(X) with the check's W1, b1, W2, b2",
                 inputs={"X": X}, atol=1e-4, mistakes=forward_mistakes(weights, X))


def test_forward_flattens_images(learner, rng):
    sizes = (6, 2, 4)
    weights = random_weights(rng, sizes)
    X = rng.normal((5, 1, 2, 3))
    status, out = learner.run(probe_forward, sizes, weights, X, True)
    if status == "error":
        fail(f"net(X) for image-shaped X of shape (5, 1, 2, 3) raised RuntimeError ({out}): forward must flatten each "
             "example first, X.reshape((-1, self.num_inputs))")
    if isinstance(out, torch.Tensor) and tuple(out.shape) != (5, 2):
        fail(f"net(X) for X of shape (5, 1, 2, 3) has shape {tuple(out.shape)}, expected (5, 2): flatten each example "
             "with X.reshape((-1, self.num_inputs)) before the first layer")
    expect_close(out, ref_forward(weights, X).float(), what="MLPScratch.forward(X) for X of shape (5, 1, 2, 3)",
                 inputs={"X": X}, atol=1e-4, mistakes=forward_mistakes(weights, X))


def test_gradients(learner, rng):
    sizes = (4, 3, 6)
    weights = random_weights(rng, sizes)
    X, G = rng.normal((5, 4)), rng.normal((5, 3))
    got = learner.run(probe_forward_grad, sizes, weights, X, G)
    ref = {k: v.double().requires_grad_(True) for k, v in weights.items()}
    H = (X.double() @ ref["W1"] + ref["b1"]).clamp_min(0)
    ((H @ ref["W2"] + ref["b2"]) * G.double()).sum().backward()
    for name in NAMES:
        if got[name] is None:
            fail(f"MLPScratch.{name} got no gradient from forward(X).backward(): use the parameter itself in forward "
                 "(no .data, .detach() or torch.tensor(...) copies)")
        expect_close(got[name], ref[name].grad.float(), what=f"the gradient of sum(net(X) * G) with respect to {name}",
                     inputs={"X": X}, atol=1e-4)


@skip_on_meta
def test_learns_xor(learner, rng):
    X = rng.uniform((400, 2), -1.0, 1.0)
    X = X + 0.15 * torch.sign(X)  # keep the points away from the axes, where the classes meet
    y = ((X[:, 0] * X[:, 1]) > 0).long()
    acc, loss = learner.run(probe_train, X, y, rng.torch_seed(), 300, 0.5)
    expect(acc.item() >= 0.9, f"after 300 steps of gradient descent on an XOR-like task (label = sign(x1 * x2)), "
           f"MLPScratch(2, 2, 32, lr, sigma=0.5) reaches {acc.item():.0%} training accuracy (loss {loss.item():.3f}), "
           "expected at least 90%: a linear model gets about 50%, so check the ReLU between the layers")
