"""Hidden checks for the batch-norm exercise. Probes run in the learner's process; checks here decide."""

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


def probe_train(mod, X, gamma, beta, mm, mv, eps, momentum):
    before = X.clone()
    Y, new_mm, new_mv = mod.batch_norm(X, gamma, beta, mm, mv, eps, momentum)
    return Y, new_mm, new_mv, before, X


def probe_eval(mod, X, gamma, beta, mm, mv, eps, momentum):
    with torch.no_grad():
        Y, new_mm, new_mv = mod.batch_norm(X, gamma, beta, mm, mv, eps, momentum)
    return Y, new_mm, new_mv


def probe_grads(mod, X, gamma, beta, mm, mv, eps, momentum, G):
    X = X.clone().requires_grad_(True)
    gamma = gamma.clone().requires_grad_(True)
    beta = beta.clone().requires_grad_(True)
    Y, _, _ = mod.batch_norm(X, gamma, beta, mm, mv, eps, momentum)
    if not isinstance(Y, torch.Tensor) or not Y.requires_grad:
        return None
    (Y * G).sum().backward()
    return X.grad, gamma.grad, beta.grad


# ---------------------------------------------------------------------------- references (parent)


def _dims(X):
    return (0,) if X.dim() == 2 else (0, 2, 3)


def ref_train(X, gamma, beta, mm, mv, eps, momentum):
    """Y from torch's own F.batch_norm (float64); moving statistics with the book's convention."""
    Xd = X.double()
    Y = F.batch_norm(Xd, None, None, gamma.double().flatten(), beta.double().flatten(), training=True, eps=eps)
    mean = Xd.mean(dim=_dims(X), keepdim=True)
    var = ((Xd - mean) ** 2).mean(dim=_dims(X), keepdim=True)
    new_mm = momentum * mm.double() + (1 - momentum) * mean.reshape(mm.shape)
    new_mv = momentum * mv.double() + (1 - momentum) * var.reshape(mv.shape)
    return Y.to(X.dtype), new_mm.to(mm.dtype), new_mv.to(mv.dtype), mean, var


def ref_eval(X, gamma, beta, mm, mv, eps):
    Y = F.batch_norm(X.double(), mm.double().flatten(), mv.double().flatten(), gamma.double().flatten(),
                     beta.double().flatten(), training=False, eps=eps)
    return Y.to(X.dtype)


def normalised_with(X, gamma, beta, mean, var, eps, root_eps_outside=False):
    Xd = X.double()
    scale = (var.sqrt() + eps) if root_eps_outside else (var + eps).sqrt()
    return (gamma.double() * (Xd - mean) / scale + beta.double()).to(X.dtype)


def stats(X, dims, unbiased=False):
    Xd = X.double()
    mean = Xd.mean(dim=dims, keepdim=True)
    var = Xd.var(dim=dims, keepdim=True, unbiased=unbiased)
    return mean, var


def inputs_for(rng, shape, C):
    pshape = (1, C) if len(shape) == 2 else (1, C, 1, 1)
    X = rng.normal(shape, scale=2.0) + 1.5
    gamma = rng.uniform(pshape, 0.5, 2.0)
    beta = rng.normal(pshape)
    mm = rng.normal(pshape, scale=0.5)
    mv = rng.uniform(pshape, 0.5, 2.0)
    return X, gamma, beta, mm, mv


EVAL_WITH_BATCH = ("used the batch statistics in evaluation: under torch.no_grad() (torch.is_grad_enabled() is False) "
                   "normalise with moving_mean and moving_var")


