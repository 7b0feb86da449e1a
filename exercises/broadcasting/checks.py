"""Hidden checks for the broadcasting exercise. Probes run in the learner's process; checks here decide."""

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from learndl_cli.grader.api import expect, expect_close, fail


# ---------------------------------------------------------------------------- probes (child side)


class _CountOps(TorchDispatchMode):
    """Counts the aten operations run while it is active (a loop over rows runs many)."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def probe_dists(mod, X, Y):
    X0, Y0 = X.clone(), Y.clone()
    D = mod.pairwise_sq_dists(X, Y)
    return D, X0, X, Y0, Y


def probe_dists_ops(mod, X, Y):
    counter = _CountOps()
    with counter:
        D = mod.pairwise_sq_dists(X, Y)
    return D, counter.count


def probe_dists_grad(mod, X, Y, G):
    X = X.clone().requires_grad_(True)
    Y = Y.clone().requires_grad_(True)
    D = mod.pairwise_sq_dists(X, Y)
    if not isinstance(D, torch.Tensor) or not D.requires_grad:
        return None
    (D * G).sum().backward()
    return X.grad, Y.grad


def probe_one_hot(mod, y, num_classes):
    return mod.one_hot(y, num_classes)


def probe_one_hot_ops(mod, y, num_classes):
    counter = _CountOps()
    with counter:
        out = mod.one_hot(y, num_classes)
    return out, counter.count


# ---------------------------------------------------------------------------- references (parent)


def ref_dists(X, Y):
    X64, Y64 = X.double(), Y.double()
    return ((X64[:, None, :] - Y64[None, :, :]) ** 2).sum(-1).to(X.dtype)


def dists_mistakes(X, Y):
    X64, Y64 = X.double(), Y.double()
    D = ((X64[:, None, :] - Y64[None, :, :]) ** 2).sum(-1)
    xx, yy, xy = (X64 * X64).sum(1), (Y64 * Y64).sum(1), X64 @ Y64.T
    return {
        "took the square root: return the *squared* distances (no sqrt)": D.sqrt(),
        "the cross term has the wrong sign: ||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y": xx[:, None] + yy[None, :] + 2 * xy,
        "the norms are broadcast along the wrong axis: ||x_i||^2 must be a column (n, 1) and ||y_j||^2 a row (1, m)":
            xx[None, :] + yy[:, None] - 2 * xy if X.shape[0] == Y.shape[0] else D + 1e9,
        "the norms are broadcast along the wrong axis: ||x_i||^2 must be a column (n, 1), not a row":
            xx[None, :] + yy[None, :] - 2 * xy if X.shape[0] == Y.shape[0] else D + 1e9,
        "the pairs are transposed: D[i, j] compares row i of X with row j of Y, so subtract X[:, None, :] - Y[None, :, :] "
        "(the result is (n, m))": D.T if D.shape[0] == D.shape[1] else D + 1e9,
        "forgot to square the differences": (X64[:, None, :] - Y64[None, :, :]).sum(-1),
        "summed absolute differences (the L1 distance): square each difference, (x - y) ** 2": (X64[:, None, :] - Y64[None, :, :]).abs().sum(-1),
    }


ROWWISE = ("compared row i of X with row i of Y only (X - Y pairs rows, it does not broadcast): "
           "X[:, None, :] - Y[None, :, :] compares every row of X with every row of Y")


def expect_pairs(D, X, Y, **kw):
    """A (n,) result equal to the row-by-row distances is the classic no-broadcast mistake."""
    if (isinstance(D, torch.Tensor) and D.device.type != "meta" and X.shape == Y.shape and tuple(D.shape) == (X.shape[0],)
            and torch.allclose(D.double(), ((X.double() - Y.double()) ** 2).sum(-1), atol=1e-4, rtol=1e-4)):
        fail(f"pairwise_sq_dists(X, Y) has shape {tuple(D.shape)}, expected {(X.shape[0], Y.shape[0])}: {ROWWISE}")
    expect_close(D, ref_dists(X, Y), mistakes=dists_mistakes(X, Y), **kw)


def ref_one_hot(y, num_classes):
    return torch.nn.functional.one_hot(y, num_classes).to(torch.float32)


# ---------------------------------------------------------------------------- checks, in order


def test_sq_dists_square_inputs(learner, rng):
    X, Y = rng.normal((6, 4)), rng.normal((6, 4)) + 0.5
    D, *_ = learner.run(probe_dists, X, Y)
    expect_pairs(D, X, Y, what="pairwise_sq_dists(X, Y) with n == m", inputs={"X": X, "Y": Y}, atol=1e-4)


def test_sq_dists_values(learner, rng):
    X, Y = rng.normal((5, 3)), rng.normal((4, 3))
    D, X0, X1, Y0, Y1 = learner.run(probe_dists, X, Y)
    expect_close(D, ref_dists(X, Y), what="pairwise_sq_dists(X, Y)", inputs={"X": X, "Y": Y}, atol=1e-4,
                 mistakes=dists_mistakes(X, Y))
    expect_close(X1, X0, what="X after pairwise_sq_dists (it must not be modified in place)", atol=0, rtol=0)
    expect_close(Y1, Y0, what="Y after pairwise_sq_dists (it must not be modified in place)", atol=0, rtol=0)


def test_sq_dists_one_feature_and_float64(learner, rng):
    X, Y = rng.normal((7, 1), dtype=torch.float64), rng.normal((2, 1), dtype=torch.float64)
    D, *_ = learner.run(probe_dists, X, Y)
    expect_close(D, ref_dists(X, Y), what="pairwise_sq_dists(X, Y) for float64 inputs with d = 1",
                 inputs={"X": X, "Y": Y}, atol=1e-10, rtol=1e-8, mistakes=dists_mistakes(X, Y))


def test_sq_dists_no_python_loops(learner, rng):
    X, Y = rng.normal((48, 5)), rng.normal((40, 5))
    D, count = learner.run(probe_dists_ops, X, Y)
    expect_close(D, ref_dists(X, Y), what="pairwise_sq_dists(X, Y)", inputs={"X": X, "Y": Y}, atol=1e-4)
    expect(count <= 30, f"pairwise_sq_dists loops in Python: it ran {count} tensor operations for 48 x 40 rows "
           "(a broadcast version needs about 5); use X[:, None, :] - Y[None, :, :] instead of a loop")


def test_sq_dists_gradient(learner, rng):
    X, Y, G = rng.normal((4, 3)), rng.normal((5, 3)), rng.normal((4, 5))
    got = learner.run(probe_dists_grad, X, Y, G)
    if got is None:
        fail("pairwise_sq_dists(X, Y) is not differentiable: the result does not require grad when X and Y do")
    Xr, Yr = X.double().requires_grad_(True), Y.double().requires_grad_(True)
    (((Xr[:, None, :] - Yr[None, :, :]) ** 2).sum(-1) * G.double()).sum().backward()
    expect_close(got[0], Xr.grad.float(), what="the gradient of sum(D * G) with respect to X", inputs={"X": X, "Y": Y}, atol=1e-4)
    expect_close(got[1], Yr.grad.float(), what="the gradient of sum(D * G) with respect to Y", inputs={"X": X, "Y": Y}, atol=1e-4)


def test_one_hot_values(learner, rng):
    y = rng.integers(0, 5, (8,))
    y[0], y[1] = 0, 4
    got = learner.run(probe_one_hot, y, 5)
    expect_close(got, ref_one_hot(y, 5), what="one_hot(y, 5)", inputs={"y": y}, atol=0, rtol=0, mistakes={
        "the 0s and 1s are swapped: row i has a 1 in column y[i] and 0 elsewhere (==, not !=)": 1 - ref_one_hot(y, 5),
        "the classes were numbered from 1: column j stands for class j, so compare y with torch.arange(num_classes)":
            (y[:, None] == torch.arange(1, 6)[None, :]).float(),
    })


def test_one_hot_uses_num_classes(learner, rng):
    y = rng.integers(0, 4, (6,))
    got = learner.run(probe_one_hot, y, 10)
    if isinstance(got, torch.Tensor) and got.dim() == 2 and got.shape[0] == 6 and got.shape[1] != 10:
        fail(f"one_hot(y, 10) has {got.shape[1]} columns: use num_classes, not y.max() + 1 "
             "(a batch need not contain every class)")
    if isinstance(got, torch.Tensor) and got.shape == (10, 6):
        fail("one_hot(y, 10) is transposed: rows are examples (y.shape), the new last dimension is the class")
    expect_close(got, ref_one_hot(y, 10), what="one_hot(y, 10) when y uses only classes 0..3", inputs={"y": y}, atol=0, rtol=0)


def test_one_hot_any_shape(learner, rng):
    y = rng.integers(0, 3, (2, 4))
    got = learner.run(probe_one_hot, y, 3)
    expect_close(got, ref_one_hot(y, 3), what="one_hot(y, 3) for a 2-D y", inputs={"y": y}, atol=0, rtol=0)


def test_one_hot_no_python_loops(learner, rng):
    y = rng.integers(0, 40, (50,))
    got, count = learner.run(probe_one_hot_ops, y, 40)
    expect_close(got, ref_one_hot(y, 40), what="one_hot(y, 40)", inputs={"y": y}, atol=0, rtol=0)
    expect(count <= 25, f"one_hot loops in Python: it ran {count} tensor operations for 50 labels and 40 classes "
           "(a broadcast version needs about 4); compare y.unsqueeze(-1) with torch.arange(num_classes) at once")
