"""Hidden checks for the style-transfer exercise. References in float64 here, in the parent.
Named mistakes: a Gram matrix not normalised (or by h * w only), X Xᵀ taken the wrong way round,
sums instead of means, targets that still receive gradients, gram applied to gram_Y again,
total variation without the 0.5, with squares, or in one direction only."""

import torch

from learndl_cli.grader.api import expect, expect_close, fail, fmt_shape


# ---------------------------------------------------------------------------- probes (child side)


def probe_call(mod, fname, *args):
    before = [a.clone() for a in args]
    out = getattr(mod, fname)(*args)
    return out, before, list(args)


def probe_target_grad(mod, fname, Y_hat, target):
    """Gradients of the loss with respect to Y_hat and to the target (None when it is detached)."""
    Y_hat = Y_hat.clone().requires_grad_(True)
    target = target.clone().requires_grad_(True)
    loss = getattr(mod, fname)(Y_hat, target)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return None, None
    loss.backward()
    return Y_hat.grad, target.grad


def probe_tv_grad(mod, Y_hat):
    Y_hat = Y_hat.clone().requires_grad_(True)
    loss = mod.tv_loss(Y_hat)
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return None
    loss.backward()
    return Y_hat.grad


# ---------------------------------------------------------------------------- references (parent)