def _train_check(learner, X, gamma, beta, mm, mv, eps, momentum, label, wrong_stats):
    Y, new_mm, new_mv, before, after = learner.run(probe_train, X, gamma, beta, mm, mv, eps, momentum)
    rY, rmm, rmv, mean, var = ref_train(X, gamma, beta, mm, mv, eps, momentum)
    inputs = {"X": X}
    mistakes = {
        "normalised with the moving statistics during training: when torch.is_grad_enabled() is True, use this batch's mean and variance":
            ref_eval(X, gamma, beta, mm, mv, eps),
        "used the unbiased variance (X.var() divides by n - 1): batch norm divides by n, mean((X - mean) ** 2)":
            normalised_with(X, gamma, beta, *stats(X, _dims(X), unbiased=True), eps),
        "left out gamma and beta: Y = gamma * X_hat + beta":
            normalised_with(X, torch.ones_like(gamma), torch.zeros_like(beta), mean, var, eps),
    }
    mistakes.update(wrong_stats)
    expect_close(Y, rY, what=f"Y from batch_norm in training ({label})", inputs=inputs, mistakes=mistakes)
    expect_close(after, before, what=f"X after batch_norm ({label}; it must not be modified in place)", atol=0, rtol=0)
    expect_close(new_mm, rmm, what=f"moving_mean returned in training ({label})", inputs=inputs, mistakes={
        "did not update moving_mean in training: moving_mean = momentum * moving_mean + (1 - momentum) * mean": mm,
        "applied momentum the other way round: in the book's convention momentum weighs the OLD value, "
        "moving_mean = momentum * moving_mean + (1 - momentum) * mean":
            ((1 - momentum) * mm.double() + momentum * mean.reshape(mm.shape)).to(mm.dtype),
        "returned the batch mean instead of the updated moving mean": mean.reshape(mm.shape).to(mm.dtype),
    })
    unbiased = stats(X, _dims(X), unbiased=True)[1].reshape(mv.shape)
    expect_close(new_mv, rmv, what=f"moving_var returned in training ({label})", inputs=inputs, mistakes={
        "did not update moving_var in training: moving_var = momentum * moving_var + (1 - momentum) * var": mv,
        "applied momentum the other way round: in the book's convention momentum weighs the OLD value, "
        "moving_var = momentum * moving_var + (1 - momentum) * var":
            ((1 - momentum) * mv.double() + momentum * var.reshape(mv.shape)).to(mv.dtype),
        "moving_var used the unbiased batch variance (n - 1): use the same biased variance as for X_hat":
            (momentum * mv.double() + (1 - momentum) * unbiased).to(mv.dtype),
        "blended the standard deviation into moving_var: blend the variance": 
            (momentum * mv.double() + (1 - momentum) * var.sqrt().reshape(mv.shape)).to(mv.dtype),
    })


# ---------------------------------------------------------------------------- checks, in order


def test_training_fully_connected(learner, rng):
    X, gamma, beta, mm, mv = inputs_for(rng, (8, 5), 5)
    _train_check(learner, X, gamma, beta, mm, mv, 1e-5, 0.9, "2-D X", {
        "normalised each example (row) instead of each feature: for a 2-D X average over dim 0 (the batch)":
            normalised_with(X, gamma, beta, *stats(X, (1,)), 1e-5),
    })


def test_training_convolutional(learner, rng):
    X, gamma, beta, mm, mv = inputs_for(rng, (4, 3, 5, 6), 3)
    _train_check(learner, X, gamma, beta, mm, mv, 1e-5, 0.9, "4-D X", {
        "per-pixel statistics: for a 4-D X there is one mean and variance per channel, over dims (0, 2, 3)":
            normalised_with(X, gamma, beta, *stats(X, (0,)), 1e-5),
        "normalised over dims (0, 1, 2, 3), all channels together: average over (0, 2, 3), one statistic per channel":
            normalised_with(X, gamma, beta, *stats(X, (0, 1, 2, 3)), 1e-5),
        "normalised over dims (2, 3) of each example: batch norm averages over the batch too, dims (0, 2, 3)":
            normalised_with(X, gamma, beta, *stats(X, (2, 3)), 1e-5),
    })


