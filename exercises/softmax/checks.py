"""Hidden checks for the softmax exercise. Probes run in the learner's process; checks here decide."""

import pytest
import torch

from learndl_cli.grader.api import expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_softmax(mod, X, dim):
    return mod.softmax(X, dim=dim)


def probe_softmax_default(mod, X):
    return mod.softmax(X)


def probe_keeps_input(mod, X):
    before = X.clone()
    out = mod.softmax(X, dim=-1)
    return out, before, X


def probe_grad(mod, X, G):
    X = X.clone().requires_grad_(True)
    out = mod.softmax(X, dim=-1)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    (out * G).sum().backward()
    return X.grad


# ---------------------------------------------------------------------------- references (parent)


def reference(X, dim=-1):
    return torch.softmax(X.double(), dim=dim).to(X.dtype)


def naive(X, dim=-1):
    """The classic overflow: exp without subtracting the max (in X's own dtype)."""
    E = torch.exp(X)
    return E / E.sum(dim=dim, keepdim=True)


def global_max(X, dim=-1):
    E = torch.exp(X - X.max())
    return E / E.sum(dim=dim, keepdim=True)


# ---------------------------------------------------------------------------- checks, in order


def test_rows_sum_to_one(learner, rng):
    X = rng.normal((4, 7))
    got = learner.run(probe_softmax, X, -1)
    expect_close(got, reference(X), what="softmax(X, dim=-1)", inputs={"X": X},
                 mistakes={"each row must sum to 1: divide by the sum along dim (keepdim=True)": torch.exp(X)})


def test_default_dim_is_last(learner, rng):
    X = rng.normal((3, 5))
    got = learner.run(probe_softmax_default, X)
    expect_close(got, reference(X), what="softmax(X) with the default dim", inputs={"X": X},
                 mistakes={"the default dim must be the last one (-1)": reference(X, 0)})


@pytest.fixture
def cube(rng):
    """A 3-D input, so that every dim is a different axis."""
    return rng.normal((3, 4, 5))


@pytest.mark.parametrize("dim", [0, 1, 2, -2])
def test_any_dim(learner, cube, dim):
    got = learner.run(probe_softmax, cube, dim)
    expect_close(got, reference(cube, dim), what=f"softmax(X, dim={dim})", inputs={"X": cube},
                 mistakes={"ignores `dim`: it normalised along the last dimension": reference(cube, -1)})


def test_one_dimensional(learner, rng):
    x = rng.normal((6,))
    got = learner.run(probe_softmax, x, 0)
    expect_close(got, reference(x, 0), what="softmax(x, dim=0)", inputs={"x": x})


def test_large_logits(learner, rng):
    X = rng.normal((4, 6), scale=300.0) + 500.0
    X[1] = -X[1]  # very negative logits too
    got = learner.run(probe_softmax, X, -1)
    expect_close(got, reference(X), what="softmax(X) for large logits", inputs={"X": X}, mistakes={
        "overflows for large logits (exp(1000) is inf): subtract each slice's max before exp": naive(X),
        "subtracted the global max; subtract the max of each slice along dim (keepdim=True)": global_max(X),
    })


def test_per_slice_max(learner, rng):
    X = rng.normal((3, 5))
    X[0] += 2000.0  # one row far above the others
    got = learner.run(probe_softmax, X, -1)
    expect_close(got, reference(X), what="softmax(X) with rows of very different scale", inputs={"X": X}, mistakes={
        "subtracted the global max; subtract the max of each slice along dim (keepdim=True)": global_max(X),
        "overflows for large logits (exp(1000) is inf): subtract each slice's max before exp": naive(X),
    })


def test_input_unchanged(learner, rng):
    X = rng.normal((3, 4))
    out, before, after = learner.run(probe_keeps_input, X)
    expect_close(after, before, what="X after calling softmax(X) (it must not be modified in place)",
                 inputs={"X": X}, atol=0, rtol=0)
    expect_close(out, reference(X), what="softmax(X)", inputs={"X": X})


def test_float64(learner, rng):
    X = rng.normal((2, 5), dtype=torch.float64)
    got = learner.run(probe_softmax, X, -1)
    expect_close(got, torch.softmax(X, -1), what="softmax(X) for a float64 X", inputs={"X": X}, atol=1e-12, rtol=1e-10)


def test_gradient(learner, rng):
    X = rng.normal((3, 4))
    G = rng.normal((3, 4))
    got = learner.run(probe_grad, X, G)
    Xr = X.double().requires_grad_(True)
    (torch.softmax(Xr, -1) * G.double()).sum().backward()
    if got is None:
        fail("softmax(X) is not differentiable: the result does not require grad when X does (no .detach(), no torch.tensor(...) rebuilding)")
    expect_close(got, Xr.grad.float(), what="the gradient of sum(softmax(X) * G) with respect to X", inputs={"X": X}, atol=1e-5)
