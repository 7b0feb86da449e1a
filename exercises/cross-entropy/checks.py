"""Hidden checks for the cross-entropy exercise. Probes run in the learner's process; checks here decide."""

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import expect, expect_close, fail, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_log_softmax(mod, X):
    before = X.clone()
    out = mod.log_softmax(X)
    return out, before, X


def probe_log_softmax_grad(mod, X, G):
    X = X.clone().requires_grad_(True)
    out = mod.log_softmax(X)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    (out * G).sum().backward()
    return X.grad


def probe_cross_entropy(mod, logits, y):
    return mod.cross_entropy(logits, y)


def probe_cross_entropy_grad(mod, logits, y, G):
    logits = logits.clone().requires_grad_(True)
    loss = mod.cross_entropy(logits, y)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return None
    (loss * G).sum().backward()
    return logits.grad


def probe_accuracy(mod, y_hat, y):
    value = mod.accuracy(y_hat, y)
    if isinstance(value, torch.Tensor):
        return "tensor", value
    return type(value).__name__, value


# ---------------------------------------------------------------------------- references (parent)


def ref_log_softmax(X):
    return F.log_softmax(X.double(), dim=-1).to(X.dtype)


def log_softmax_mistakes(X):
    X64 = X.double()
    with torch.no_grad():
        m = X.max(dim=-1, keepdim=True).values
        E = torch.exp(X)  # in X's own dtype: overflows like the learner's
        naive = X - torch.log(E.sum(-1, keepdim=True))
        probs = torch.exp(X - m) / torch.exp(X - m).sum(-1, keepdim=True)
        gm = X - X.max()
        global_max = gm - torch.log(torch.exp(gm).sum(-1, keepdim=True))
    return {
        "returned the softmax probabilities, not their log": torch.softmax(X64, -1),
        "overflows for large logits (exp(1000) is inf): subtract the row max before exp (log_softmax = (X - m) - log(sum(exp(X - m))))": naive,
        "took the log of the softmax: tiny probabilities underflow to 0 and log(0) = -inf; use (X - m) - log(sum(exp(X - m)))": torch.log(probs),
        "subtracted the global max; subtract each row's max (keepdim=True)": global_max,
        "forgot the log-sum-exp term: after subtracting the max, also subtract log(sum(exp(X - m)))": X - m,
        "normalised along the wrong dimension: log_softmax is along the last dimension (each row)": F.log_softmax(X64, dim=0),
    }


def ref_ce(logits, y):
    return F.cross_entropy(logits.double(), y, reduction="none").to(logits.dtype)


def ce_mistakes(logits, y):
    L = logits.double()
    lp = F.log_softmax(L, -1)
    rows = torch.arange(len(y))
    with torch.no_grad():
        naive_lp = torch.log(torch.exp(logits) / torch.exp(logits).sum(-1, keepdim=True))
    return {
        "the loss has the wrong sign: cross-entropy is minus the log-probability of the true class": lp[rows, y],
        "forgot to normalise: use log_softmax(logits), not the raw logits": -L[rows, y],
        "overflows for large logits: compute -log_softmax(logits)[i, y[i]] with the max subtracted, not log(softmax)": -naive_lp[rows, y],
        "used the probability instead of the log-probability": -torch.softmax(L, -1)[rows, y],
    }


def accuracy_ref(y_hat, y):
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.to(y.dtype) == y).sum())


def check_accuracy(got, y_hat, y, what):
    kind, value = got
    expected = accuracy_ref(y_hat, y)
    if kind == "tensor":
        fail(f"{what} returned a tensor: return a Python float, the number of correct predictions (float(...)), as d2l does")
    expect(kind in ("float", "int"), f"{what} returned a {kind}: return a Python float, the number of correct predictions")
    n = len(y)
    if abs(value - expected) <= 1e-9:
        return
    if abs(value - expected / n) <= 1e-6 and expected != 0:
        fail(f"{what} = {value:g}: that is the fraction; return the number of correct predictions ({expected:g}), the caller divides by len(y)")
    if y_hat.dim() == 2 and y_hat.shape[1] > 1:
        wrong_axis = y_hat.argmax(dim=0)
        if wrong_axis.shape == y.shape and abs(value - float((wrong_axis == y).sum())) <= 1e-9:
            fail(f"{what} = {value:g}, expected {expected:g}: took the argmax along dim 0; each row's prediction is argmax(dim=1)")
    if y_hat.dim() == 1 and abs(value - float((y_hat.argmax() == y).sum())) <= 1e-9:
        fail(f"{what} = {value:g}, expected {expected:g}: a 1-D y_hat already holds labels; "
             "take the argmax only when y_hat is 2-D with more than one column")
    fail(f"{what} = {value:g}, expected {expected:g} correct out of {n}")


# ---------------------------------------------------------------------------- checks, in order


