"""Hidden checks for the conv2d exercise. Probes run in the learner's process; checks here decide."""

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import expect, expect_close, fail, fmt_shape


# ---------------------------------------------------------------------------- probes (child side)


def probe_call(mod, fname, X, K):
    before_X, before_K = X.clone(), K.clone()
    out = getattr(mod, fname)(X, K)
    return out, before_X, X, before_K, K


def probe_grad(mod, X, K, G):
    X = X.clone().requires_grad_(True)
    K = K.clone().requires_grad_(True)
    out = mod.corr2d(X, K)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None, None
    (out * G).sum().backward()
    return X.grad, K.grad


def probe_shapes(mod, cases):
    return [mod.conv_output_shape(n, k, p, s) for n, k, p, s in cases]


# ---------------------------------------------------------------------------- references (parent)


def ref_corr2d(X, K):
    return F.conv2d(X.double()[None, None], K.double()[None, None])[0, 0].to(X.dtype)


def ref_multi_in(X, K):
    return F.conv2d(X.double()[None], K.double()[None])[0, 0].to(X.dtype)


def ref_multi_in_out(X, K):
    return F.conv2d(X.double()[None], K.double())[0].to(X.dtype)


def ref_output_size(n, k, p, s):
    """torch's own answer: the size of F.conv2d's output on a meta tensor (no data needed)."""
    x = torch.empty(1, 1, n, 1, device="meta")
    w = torch.empty(1, 1, k, 1, device="meta")
    return F.conv2d(x, w, padding=(p, 0), stride=(s, 1)).shape[2]


def _short_by_one(got, expected_shape, what, inputs):
    if isinstance(got, torch.Tensor) and got.dim() == len(expected_shape):
        short = tuple(e - 1 if i >= len(expected_shape) - 2 else e for i, e in enumerate(expected_shape))
        if tuple(got.shape) == short:
            fail(f"{what} has shape {fmt_shape(got)}, expected {tuple(expected_shape)}: one row and column short; "
                 f"a (h, w) input and a (kh, kw) kernel give h - kh + 1 by w - kw + 1 positions{_inputs(inputs)}")


def _inputs(inputs):
    return " for " + ", ".join(f"{k} of shape {fmt_shape(v)}" for k, v in inputs.items())


def _unchanged(before_X, X, before_K, K, what):
    expect_close(X, before_X, what=f"X after {what} (it must not be modified in place)", atol=0, rtol=0)
    expect_close(K, before_K, what=f"K after {what} (it must not be modified in place)", atol=0, rtol=0)


FLIPPED = "flipped the kernel: that is a true convolution; a convolutional layer computes cross-correlation (互相关), with K as it is"


# ---------------------------------------------------------------------------- checks, in order


def test_corr2d_book_example(learner):
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    out, *_ = learner.run(probe_call, "corr2d", X, K)
    _short_by_one(out, (2, 2), "corr2d(X, K)", {"X": X, "K": K})
    expect_close(out, ref_corr2d(X, K), what="corr2d(X, K) for the book's X = arange(9).reshape(3, 3), K = [[0, 1], [2, 3]]",
                 mistakes={FLIPPED: ref_corr2d(X, K.flip(0, 1))})


def test_corr2d(learner, rng):
    X, K = rng.normal((6, 8)), rng.normal((2, 3))
    out, bX, aX, bK, aK = learner.run(probe_call, "corr2d", X, K)
    _short_by_one(out, (5, 6), "corr2d(X, K)", {"X": X, "K": K})
    expect_close(out, ref_corr2d(X, K), what="corr2d(X, K)", inputs={"X": X, "K": K}, mistakes={
        FLIPPED: ref_corr2d(X, K.flip(0, 1)),
    })
    _unchanged(bX, aX, bK, aK, "corr2d(X, K)")


def test_corr2d_float64(learner, rng):
    X, K = rng.normal((5, 4), dtype=torch.float64), rng.normal((3, 2), dtype=torch.float64)
    out, *_ = learner.run(probe_call, "corr2d", X, K)
    if isinstance(out, torch.Tensor) and out.dtype != torch.float64:
        fail(f"corr2d(X, K) returned {str(out.dtype).replace('torch.', '')} for a float64 X: create the output with "
             "torch.zeros(..., dtype=X.dtype, device=X.device)")
    expect_close(out, ref_corr2d(X, K), what="corr2d(X, K) for a float64 X", inputs={"X": X, "K": K}, atol=1e-12, rtol=1e-10)