def ref_gram(X, norm="chw"):
    c = X.shape[1]
    n = X.numel() // c
    M = X.double().reshape(c, n)
    G = M @ M.T
    return G / {"chw": c * n, "hw": n // max(X.shape[0], 1), "none": 1}[norm]


def ref_content(Y_hat, Y, reduce="mean"):
    d = torch.square(Y_hat.double() - Y.double())
    return d.mean() if reduce == "mean" else d.sum()


def ref_style(Y_hat, gram_Y, *, reduce="mean", gram_twice=False):
    target = ref_gram(gram_Y.reshape(1, *gram_Y.shape, 1)) if gram_twice else gram_Y.double()
    d = torch.square(ref_gram(Y_hat) - target)
    return d.mean() if reduce == "mean" else d.sum()


def ref_tv(Y, *, half=True, square=False, only=None, reduce="mean"):
    Y = Y.double()
    f = torch.square if square else torch.abs
    v = f(Y[:, :, 1:, :] - Y[:, :, :-1, :])
    h = f(Y[:, :, :, 1:] - Y[:, :, :, :-1])
    v, h = (v.mean(), h.mean()) if reduce == "mean" else (v.sum(), h.sum())
    total = v if only == "v" else h if only == "h" else v + h
    return 0.5 * total if half and only is None else total


def _unchanged(before, after, what):
    for b, a in zip(before, after):
        expect_close(a, b, what=f"the inputs after {what} (they must not be modified in place)", atol=0, rtol=0)


SUM = "use the mean of the squared differences, not their sum"


# ---------------------------------------------------------------------------- checks, in order


def test_gram(learner, rng):
    X = rng.normal((1, 3, 4, 5))
    got, before, after = learner.run(probe_call, "gram", X)
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (20, 20):
        fail(f"gram(X) has shape {fmt_shape(got)}, expected (3, 3): with X reshaped to (c, h*w) the Gram matrix is "
             "X @ X.T (channels by channels), not X.T @ X")
    expect_close(got, ref_gram(X).float(), what="gram(X)", inputs={"X": X}, mistakes={
        "the Gram matrix must be divided by c * h * w (the number of values in X), so that layers of any size weigh "
        "alike": ref_gram(X, "none").float(),
        "divided by h * w only; the book divides by c * h * w": ref_gram(X, "hw").float(),
    })
    _unchanged(before, after, "gram(X)")


def test_gram_float64(learner, rng):
    X = rng.normal((1, 4, 3, 2), dtype=torch.float64)
    got, *_ = learner.run(probe_call, "gram", X)
    expect_close(got, ref_gram(X), what="gram(X) for a float64 X", inputs={"X": X}, atol=1e-12, rtol=1e-10)


def test_content_loss(learner, rng):
    Y_hat, Y = rng.normal((1, 3, 4, 4)), rng.normal((1, 3, 4, 4))
    got, before, after = learner.run(probe_call, "content_loss", Y_hat, Y)
    expect_close(got, ref_content(Y_hat, Y).float(), what="content_loss(Y_hat, Y)", inputs={"Y_hat": Y_hat, "Y": Y},
                 mistakes={SUM: ref_content(Y_hat, Y, "sum").float()})
    _unchanged(before, after, "content_loss(Y_hat, Y)")


def test_content_loss_target_is_fixed(learner, rng):
    Y_hat, Y = rng.normal((1, 2, 3, 3)), rng.normal((1, 2, 3, 3))
    g_hat, g_target = learner.run(probe_target_grad, "content_loss", Y_hat, Y)
    if g_hat is None:
        fail("content_loss(Y_hat, Y) is not differentiable with respect to Y_hat (no .item(), .data or torch.tensor(...))")
    expect(g_target is None, "content_loss(Y_hat, Y) sends gradients into the content features Y: they are a fixed "
                             "target; use Y.detach()")
    expect_close(g_hat, (2 * (Y_hat.double() - Y.double()) / Y.numel()).float(),
                 what="the gradient of content_loss(Y_hat, Y) with respect to Y_hat", inputs={"Y_hat": Y_hat})


def test_style_loss(learner, rng):
    Y_hat, X = rng.normal((1, 3, 4, 4)), rng.normal((1, 3, 5, 2))
    gram_Y = ref_gram(X).float()
    got, before, after = learner.run(probe_call, "style_loss", Y_hat, gram_Y)
    expect_close(got, ref_style(Y_hat, gram_Y).float(), what="style_loss(Y_hat, gram_Y)",
                 inputs={"Y_hat": Y_hat, "gram_Y": gram_Y}, mistakes={
        SUM: ref_style(Y_hat, gram_Y, reduce="sum").float(),
        "gram_Y is already a Gram matrix: compare gram(Y_hat) with gram_Y itself, do not apply gram to it again":
            ref_style(Y_hat, gram_Y, gram_twice=True).float(),
    })
    _unchanged(before, after, "style_loss(Y_hat, gram_Y)")


def test_style_loss_target_is_fixed(learner, rng):
    Y_hat, X = rng.normal((1, 2, 3, 3)), rng.normal((1, 2, 3, 3))
    g_hat, g_target = learner.run(probe_target_grad, "style_loss", Y_hat, ref_gram(X).float())
    if g_hat is None:
        fail("style_loss(Y_hat, gram_Y) is not differentiable with respect to Y_hat")
    expect(g_target is None, "style_loss(Y_hat, gram_Y) sends gradients into gram_Y: the style's Gram matrix is a "
                             "fixed target; use gram_Y.detach()")
    Yr = Y_hat.double().requires_grad_(True)
    ref_style(Yr, ref_gram(X)).backward()
    expect_close(g_hat, Yr.grad.float(), what="the gradient of style_loss with respect to Y_hat", inputs={"Y_hat": Y_hat})


def test_tv_loss(learner, rng):
    Y = rng.normal((2, 3, 4, 6))
    got, before, after = learner.run(probe_call, "tv_loss", Y)
    expect_close(got, ref_tv(Y).float(), what="tv_loss(Y_hat)", inputs={"Y_hat": Y}, mistakes={
        "total variation is 0.5 * (vertical + horizontal mean differences): the 0.5 is missing": ref_tv(Y, half=False).float(),
        "total variation uses absolute differences |a - b|, not squares": ref_tv(Y, square=True).float(),
        "only the vertical neighbour differences (along h): add the horizontal ones (along w)": ref_tv(Y, only="v").float(),
        "only the horizontal neighbour differences (along w): add the vertical ones (along h)": ref_tv(Y, only="h").float(),
        "total variation takes the mean of the absolute differences, not their sum": ref_tv(Y, reduce="sum").float(),
    })
    _unchanged(before, after, "tv_loss(Y_hat)")


def test_tv_loss_gradient(learner, rng):
    Y = rng.normal((1, 2, 3, 4))
    got = learner.run(probe_tv_grad, Y)
    if got is None:
        fail("tv_loss(Y_hat) is not differentiable with respect to Y_hat")
    Yr = Y.double().requires_grad_(True)
    ref_tv(Yr).backward()
    expect_close(got, Yr.grad.float(), what="the gradient of tv_loss(Y_hat)", inputs={"Y_hat": Y})
