"""Hidden checks for the dropout exercise. Randomness is checked statistically, never seed-exactly:
with 10^6 elements, a correct dropout's fraction of zeros is within 6 standard deviations of p."""

import math

import torch

from learndl_cli.grader.api import expect, expect_close, expect_shape, fail, skip_on_meta

N = 1000  # statistical checks use N x N = 10^6 elements


# ---------------------------------------------------------------------------- probes (child side)


def probe_dropout(mod, X, p, seed):
    torch.manual_seed(seed)
    return mod.dropout_layer(X, p)


def probe_twice(mod, X, p, seed):
    torch.manual_seed(seed)
    return mod.dropout_layer(X, p), mod.dropout_layer(X, p)


def probe_keeps_input(mod, X, p, seed):
    torch.manual_seed(seed)
    before = X.clone()
    out = mod.dropout_layer(X, p)
    return out, before, X


def probe_grad(mod, X, G, p, seed):
    torch.manual_seed(seed)
    X = X.clone().requires_grad_(True)
    out = mod.dropout_layer(X, p)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return out, None
    (out * G).sum().backward()
    return out, X.grad


# ---------------------------------------------------------------------------- helpers (parent)


def six_sigma(p, n):
    return 6.0 * math.sqrt(p * (1.0 - p) / n) + 1e-9


def kept_fraction_message(zero_fraction, p, n):
    keep = 1.0 - zero_fraction
    if abs(keep - p) <= six_sigma(p, n):
        return (f"dropped a fraction {zero_fraction:.3f} of the elements for dropout={p}; it must drop p, "
                f"not 1 - p (keep where rand > p)")
    return f"dropped a fraction {zero_fraction:.3f} of the elements for dropout={p}; expected about {p}"


# ---------------------------------------------------------------------------- checks, in order


def test_shape_and_dtype(learner, rng):
    X = rng.normal((4, 8))
    got = learner.run(probe_dropout, X, 0.5, rng.torch_seed())
    expect_shape(got, X.shape, what="dropout_layer(X, 0.5)", inputs={"X": X})
    expect(got.dtype == X.dtype, f"dropout_layer(X, 0.5) has dtype {got.dtype}, expected {X.dtype} (turn the mask into X's dtype)")


def test_p_zero_keeps_everything(learner, rng):
    X = rng.normal((5, 6))
    got = learner.run(probe_dropout, X, 0.0, rng.torch_seed())
    expect_close(got, X, what="dropout_layer(X, 0.0)", inputs={"X": X}, atol=0, rtol=0)


def test_p_one_drops_everything(learner, rng):
    X = rng.normal((5, 6))
    got = learner.run(probe_dropout, X, 1.0, rng.torch_seed())
    expect_close(got, torch.zeros_like(X), what="dropout_layer(X, 1.0)", inputs={"X": X}, atol=0, rtol=0, mistakes={
        "dropout=1 divides by zero (1 - p = 0) and gives nan: return zeros when dropout == 1": torch.full_like(X, float("nan")),
    })


def test_input_unchanged(learner, rng):
    X = rng.normal((30, 40))
    out, before, after = learner.run(probe_keeps_input, X, 0.5, rng.torch_seed())
    expect_close(after, before, what="X after calling dropout_layer(X, 0.5) (it must not be modified in place)",
                 inputs={"X": X}, atol=0, rtol=0)


@skip_on_meta
def test_kept_values_are_scaled(learner, rng):
    p = 0.3
    X = rng.uniform((N, N), 1.0, 2.0)
    got = learner.run(probe_dropout, X, p, rng.torch_seed())
    expect_shape(got, X.shape, what=f"dropout_layer(X, {p})", inputs={"X": X})
    kept = got != 0
    if not bool(kept.any()):
        fail(f"dropout_layer(X, {p}) dropped every element")
    ratio = got[kept].double() / X[kept].double()
    for factor, message in (
        (1.0, "kept values are unchanged: without the 1/(1-p) scale the expected value shrinks; divide by (1 - p)"),
        (1.0 - p, "kept values are multiplied by (1 - p); divide by (1 - p) instead"),
        (1.0 / p, "kept values are divided by p; divide by (1 - p) instead"),
    ):
        if bool(torch.allclose(ratio, torch.full_like(ratio, factor), rtol=1e-4)):
            fail(f"dropout_layer(X, {p}): {message}")
    expect_close(got[kept], (X[kept].double() / (1 - p)).float(), what=f"the kept values of dropout_layer(X, {p}) (each must be x / (1 - p))",
                 inputs={"X": X}, rtol=1e-4)


@skip_on_meta
def test_mask_is_independent_per_element(learner, rng):
    X = rng.uniform((N, N), 1.0, 2.0)
    got = learner.run(probe_dropout, X, 0.5, rng.torch_seed())
    mask = got != 0
    if bool((mask == mask[0:1, :]).all()):
        fail("dropout_layer(X, 0.5) drops the same columns in every row: draw the mask with X's full shape")
    if bool((mask == mask[:, 0:1]).all()):
        fail("dropout_layer(X, 0.5) drops whole rows: draw the mask with X's full shape")
    rows = mask.double().mean(dim=1)
    expect(float(rows.std()) < 0.5 * 0.5 * 3, "dropout_layer(X, 0.5): the mask is not independent per element")


@skip_on_meta
def test_drops_a_fraction_p(learner, rng):
    X = rng.uniform((N, N), 1.0, 2.0)
    for p in (0.2, 0.7):
        got = learner.run(probe_dropout, X, p, rng.torch_seed())
        zero_fraction = float((got == 0).double().mean())
        expect(abs(zero_fraction - p) <= six_sigma(p, X.numel()), kept_fraction_message(zero_fraction, p, X.numel()))


@skip_on_meta
def test_new_mask_every_call(learner, rng):
    X = rng.uniform((200, 200), 1.0, 2.0)
    first, second = learner.run(probe_twice, X, 0.5, rng.torch_seed())
    expect(not bool(torch.equal(first != 0, second != 0)),
           "dropout_layer gives the same mask on every call: draw new random numbers each time (no fixed seed, no cached mask)")


@skip_on_meta
def test_gradient(learner, rng):
    p = 0.4
    X = rng.uniform((50, 60), 1.0, 2.0)
    G = rng.normal((50, 60))
    out, grad = learner.run(probe_grad, X, G, p, rng.torch_seed())
    if grad is None:
        fail("dropout_layer(X, p) is not differentiable: the result does not require grad when X does")
    expected = G * (out != 0).to(G.dtype) / (1 - p)
    expect_close(grad, expected, what=f"the gradient of sum(dropout_layer(X, {p}) * G) with respect to X", inputs={"X": X})