def test_log_softmax_values(learner, rng):
    X = rng.normal((4, 5))
    out, before, after = learner.run(probe_log_softmax, X)
    expect_close(out, ref_log_softmax(X), what="log_softmax(X)", inputs={"X": X}, mistakes=log_softmax_mistakes(X))
    expect_close(after, before, what="X after log_softmax(X) (it must not be modified in place)", inputs={"X": X}, atol=0, rtol=0)


def test_log_softmax_large_logits(learner, rng):
    X = rng.normal((4, 6), scale=300.0) + 500.0
    X[1] = -X[1]
    X[2, 0] += 200.0
    out, _, _ = learner.run(probe_log_softmax, X)
    expect_close(out, ref_log_softmax(X), what="log_softmax(X) for large logits", inputs={"X": X}, atol=1e-4,
                 mistakes=log_softmax_mistakes(X))


def test_log_softmax_rows_of_different_scale(learner, rng):
    X = rng.normal((3, 5))
    X[0] += 2000.0
    out, _, _ = learner.run(probe_log_softmax, X)
    expect_close(out, ref_log_softmax(X), what="log_softmax(X) with rows of very different scale", inputs={"X": X},
                 atol=1e-4, mistakes=log_softmax_mistakes(X))


def test_log_softmax_gradient(learner, rng):
    X, G = rng.normal((3, 4)), rng.normal((3, 4))
    got = learner.run(probe_log_softmax_grad, X, G)
    if got is None:
        fail("log_softmax(X) is not differentiable: the result does not require grad when X does")
    Xr = X.double().requires_grad_(True)
    (F.log_softmax(Xr, -1) * G.double()).sum().backward()
    expect_close(got, Xr.grad.float(), what="the gradient of sum(log_softmax(X) * G) with respect to X", inputs={"X": X}, atol=1e-5)


def test_cross_entropy_values(learner, rng):
    logits, y = rng.normal((6, 4)), rng.integers(0, 4, (6,))
    got = learner.run(probe_cross_entropy, logits, y)
    if isinstance(got, torch.Tensor) and got.dim() == 0:
        fail("cross_entropy(logits, y) returned a single number: return one loss per example, shape (n,) "
             "(no .mean() or .sum(); the training loop reduces them)")
    expect_close(got, ref_ce(logits, y), what="cross_entropy(logits, y)", inputs={"logits": logits, "y": y},
                 mistakes=ce_mistakes(logits, y))


def test_cross_entropy_large_logits(learner, rng):
    logits = rng.normal((5, 3), scale=400.0)
    y = rng.integers(0, 3, (5,))
    got = learner.run(probe_cross_entropy, logits, y)
    expect_close(got, ref_ce(logits, y), what="cross_entropy(logits, y) for large logits", inputs={"logits": logits, "y": y},
                 atol=1e-3, mistakes=ce_mistakes(logits, y))


def test_cross_entropy_float64(learner, rng):
    logits, y = rng.normal((3, 7), dtype=torch.float64), rng.integers(0, 7, (3,))
    got = learner.run(probe_cross_entropy, logits, y)
    expect_close(got, ref_ce(logits, y), what="cross_entropy(logits, y) for float64 logits", inputs={"logits": logits, "y": y},
                 atol=1e-12, rtol=1e-10)


def test_cross_entropy_gradient(learner, rng):
    logits, y, G = rng.normal((4, 5)), rng.integers(0, 5, (4,)), rng.uniform((4,), 0.5, 1.5)
    got = learner.run(probe_cross_entropy_grad, logits, y, G)
    if got is None:
        fail("cross_entropy(logits, y) is not differentiable: the losses do not require grad when the logits do")
    Lr = logits.double().requires_grad_(True)
    (F.cross_entropy(Lr, y, reduction="none") * G.double()).sum().backward()
    expect_close(got, Lr.grad.float(), what="the gradient of sum(cross_entropy(logits, y) * G) with respect to the logits",
                 inputs={"logits": logits}, atol=1e-5)


@skip_on_meta
def test_accuracy_from_scores(learner, rng):
    y_hat, y = rng.normal((12, 3)), rng.integers(0, 3, (12,))
    y[:6] = y_hat[:6].argmax(dim=1)  # at least half right, so a count and a fraction differ
    got = learner.run(probe_accuracy, y_hat, y)
    check_accuracy(got, y_hat, y, "accuracy(y_hat, y) for (12, 3) scores")


@skip_on_meta
def test_accuracy_from_labels(learner, rng):
    y = rng.integers(0, 4, (10,))
    y_hat = y.clone().to(torch.float32)
    y_hat[:3] = (y_hat[:3] + 1) % 4
    got = learner.run(probe_accuracy, y_hat, y)
    check_accuracy(got, y_hat, y, "accuracy(y_hat, y) when y_hat holds (10,) float labels")
