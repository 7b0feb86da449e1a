"""Hidden checks for the autograd exercise. Probes run in the learner's process; checks here decide."""

import torch

from learndl_cli.grader.api import expect_close, fail, skip_on_meta


# ---------------------------------------------------------------------------- the functions differentiated
# Each takes x and the extra tensor c (same shape as x, or a matrix for "quadratic"). They live here so that
# the child (probes) and the parent (references) use the very same f.


def f_cubic(x, c):
    return (x ** 3).sum() + (c * x).sum()


def f_wavy(x, c):
    return (torch.sin(x) * c).sum() + 0.5 * (x * x).sum()


def f_quadratic(x, c):
    return (x * (c @ x)).sum()  # x: (n, k), c: (n, n)


def f_sum(x, c):
    return x.sum()


FUNCTIONS = {"cubic": f_cubic, "wavy": f_wavy, "quadratic": f_quadratic, "sum": f_sum}


# ---------------------------------------------------------------------------- probes (child side)


def probe_numgrad(mod, which, x, c, h=None):
    f = FUNCTIONS[which]
    before = x.clone()
    if h is None:
        g = mod.numerical_grad(lambda z: f(z, c), x)
    else:
        g = mod.numerical_grad(lambda z: f(z, c), x, h)
    return g, before, x


# ---------------------------------------------------------------------------- references (parent)


def autograd_ref(which, x, c):
    xr = x.double().clone().requires_grad_(True)
    FUNCTIONS[which](xr, c.double()).backward()
    return xr.grad.to(x.dtype)


def differences(which, x, c, h):
    """Central, forward and backward differences in float64 (the parent's own loop)."""
    f = FUNCTIONS[which]
    x64, c64 = x.double(), c.double()
    central, forward, backward = (torch.zeros_like(x64) for _ in range(3))
    f0 = f(x64, c64)
    for i in range(x64.numel()):
        xp, xm = x64.clone(), x64.clone()
        xp.view(-1)[i] += h
        xm.view(-1)[i] -= h
        fp, fm = f(xp, c64), f(xm, c64)
        central.view(-1)[i] = (fp - fm) / (2 * h)
        forward.view(-1)[i] = (fp - f0) / h
        backward.view(-1)[i] = (f0 - fm) / h
    return central, forward, backward


def mistakes(which, x, c, h=1e-4):
    central, forward, backward = differences(which, x, c, h)
    found = {
        "used the forward difference (f(x+h) - f(x)) / h: use the central difference (f(x+h) - f(x-h)) / (2h)": forward,
        "used the backward difference (f(x) - f(x-h)) / h: use the central difference (f(x+h) - f(x-h)) / (2h)": backward,
        "divided by h instead of 2h: the two points x+h and x-h are 2h apart": 2 * central,
        "forgot to divide by 2h": central * (2 * h),
        "the gradient has the wrong sign: it is f(x+h) - f(x-h), not f(x-h) - f(x+h)": -central,
    }
    if h != 1e-4:
        found["ignores the `h` argument (it used h = 1e-4): pass the step you are given"] = differences(which, x, c, 1e-4)[0]
    return {k: v.to(x.dtype) for k, v in found.items()}


# ---------------------------------------------------------------------------- checks, in order


@skip_on_meta
def test_matches_autograd(learner, rng):
    x = rng.normal((5,), dtype=torch.float64)
    c = rng.normal((5,), dtype=torch.float64)
    g, _, _ = learner.run(probe_numgrad, "cubic", x, c)
    expect_close(g, autograd_ref("cubic", x, c), what="numerical_grad(f, x) for f(x) = sum(x^3 + c x), against autograd",
                 inputs={"x": x}, atol=1e-6, rtol=1e-6, mistakes=mistakes("cubic", x, c))


@skip_on_meta
def test_x_unchanged(learner, rng):
    x = rng.normal((6,), dtype=torch.float64)
    c = rng.normal((6,), dtype=torch.float64)
    g, before, after = learner.run(probe_numgrad, "cubic", x, c)
    bad = (after - before).abs()
    if bool((bad > 1e-12).any()):
        i = int(bad.argmax())
        fail(f"x was modified by numerical_grad: x[{i}] went from {before[i].item():.6g} to {after[i].item():.6g}; "
             "nudge a copy (x.clone()), or put every element back after evaluating f")
    expect_close(g, autograd_ref("cubic", x, c), what="numerical_grad(f, x)", inputs={"x": x}, atol=1e-6, rtol=1e-6)


@skip_on_meta
def test_smooth_function(learner, rng):
    x = rng.normal((7,), dtype=torch.float64)
    c = rng.normal((7,), scale=2.0, dtype=torch.float64)
    g, _, _ = learner.run(probe_numgrad, "wavy", x, c)
    expect_close(g, autograd_ref("wavy", x, c), what="numerical_grad(f, x) for f(x) = sum(c sin x + x^2 / 2), against autograd",
                 inputs={"x": x}, atol=1e-6, rtol=1e-6, mistakes=mistakes("wavy", x, c))


@skip_on_meta
def test_matrix_input(learner, rng):
    x = rng.normal((3, 4), dtype=torch.float64)
    c = rng.normal((3, 3), dtype=torch.float64)
    g, _, _ = learner.run(probe_numgrad, "quadratic", x, c)
    if isinstance(g, torch.Tensor) and g.shape != x.shape and g.numel() == x.numel():
        fail(f"numerical_grad(f, x) for x of shape (3, 4) returned shape {tuple(g.shape)}: "
             "return the gradient with x's shape (reshape the flat result, or write into torch.zeros_like(x))")
    expect_close(g, autograd_ref("quadratic", x, c), what="numerical_grad(f, x) for a (3, 4) x and f(x) = sum(x * (C @ x))",
                 inputs={"x": x}, atol=1e-6, rtol=1e-6, mistakes=mistakes("quadratic", x, c))


@skip_on_meta
def test_uses_given_h(learner, rng):
    x = rng.normal((4,), dtype=torch.float64)
    c = rng.normal((4,), dtype=torch.float64)
    g, _, _ = learner.run(probe_numgrad, "cubic", x, c, 0.1)
    central = differences("cubic", x, c, 0.1)[0]  # 3x^2 + c + h^2: the h^2 term shows which h was used
    expect_close(g, central, what="numerical_grad(f, x, h=0.1) (central differences with step 0.1)",
                 inputs={"x": x}, atol=1e-9, rtol=1e-9, mistakes=mistakes("cubic", x, c, 0.1))


@skip_on_meta
def test_float32_keeps_dtype(learner, rng):
    x = rng.normal((3,), dtype=torch.float32)
    c = rng.normal((3,), dtype=torch.float32)
    g, _, _ = learner.run(probe_numgrad, "wavy", x, c, 1e-2)
    expect_close(g, autograd_ref("wavy", x, c), what="numerical_grad(f, x, h=0.01) for a float32 x (result in x's dtype)",
                 inputs={"x": x}, atol=2e-2, rtol=1e-2)


def test_empty_x_and_device(learner, rng):
    x = torch.zeros((0, 3), dtype=torch.float64)
    g, _, _ = learner.run(probe_numgrad, "sum", x, x)
    expect_close(g, torch.zeros((0, 3), dtype=torch.float64),
                 what="numerical_grad(f, x) for an empty x of shape (0, 3) (an empty gradient of x's shape, dtype and device)",
                 inputs={"x": x})