def test_eps_inside_sqrt(learner, rng):
    X, gamma, beta, mm, mv = inputs_for(rng, (6, 4), 4)
    X = X * 0.3
    eps = 0.5
    Y, _, _, _, _ = learner.run(probe_train, X, gamma, beta, mm, mv, eps, 0.9)
    rY, _, _, mean, var = ref_train(X, gamma, beta, mm, mv, eps, 0.9)
    expect_close(Y, rY, what=f"Y from batch_norm in training with eps={eps}", inputs={"X": X}, mistakes={
        "added eps outside the square root: divide by sqrt(var + eps)": normalised_with(X, gamma, beta, mean, var, eps, True),
        "ignored eps: divide by sqrt(var + eps)": normalised_with(X, gamma, beta, mean, var, 0.0),
    })


def _eval_check(learner, rng, shape, C, label):
    X, gamma, beta, mm, mv = inputs_for(rng, shape, C)
    Y, new_mm, new_mv = learner.run(probe_eval, X, gamma, beta, mm, mv, 1e-5, 0.9)
    rY, tmm, tmv, mean, var = ref_train(X, gamma, beta, mm, mv, 1e-5, 0.9)
    expect_close(Y, ref_eval(X, gamma, beta, mm, mv, 1e-5), what=f"Y from batch_norm in evaluation ({label}, under torch.no_grad())",
                 inputs={"X": X}, mistakes={
                     EVAL_WITH_BATCH: rY,
                     "added eps outside the square root: divide by sqrt(moving_var + eps)":
                         normalised_with(X, gamma, beta, mm.double(), mv.double(), 1e-5, True),
                 })
    changed = "updated the moving statistics in evaluation: under torch.no_grad() return moving_mean and moving_var unchanged"
    expect_close(new_mm, mm, what=f"moving_mean returned in evaluation ({label})", inputs={"X": X}, mistakes={changed: tmm})
    expect_close(new_mv, mv, what=f"moving_var returned in evaluation ({label})", inputs={"X": X}, mistakes={changed: tmv})


def test_evaluation_fully_connected(learner, rng):
    _eval_check(learner, rng, (6, 4), 4, "2-D X")


def test_evaluation_convolutional(learner, rng):
    _eval_check(learner, rng, (2, 3, 4, 4), 3, "4-D X")


def test_evaluation_single_example(learner, rng):
    X, gamma, beta, mm, mv = inputs_for(rng, (1, 2, 3, 3), 2)
    Y, _, _ = learner.run(probe_eval, X, gamma, beta, mm, mv, 1e-5, 0.9)
    expect_close(Y, ref_eval(X, gamma, beta, mm, mv, 1e-5), what="Y from batch_norm in evaluation for a batch of one example",
                 inputs={"X": X}, mistakes={EVAL_WITH_BATCH: ref_train(X, gamma, beta, mm, mv, 1e-5, 0.9)[0]})


def test_gradients(learner, rng):
    X, gamma, beta, mm, mv = inputs_for(rng, (3, 2, 3, 4), 2)
    G = rng.normal(X.shape)
    got = learner.run(probe_grads, X, gamma, beta, mm, mv, 1e-5, 0.9, G)
    if got is None:
        fail("Y from batch_norm in training does not require grad when X, gamma and beta do (no .detach() or .data on Y)")
    gX, gg, gb = got
    Xr, gr, br = (t.double().requires_grad_(True) for t in (X, gamma, beta))
    Y = F.batch_norm(Xr, None, None, gr.flatten(), br.flatten(), training=True, eps=1e-5)
    (Y * G.double()).sum().backward()
    for name, got_grad, want in (("X", gX, Xr.grad), ("gamma", gg, gr.grad), ("beta", gb, br.grad)):
        expect(got_grad is not None, f"no gradient reached {name}: Y must be computed from {name} (no .data / .detach())")
        expect_close(got_grad, want.float(), what=f"the gradient of sum(Y * G) with respect to {name} (training, 4-D X)",
                     inputs={"X": X}, atol=1e-4, rtol=1e-3)
