"""Hidden checks for the trans-conv exercise. References: torch's conv_transpose2d in float64, here
in the parent. Named mistakes: a flipped kernel, windows placed without the stride; output sizes
that add the padding, leave it, or crop it with Y[p:-p]."""

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import expect_close, fail, fmt_shape


# ---------------------------------------------------------------------------- probes (child side)


def probe_trans_conv(mod, X, K, stride, padding):
    before_X, before_K = X.clone(), K.clone()
    out = mod.trans_conv(X, K, stride, padding)
    return out, before_X, X, before_K, K


def probe_trans_conv_book_call(mod, X, K):
    return mod.trans_conv(X, K)


def probe_grad(mod, X, K, G, stride, padding):
    X = X.clone().requires_grad_(True)
    K = K.clone().requires_grad_(True)
    out = mod.trans_conv(X, K, stride, padding)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None, None
    (out * G).sum().backward()
    return X.grad, K.grad


# ---------------------------------------------------------------------------- references (parent)


def ref(X, K, stride=1, padding=0):
    return F.conv_transpose2d(X.double()[None, None], K.double()[None, None], stride=stride, padding=padding)[0, 0].to(X.dtype)


def no_stride_placement(X, K, stride, padding):
    """Windows at (i, j) instead of (i * stride, j * stride), in an output of the right size."""
    h, w = X.shape
    kh, kw = K.shape
    Y = torch.zeros(((h - 1) * stride + kh, (w - 1) * stride + kw), dtype=torch.float64)
    for i in range(h):
        for j in range(w):
            Y[i:i + kh, j:j + kw] += X[i, j].double() * K.double()
    return Y[padding:Y.shape[0] - padding, padding:Y.shape[1] - padding].to(X.dtype)


FLIPPED = ("flipped the kernel: each X[i, j] adds X[i, j] * K as it is (K[0, 0] at the window's upper-left corner), "
           "not the kernel rotated by 180 degrees")
NO_STRIDE = "each window must start at (i * stride, j * stride), not at (i, j)"


def expect_size(got, X, K, stride, padding, what):
    if not isinstance(got, torch.Tensor) or got.dim() != 2:
        return
    (h, w), (kh, kw) = X.shape, K.shape
    H, W = (h - 1) * stride + kh, (w - 1) * stride + kw
    right = (H - 2 * padding, W - 2 * padding)
    shape = tuple(got.shape)
    if shape == right:
        return
    base = f"{what} has shape {fmt_shape(got)}, expected {right}: "
    if padding and shape == (H + 2 * padding, W + 2 * padding):
        fail(base + "padding in a transposed convolution removes rows and columns (2 * padding fewer), it does not add them")
    if padding and shape == (H, W):
        fail(base + "the padding was not applied: remove `padding` rows and columns from every border of the output")
    if padding == 0 and shape[0] * shape[1] == 0:
        fail(base + "Y[p:-p] is empty when p is 0; crop with Y[p:Y.shape[0] - p, p:Y.shape[1] - p]")
    if stride > 1 and shape == (h + kh - 1 - 2 * padding, w + kw - 1 - 2 * padding):
        fail(base + "the stride was ignored: with stride s the output has (h - 1) * s + kh rows before the padding is removed")
    fail(base + "(h - 1) * stride + kh - 2 * padding rows and (w - 1) * stride + kw - 2 * padding columns")


def check(learner, X, K, stride, padding, what, **tol):
    got, bX, aX, bK, aK = learner.run(probe_trans_conv, X, K, stride, padding)
    expect_size(got, X, K, stride, padding, what)
    mistakes = {FLIPPED: ref(X, K.flip(0, 1), stride, padding)}
    if stride > 1:
        mistakes[NO_STRIDE] = no_stride_placement(X, K, stride, padding)
    expect_close(got, ref(X, K, stride, padding), what=what, inputs={"X": X, "K": K}, mistakes=mistakes, **tol)
    expect_close(aX, bX, what=f"X after {what} (it must not be modified in place)", atol=0, rtol=0)
    expect_close(aK, bK, what=f"K after {what} (it must not be modified in place)", atol=0, rtol=0)


# ---------------------------------------------------------------------------- checks, in order


def test_book_example(learner):
    X = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    got = learner.run(probe_trans_conv_book_call, X, K)
    expect_size(got, X, K, 1, 0, "trans_conv(X, K)")
    expect_close(got, ref(X, K), what="trans_conv(X, K) for the book's X = K = [[0, 1], [2, 3]]", mistakes={
        FLIPPED: ref(X, K.flip(0, 1)),
    })


def test_rectangular(learner, rng):
    check(learner, rng.normal((3, 4)), rng.normal((2, 3)), 1, 0, "trans_conv(X, K)")


def test_stride(learner, rng):
    check(learner, rng.normal((2, 3)), rng.normal((3, 2)), 2, 0, "trans_conv(X, K, stride=2)")


def test_padding(learner, rng):
    check(learner, rng.normal((3, 3)), rng.normal((3, 3)), 1, 1, "trans_conv(X, K, stride=1, padding=1)")


def test_stride_and_padding(learner, rng):
    check(learner, rng.normal((3, 4)), rng.normal((4, 3)), 3, 1, "trans_conv(X, K, stride=3, padding=1)")


def test_float64(learner, rng):
    X, K = rng.normal((3, 2), dtype=torch.float64), rng.normal((2, 2), dtype=torch.float64)
    got, *_ = learner.run(probe_trans_conv, X, K, 2, 0)
    if isinstance(got, torch.Tensor) and got.dtype != torch.float64:
        fail(f"trans_conv(X, K, stride=2) returned {str(got.dtype).replace('torch.', '')} for float64 inputs: create the "
             "output with torch.zeros(..., dtype=X.dtype, device=X.device)")
    expect_close(got, ref(X, K, 2, 0), what="trans_conv(X, K, stride=2) for float64 inputs", inputs={"X": X, "K": K},
                 atol=1e-12, rtol=1e-10)


def test_gradient(learner, rng):
    X, K, G = rng.normal((3, 3)), rng.normal((2, 3)), rng.normal((4, 5))
    gX, gK = learner.run(probe_grad, X, K, G, 2, 1)
    if gX is None or gK is None:
        fail("trans_conv(X, K) is not differentiable: the result does not require grad when X and K do "
             "(build it from X and K, without .item(), .data or torch.tensor(...))")
    Xr, Kr = X.double().requires_grad_(True), K.double().requires_grad_(True)
    (F.conv_transpose2d(Xr[None, None], Kr[None, None], stride=2, padding=1)[0, 0] * G.double()).sum().backward()
    expect_close(gX, Xr.grad.float(), what="the gradient of sum(trans_conv(X, K, 2, 1) * G) with respect to X", inputs={"X": X, "K": K})
    expect_close(gK, Kr.grad.float(), what="the gradient of sum(trans_conv(X, K, 2, 1) * G) with respect to K", inputs={"X": X, "K": K})