def test_corr2d_gradient(learner, rng):
    X, K, G = rng.normal((5, 6)), rng.normal((2, 2)), rng.normal((4, 5))
    gX, gK = learner.run(probe_grad, X, K, G)
    if gX is None or gK is None:
        fail("corr2d(X, K) is not differentiable: the result does not require grad when X and K do "
             "(build it from X and K, without .item(), .data or torch.tensor(...))")
    Xr, Kr = X.double().requires_grad_(True), K.double().requires_grad_(True)
    (F.conv2d(Xr[None, None], Kr[None, None])[0, 0] * G.double()).sum().backward()
    expect_close(gX, Xr.grad.float(), what="the gradient of sum(corr2d(X, K) * G) with respect to X", inputs={"X": X, "K": K})
    expect_close(gK, Kr.grad.float(), what="the gradient of sum(corr2d(X, K) * G) with respect to K", inputs={"X": X, "K": K})


def test_corr2d_multi_in(learner, rng):
    X, K = rng.normal((3, 5, 6)), rng.normal((3, 2, 3))
    out, bX, aX, bK, aK = learner.run(probe_call, "corr2d_multi_in", X, K)
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (3, 4, 4):
        fail("corr2d_multi_in(X, K) has shape (3, 4, 4), expected (4, 4): add up the per-channel results "
             f"(one 2-D output, the sum over input channels){_inputs({'X': X, 'K': K})}")
    per_channel = [ref_corr2d(x, k).double() for x, k in zip(X, K)]
    expect_close(out, ref_multi_in(X, K), what="corr2d_multi_in(X, K)", inputs={"X": X, "K": K}, mistakes={
        "averaged over the input channels; add them up (sum, not mean)": (sum(per_channel) / 3).float(),
        "used only the first input channel; add up corr2d(X[c], K[c]) over every channel c": per_channel[0].float(),
        "used only the last input channel; add up corr2d(X[c], K[c]) over every channel c": per_channel[-1].float(),
    })
    _unchanged(bX, aX, bK, aK, "corr2d_multi_in(X, K)")


def test_corr2d_multi_in_out(learner, rng):
    X, K = rng.normal((3, 5, 6)), rng.normal((4, 3, 2, 2))
    out, *_ = learner.run(probe_call, "corr2d_multi_in_out", X, K)
    expect_close(out, ref_multi_in_out(X, K), what="corr2d_multi_in_out(X, K)", inputs={"X": X, "K": K}, mistakes={
        "the output channels are in the wrong order or mixed up: stack corr2d_multi_in(X, K[o]) for o = 0, 1, ... along dim 0":
            ref_multi_in_out(X, K.flip(0)),
    })


def test_corr2d_multi_in_out_1x1(learner, rng):
    X, K = rng.normal((3, 4, 5)), rng.normal((2, 3, 1, 1))
    out, bX, aX, bK, aK = learner.run(probe_call, "corr2d_multi_in_out_1x1", X, K)
    expect_close(out, ref_multi_in_out(X, K), what="corr2d_multi_in_out_1x1(X, K)", inputs={"X": X, "K": K})
    _unchanged(bX, aX, bK, aK, "corr2d_multi_in_out_1x1(X, K)")
    X, K = rng.normal((4, 3, 3), dtype=torch.float64), rng.normal((5, 4, 1, 1), dtype=torch.float64)
    out, *_ = learner.run(probe_call, "corr2d_multi_in_out_1x1", X, K)
    expect_close(out, ref_multi_in_out(X, K), what="corr2d_multi_in_out_1x1(X, K) for float64 inputs",
                 inputs={"X": X, "K": K}, atol=1e-12, rtol=1e-10)


def test_conv_output_shape(learner):
    cases = [(8, 3, 1, 2), (8, 3, 0, 1), (7, 3, 1, 2), (224, 11, 1, 4), (28, 5, 2, 1), (6, 3, 1, 3), (5, 5, 0, 1), (10, 4, 2, 3)]
    got = learner.run(probe_shapes, cases)
    for (n, k, p, s), value in zip(cases, got):
        want = ref_output_size(n, k, p, s)
        call = f"conv_output_shape(n={n}, k={k}, p={p}, s={s})"
        if isinstance(value, float):
            fail(f"{call} returned {value!r}, a float: the output size is a whole number; use floor division "
                 f"(n - k + 2 * p) // s + 1 (expected {want})")
        expect(type(value) is int, f"{call} returned {type(value).__name__}, expected a Python int ({want})")
        if value == want:
            continue
        if value == (n - k + 2 * p) // s:
            fail(f"{call} returned {value}, expected {want}: missing +1 (the kernel's first position already gives "
                 "one output: floor((n - k + 2p) / s) + 1)")
        if value == (n - k + p + s) // s:
            fail(f"{call} returned {value}, expected {want}: padded only once; p is added on each side, "
                 "so the input grows by 2p")
        if value == -(-(n - k + 2 * p) // s) + 1:
            fail(f"{call} returned {value}, expected {want}: rounded up; a window that runs past the (padded) "
                 "input does not count, so round down (floor division //)")
        fail(f"{call} returned {value}, expected {want} (floor((n - k + 2p) / s) + 1)")
