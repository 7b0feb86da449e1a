"""Hidden checks for the custom-layers exercise. Probes run in the learner's process; checks here decide."""

import torch

from learndl_cli.grader.api import CheckFailed, expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_centered(mod, X):
    before = X.clone()
    layer = mod.CenteredLayer()
    out = layer(X)
    return out, before, X, len(list(layer.parameters()))


def probe_params(mod, in_units, units):
    net = mod.MyLinear(in_units, units)
    return {name: [int(s) for s in p.shape] for name, p in net.named_parameters()}


def _linear_with(mod, W, b, X):
    """A MyLinear on X's device with the check's weight and bias copied in."""
    net = mod.MyLinear(W.shape[0], W.shape[1])
    shapes = {name: tuple(p.shape) for name, p in net.named_parameters()}
    for name, want in (("weight", W), ("bias", b)):
        if name not in shapes:
            raise CheckFailed(f"MyLinear has no parameter named '{name}': create it as nn.Parameter(...) and assign it to self.{name}")
        if shapes[name] != tuple(want.shape):
            raise CheckFailed(f"MyLinear's {name} has shape {shapes[name]}, expected {tuple(want.shape)}")
    net = net.to(device=X.device, dtype=X.dtype)
    with torch.no_grad():
        net.weight.copy_(W)
        net.bias.copy_(b)
    return net


def probe_forward(mod, W, b, X):
    net = _linear_with(mod, W, b, X)
    return net(X)


def probe_grads(mod, W, b, X, G):
    net = _linear_with(mod, W, b, X)
    out = net(X)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None, None
    (out * G).sum().backward()
    return net.weight.grad, net.bias.grad


# ---------------------------------------------------------------------------- references (parent)


def linear_ref(W, b, X):
    return torch.relu(X.double() @ W.double() + b.double()).to(X.dtype)


# ---------------------------------------------------------------------------- checks, in order


def test_centered_layer(learner, rng):
    X = rng.normal((4, 5), scale=2.0) + 3.0
    out, before, after, n_params = learner.run(probe_centered, X)
    Xd = X.double()
    expect_close(out, (Xd - Xd.mean()).float(), what="CenteredLayer()(X)", inputs={"X": X}, mistakes={
        "subtracted the mean of each row; subtract the mean of all elements of X (X.mean())": (Xd - Xd.mean(dim=1, keepdim=True)).float(),
        "subtracted the mean of each column; subtract the mean of all elements of X (X.mean())": (Xd - Xd.mean(dim=0, keepdim=True)).float(),
        "subtracted the mean of the last row only; subtract the mean of all elements of X (X.mean())": (Xd - Xd[-1].mean()).float(),
    })
    expect_close(after, before, what="X after CenteredLayer()(X) (it must not be modified in place)", inputs={"X": X}, atol=0, rtol=0)
    expect(n_params == 0, f"CenteredLayer has {n_params} parameter(s); it should have none")


def test_centered_any_shape(learner, rng):
    X = rng.normal((2, 3, 4), dtype=torch.float64) - 1.5
    out, _, _, _ = learner.run(probe_centered, X)
    expect_close(out, X - X.mean(), what="CenteredLayer()(X) for a 3-D float64 X", inputs={"X": X}, atol=1e-12, rtol=1e-10)


def test_parameters_registered(learner):
    got = learner.run(probe_params, 5, 3)
    expect(isinstance(got, dict), "MyLinear(5, 3).named_parameters() could not be read")
    if "weight" not in got or "bias" not in got:
        missing = [n for n in ("weight", "bias") if n not in got]
        fail(f"MyLinear(5, 3) registers no parameter named {', '.join(repr(m) for m in missing)} "
             f"(it has {sorted(got) or 'none'}): wrap the tensor in nn.Parameter and assign it to self.weight / self.bias")
    if got["weight"] == [3, 5]:
        fail("MyLinear(5, 3).weight has shape (3, 5): store it as (in_units, units) = (5, 3) and compute X @ weight (not transposed like nn.Linear)")
    expect(got["weight"] == [5, 3], f"MyLinear(5, 3).weight has shape {tuple(got['weight'])}, expected (in_units, units) = (5, 3)")
    expect(got["bias"] == [3], f"MyLinear(5, 3).bias has shape {tuple(got['bias'])}, expected (units,) = (3,)")
    extra = sorted(set(got) - {"weight", "bias"})
    expect(not extra, f"MyLinear has extra parameters {extra}: weight and bias should be its only ones")


def test_forward(learner, rng):
    for in_units, units, batch in ((5, 3, 8), (4, 7, 1)):
        W, b, X = rng.normal((in_units, units)), rng.normal((units,)), rng.normal((batch, in_units))
        got = learner.run(probe_forward, W, b, X)
        Xd, Wd, bd = X.double(), W.double(), b.double()
        expect_close(got, linear_ref(W, b, X), what=f"MyLinear({in_units}, {units})(X)", inputs={"X": X}, mistakes={
            "forgot the ReLU: MyLinear returns ReLU(X @ weight + bias)": (Xd @ Wd + bd).float(),
            "left out the bias: MyLinear returns ReLU(X @ weight + bias)": torch.relu(Xd @ Wd).float(),
        })


def test_gradients_reach_parameters(learner, rng):
    W, b, X, G = rng.normal((5, 3)), rng.normal((3,)), rng.normal((6, 5)), rng.normal((6, 3))
    gW, gb = learner.run(probe_grads, W, b, X, G)
    if gW is None or gb is None:
        fail("no gradient reached MyLinear's weight/bias: use self.weight and self.bias in forward, not "
             "self.weight.data / self.bias.data (`.data` is detached from autograd, so the layer never learns)")
    Wr, br = W.double().requires_grad_(True), b.double().requires_grad_(True)
    (torch.relu(X.double() @ Wr + br) * G.double()).sum().backward()
    expect_close(gW, Wr.grad.float(), what="the gradient of sum(MyLinear(X) * G) with respect to weight", inputs={"X": X})
    expect_close(gb, br.grad.float(), what="the gradient of sum(MyLinear(X) * G) with respect to bias", inputs={"X": X})
