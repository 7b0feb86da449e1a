"""Hidden checks for the layer-norm exercise. Probes run in the learner's process; checks here decide."""

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_ln(mod, X, gamma, beta, eps):
    before = X.clone()
    Y = mod.layer_norm(X, gamma, beta, eps)
    return Y, before, X


def probe_ln_no_grad(mod, X, gamma, beta, eps):
    with torch.no_grad():
        return mod.layer_norm(X, gamma, beta, eps)


def probe_grads(mod, X, gamma, beta, eps, G):
    X = X.clone().requires_grad_(True)
    gamma = gamma.clone().requires_grad_(True)
    beta = beta.clone().requires_grad_(True)
    Y = mod.layer_norm(X, gamma, beta, eps)
    if not isinstance(Y, torch.Tensor) or not Y.requires_grad:
        return None
    (Y * G).sum().backward()
    return X.grad, gamma.grad, beta.grad


# ---------------------------------------------------------------------------- references (parent)


def ref(X, gamma, beta, eps):
    return F.layer_norm(X.double(), tuple(gamma.shape), gamma.double(), beta.double(), eps).to(X.dtype)


def normalised_over(X, gamma, beta, eps, dims, unbiased=False, eps_outside=False):
    Xd = X.double()
    mean = Xd.mean(dim=dims, keepdim=True)
    var = Xd.var(dim=dims, keepdim=True, unbiased=unbiased)
    scale = (var.sqrt() + eps) if eps_outside else (var + eps).sqrt()
    return (gamma.double() * (Xd - mean) / scale + beta.double()).to(X.dtype)


def mistakes_for(X, gamma, beta, eps):
    k = gamma.dim()
    dims = tuple(range(X.dim() - k, X.dim()))
    found = {
        "normalised over the batch (dim 0): that is batch norm; layer norm normalises each example over its trailing dimensions":
            normalised_over(X, gamma, beta, eps, (0,)),
        "used the unbiased variance (X.var() divides by n - 1): layer norm divides by n, mean((X - mean) ** 2)":
            normalised_over(X, gamma, beta, eps, dims, unbiased=True),
        "added eps outside the square root: divide by sqrt(var + eps)":
            normalised_over(X, gamma, beta, eps, dims, eps_outside=True),
        "left out gamma and beta: Y = gamma * X_hat + beta":
            normalised_over(X, torch.ones_like(gamma), torch.zeros_like(beta), eps, dims),
    }
    if k > 1:
        found["normalised over the last dimension only: normalise over all the trailing dimensions gamma covers "
              "(the last gamma.dim() of X)"] = normalised_over(X, gamma, beta, eps, (-1,))
    if X.dim() > 2:
        found["normalised over every dimension but the batch: only the trailing dimensions gamma covers are normalised"] = \
            normalised_over(X, gamma, beta, eps, tuple(range(1, X.dim())))
    return found


def inputs_for(rng, shape, k):
    X = rng.normal(shape, scale=3.0) + 2.0
    gamma = rng.uniform(shape[-k:], 0.5, 2.0)
    beta = rng.normal(shape[-k:])
    return X, gamma, beta


# ---------------------------------------------------------------------------- checks, in order


def test_matrix(learner, rng):
    X, gamma, beta = inputs_for(rng, (6, 5), 1)
    Y, before, after = learner.run(probe_ln, X, gamma, beta, 1e-5)
    expect_close(Y, ref(X, gamma, beta, 1e-5), what="layer_norm(X, gamma, beta, 1e-5)", inputs={"X": X, "gamma": gamma},
                 mistakes=mistakes_for(X, gamma, beta, 1e-5))
    expect_close(after, before, what="X after layer_norm (it must not be modified in place)", atol=0, rtol=0)


def test_sequence_batch(learner, rng):
    X, gamma, beta = inputs_for(rng, (2, 4, 6), 1)
    Y, _, _ = learner.run(probe_ln, X, gamma, beta, 1e-5)
    expect_close(Y, ref(X, gamma, beta, 1e-5), what="layer_norm(X, gamma, beta, 1e-5) for a (batch, steps, features) X",
                 inputs={"X": X, "gamma": gamma}, mistakes=mistakes_for(X, gamma, beta, 1e-5))


def test_two_trailing_dims(learner, rng):
    X, gamma, beta = inputs_for(rng, (3, 4, 5), 2)
    Y, _, _ = learner.run(probe_ln, X, gamma, beta, 1e-5)
    expect_close(Y, ref(X, gamma, beta, 1e-5), what="layer_norm(X, gamma, beta, 1e-5) with a 2-D gamma (normalized_shape (4, 5))",
                 inputs={"X": X, "gamma": gamma}, mistakes=mistakes_for(X, gamma, beta, 1e-5))


def test_eps_inside_sqrt(learner, rng):
    X, gamma, beta = inputs_for(rng, (4, 6), 1)
    X = X * 0.2
    Y, _, _ = learner.run(probe_ln, X, gamma, beta, 0.5)
    expect_close(Y, ref(X, gamma, beta, 0.5), what="layer_norm(X, gamma, beta, eps=0.5)", inputs={"X": X},
                 mistakes={**mistakes_for(X, gamma, beta, 0.5),
                           "ignored eps: divide by sqrt(var + eps)": ref(X, gamma, beta, 0.0)})


def test_single_example_and_no_grad(learner, rng):
    X, gamma, beta = inputs_for(rng, (1, 7), 1)
    Y = learner.run(probe_ln_no_grad, X, gamma, beta, 1e-5)
    expect_close(Y, ref(X, gamma, beta, 1e-5), what="layer_norm for a batch of one example under torch.no_grad() (same as in training)",
                 inputs={"X": X}, mistakes=mistakes_for(X, gamma, beta, 1e-5))


def test_float64(learner, rng):
    X, gamma, beta = inputs_for(rng, (3, 8), 1)
    X, gamma, beta = X.double(), gamma.double(), beta.double()
    Y, _, _ = learner.run(probe_ln, X, gamma, beta, 1e-5)
    expect_close(Y, ref(X, gamma, beta, 1e-5), what="layer_norm for float64 inputs", inputs={"X": X}, atol=1e-10, rtol=1e-8)


def test_gradients(learner, rng):
    X, gamma, beta = inputs_for(rng, (2, 3, 5), 1)
    G = rng.normal(X.shape)
    got = learner.run(probe_grads, X, gamma, beta, 1e-5, G)
    if got is None:
        fail("layer_norm's result does not require grad when X, gamma and beta do (no .detach() or .data)")
    Xr, gr, br = (t.double().requires_grad_(True) for t in (X, gamma, beta))
    (F.layer_norm(Xr, tuple(gamma.shape), gr, br, 1e-5) * G.double()).sum().backward()
    for name, got_grad, want in zip(("X", "gamma", "beta"), got, (Xr.grad, gr.grad, br.grad)):
        expect(got_grad is not None, f"no gradient reached {name}: Y must be computed from {name} (no .data / .detach())")
        expect_close(got_grad, want.float(), what=f"the gradient of sum(layer_norm(X, gamma, beta) * G) with respect to {name}",
                     inputs={"X": X}, atol=1e-4, rtol=1e-3)
