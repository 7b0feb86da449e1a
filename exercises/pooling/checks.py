"""Hidden checks for the pooling exercise. Probes run in the learner's process; checks here decide."""

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import expect_close, fail, fmt_shape


# ---------------------------------------------------------------------------- probes (child side)


def probe_pool(mod, X, pool_size, mode):
    before = X.clone()
    out = mod.pool2d(X, pool_size, mode)
    return out, before, X


def probe_pool_default(mod, X, pool_size):
    return mod.pool2d(X, pool_size)


def probe_grad(mod, X, pool_size, mode, G):
    X = X.clone().requires_grad_(True)
    out = mod.pool2d(X, pool_size, mode)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    (out * G).sum().backward()
    return X.grad


# ---------------------------------------------------------------------------- references (parent)


def ref(X, pool_size, mode="max"):
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    return pool(X.double()[None, None], tuple(pool_size), stride=1)[0, 0].to(X.dtype)


def ref_sum(X, pool_size):
    p_h, p_w = pool_size
    return (ref(X.double(), pool_size, "avg") * (p_h * p_w)).to(X.dtype)


def _shape_mistakes(got, X, pool_size, what):
    p_h, p_w = pool_size
    h, w = X.shape
    if not isinstance(got, torch.Tensor):
        return
    shape = tuple(got.shape)
    where = f" for X of shape {fmt_shape(X)}, pool_size={tuple(pool_size)}"
    if shape == (h - p_h, w - p_w):
        fail(f"{what} has shape {shape}, expected {(h - p_h + 1, w - p_w + 1)}: one row and column short "
             f"(there are h - p_h + 1 window positions down and w - p_w + 1 across){where}")
    if p_h != p_w and shape == (h - p_w + 1, w - p_h + 1):
        fail(f"{what} has shape {shape}, expected {(h - p_h + 1, w - p_w + 1)}: swapped p_h and p_w; "
             f"pool_size is (rows, columns), so the window is X[i:i + p_h, j:j + p_w]{where}")


# ---------------------------------------------------------------------------- checks, in order


def test_max_book_example(learner):
    X = torch.arange(9.0).reshape(3, 3)
    out, _, _ = learner.run(probe_pool, X, (2, 2), "max")
    _shape_mistakes(out, X, (2, 2), "pool2d(X, (2, 2), 'max')")
    expect_close(out, ref(X, (2, 2)), what="pool2d(X, (2, 2), 'max') for the book's X = arange(9).reshape(3, 3)", mistakes={
        "ignores mode: 'max' must take each window's maximum": ref(X, (2, 2), "avg"),
        "took the minimum of each window; max pooling takes the maximum": -ref(-X, (2, 2)),
    })


def test_avg_book_example(learner):
    X = torch.arange(9.0).reshape(3, 3)
    out, _, _ = learner.run(probe_pool, X, (2, 2), "avg")
    expect_close(out, ref(X, (2, 2), "avg"), what="pool2d(X, (2, 2), 'avg') for the book's X = arange(9).reshape(3, 3)", mistakes={
        "ignores mode: 'avg' must take each window's mean, not its maximum": ref(X, (2, 2), "max"),
        "added the window up; average pooling divides the sum by p_h * p_w (use .mean())": ref_sum(X, (2, 2)),
    })


def test_default_mode_is_max(learner, rng):
    X = rng.normal((4, 5))
    out = learner.run(probe_pool_default, X, (2, 2))
    expect_close(out, ref(X, (2, 2)), what="pool2d(X, (2, 2)) with the default mode", inputs={"X": X},
                 mistakes={"the default mode must be 'max'": ref(X, (2, 2), "avg")})


def test_max_rectangular_window(learner, rng):
    X = rng.normal((6, 7))
    out, before, after = learner.run(probe_pool, X, (2, 3), "max")
    _shape_mistakes(out, X, (2, 3), "pool2d(X, (2, 3), 'max')")
    expect_close(out, ref(X, (2, 3)), what="pool2d(X, (2, 3), 'max')", inputs={"X": X}, mistakes={
        "ignores mode: 'max' must take each window's maximum": ref(X, (2, 3), "avg"),
        "took the minimum of each window; max pooling takes the maximum": -ref(-X, (2, 3)),
    })
    expect_close(after, before, what="X after pool2d(X, (2, 3), 'max') (it must not be modified in place)", atol=0, rtol=0)


def test_avg_rectangular_window(learner, rng):
    X = rng.normal((7, 5))
    out, before, after = learner.run(probe_pool, X, (3, 2), "avg")
    _shape_mistakes(out, X, (3, 2), "pool2d(X, (3, 2), 'avg')")
    expect_close(out, ref(X, (3, 2), "avg"), what="pool2d(X, (3, 2), 'avg')", inputs={"X": X}, mistakes={
        "ignores mode: 'avg' must take each window's mean, not its maximum": ref(X, (3, 2), "max"),
        "added the window up; average pooling divides the sum by p_h * p_w (use .mean())": ref_sum(X, (3, 2)),
    })
    expect_close(after, before, what="X after pool2d(X, (3, 2), 'avg') (it must not be modified in place)", atol=0, rtol=0)


def test_float64(learner, rng):
    X = rng.normal((5, 5), dtype=torch.float64)
    for mode in ("max", "avg"):
        out, _, _ = learner.run(probe_pool, X, (3, 3), mode)
        if isinstance(out, torch.Tensor) and out.dtype != torch.float64:
            fail(f"pool2d(X, (3, 3), '{mode}') returned {str(out.dtype).replace('torch.', '')} for a float64 X: create the "
                 "output with torch.zeros(..., dtype=X.dtype, device=X.device)")
        expect_close(out, ref(X, (3, 3), mode), what=f"pool2d(X, (3, 3), '{mode}') for a float64 X", inputs={"X": X},
                     atol=1e-12, rtol=1e-10)


def test_gradients(learner, rng):
    X = rng.normal((5, 6))
    for mode, size in (("max", (2, 2)), ("avg", (2, 3))):
        out_shape = (5 - size[0] + 1, 6 - size[1] + 1)
        G = rng.normal(out_shape)
        got = learner.run(probe_grad, X, size, mode, G)
        if got is None:
            fail(f"pool2d(X, {size}, '{mode}') is not differentiable: the result does not require grad when X does "
                 "(build it from X, without .item(), .data or torch.tensor(...))")
        Xr = X.double().requires_grad_(True)
        pool = F.max_pool2d if mode == "max" else F.avg_pool2d
        (pool(Xr[None, None], size, stride=1)[0, 0] * G.double()).sum().backward()
        expect_close(got, Xr.grad.float(), what=f"the gradient of sum(pool2d(X, {size}, '{mode}') * G) with respect to X",
                     inputs={"X": X})
