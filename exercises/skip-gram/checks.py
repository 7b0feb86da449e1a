"""Hidden checks for the skip-gram exercise. References in float64 here, in the parent. Named mistakes:
the two embeddings swapped or one used for both, the product transposed; the loss without its mask,
averaged over the real positions only, averaged over the batch, or log(sigmoid(x)) overflowing."""

import torch
from torch import nn
from torch.nn import functional as F

from learndl_cli.grader.api import CheckFailed, expect_close, fail, fmt_shape


# ---------------------------------------------------------------------------- probes (child side)


def probe_skip_gram(mod, center, contexts, Wv, Wu):
    embed_v = nn.Embedding(Wv.shape[0], Wv.shape[1]).to(Wv.device)
    embed_u = nn.Embedding(Wu.shape[0], Wu.shape[1]).to(Wu.device)
    with torch.no_grad():
        embed_v.weight.copy_(Wv)
        embed_u.weight.copy_(Wu)
    pred = mod.skip_gram(center, contexts, embed_v, embed_u)
    if not isinstance(pred, torch.Tensor) or not pred.requires_grad:
        return pred, None, None
    pred.sum().backward()
    return pred, embed_v.weight.grad, embed_u.weight.grad


def probe_loss(mod, inputs, target, mask):
    loss = mod.SigmoidBCELoss()
    return loss(inputs, target, mask) if mask is not None else loss(inputs, target)


def probe_loss_grad(mod, inputs, target, mask):
    inputs = inputs.clone().requires_grad_(True)
    out = mod.SigmoidBCELoss()(inputs, target, mask)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    out.sum().backward()
    return inputs.grad


# ---------------------------------------------------------------------------- references (parent)


def ref_scores(center, contexts, Wv, Wu):
    v = Wv.double()[center]  # (batch, 1, d)
    u = Wu.double()[contexts]  # (batch, max_len, d)
    return v @ u.transpose(1, 2)


def ref_loss(x, y, mask=None, *, masked=True, reduce="row"):
    x, y = x.double(), y.double()
    out = -(y * F.logsigmoid(x) + (1 - y) * F.logsigmoid(-x))
    if mask is not None and masked:
        out = out * mask.double()
    if reduce == "row":
        return out.mean(dim=1)
    if reduce == "valid":
        return out.sum(dim=1) / mask.double().sum(dim=1)
    return out.mean(dim=0)


def naive_loss(x, y, mask, clamp=None):
    """log(sigmoid(x)) in float32, as a learner would write it; clamp=-100 is what F.binary_cross_entropy does."""
    s = torch.sigmoid(x)
    log_s, log_1s = torch.log(s), torch.log(1 - s)
    if clamp is not None:
        log_s, log_1s = log_s.clamp(min=clamp), log_1s.clamp(min=clamp)
    out = -(y * log_s + (1 - y) * log_1s) * mask
    return out.mean(dim=1)


def inputs(rng, batch=3, max_len=5, vocab=10, d=4):
    center = rng.integers(0, vocab, (batch, 1))
    contexts = rng.integers(0, vocab, (batch, max_len))
    return center, contexts, rng.normal((vocab, d)), rng.normal((vocab, d))


def loss_inputs(rng, batch=3, max_len=6):
    x = rng.normal((batch, max_len), scale=2.0)
    y = (rng.uniform((batch, max_len)) < 0.4).float()
    lens = [max_len, max_len - 2, 2][:batch]
    mask = torch.tensor([[1.0] * n + [0.0] * (max_len - n) for n in lens])
    return x, y, mask


NO_MASK = "padded positions must not count: multiply the per-element loss by the mask"
VALID_MEAN = ("averaged over the real positions only; the book's SigmoidBCELoss takes the mean over all max_len "
              "positions (masked ones count as 0) and the training loop rescales")
BATCH_MEAN = "the mean must be over dim 1 (each row's positions), giving one loss per example"


# ---------------------------------------------------------------------------- checks, in order


def test_skip_gram_scores(learner, rng):
    center, contexts, Wv, Wu = inputs(rng)
    pred, gv, gu = learner.run(probe_skip_gram, center, contexts, Wv, Wu)
    if isinstance(pred, torch.Tensor) and tuple(pred.shape) == (3, 5, 1):
        fail(f"skip_gram(...) has shape {fmt_shape(pred)}, expected (3, 1, 5): multiply v (batch, 1, d) by u "
             "transposed, (batch, d, max_len): torch.bmm(v, u.permute(0, 2, 1))")
    expect_close(pred, ref_scores(center, contexts, Wv, Wu).float(), what="skip_gram(center, contexts_and_negatives, embed_v, embed_u)",
                 inputs={"center": center, "contexts_and_negatives": contexts}, mistakes={
        "the embeddings are swapped: center words use embed_v, contexts and noise words embed_u":
            ref_scores(center, contexts, Wu, Wv).float(),
        "both lookups use embed_v: contexts and noise words take their vectors from embed_u":
            ref_scores(center, contexts, Wv, Wv).float(),
        "both lookups use embed_u: center words take their vectors from embed_v":
            ref_scores(center, contexts, Wu, Wu).float(),
    })


def test_skip_gram_trains_both_embeddings(learner, rng):
    center, contexts, Wv, Wu = inputs(rng, batch=2, max_len=4, vocab=6, d=3)
    pred, gv, gu = learner.run(probe_skip_gram, center, contexts, Wv, Wu)
    if gv is None or gu is None:
        fail("skip_gram(...) is not differentiable: gradients must reach embed_v and embed_u (no .detach() or .data)")
    Wvr, Wur = Wv.double().requires_grad_(True), Wu.double().requires_grad_(True)
    ref_scores(center, contexts, Wvr, Wur).sum().backward()
    expect_close(gv, Wvr.grad.float(), what="the gradient of skip_gram(...).sum() with respect to embed_v.weight")
    expect_close(gu, Wur.grad.float(), what="the gradient of skip_gram(...).sum() with respect to embed_u.weight")


def test_loss_with_mask(learner, rng):
    x, y, mask = loss_inputs(rng)
    got = learner.run(probe_loss, x, y, mask)
    if isinstance(got, torch.Tensor) and tuple(got.shape) in ((6,), ()):
        fail(f"SigmoidBCELoss()(inputs, target, mask) has shape {fmt_shape(got)}, expected (3,): {BATCH_MEAN}")
    expect_close(got, ref_loss(x, y, mask).float(), what="SigmoidBCELoss()(inputs, target, mask)",
                 inputs={"inputs": x, "mask": mask}, mistakes={
        NO_MASK: ref_loss(x, y, mask, masked=False).float(),
        VALID_MEAN: ref_loss(x, y, mask, reduce="valid").float(),
    })


def test_loss_without_mask(learner, rng):
    x, y, _ = loss_inputs(rng, batch=2, max_len=4)
    got = learner.run(probe_loss, x, y, None)
    expect_close(got, ref_loss(x, y).float(), what="SigmoidBCELoss()(inputs, target) with no mask", inputs={"inputs": x})


def test_loss_book_example(learner):
    x = torch.tensor([[1.1, -2.2, 3.3, -4.4]] * 2)
    y = torch.tensor([[1.0, 0.0, 0.0, 0.0]] * 2)
    mask = torch.tensor([[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]])
    got = learner.run(probe_loss, x, y, mask)
    expect_close(got, ref_loss(x, y, mask).float(), what="SigmoidBCELoss() for the book's example (about [0.9352, 0.0654])",
                 mistakes={NO_MASK: ref_loss(x, y, mask, masked=False).float(),
                                    VALID_MEAN: ref_loss(x, y, mask, reduce="valid").float()})


def test_loss_large_logits(learner, rng):
    x, y, mask = loss_inputs(rng)
    x = torch.sign(x) * 200.0
    x[0, 0], y[0, 0] = -200.0, 1.0  # a confident wrong answer: its loss is about 200, not inf
    got = learner.run(probe_loss, x, y, mask)
    expect_close(got, ref_loss(x, y, mask).float(), what="SigmoidBCELoss() for logits of +-200",
                 inputs={"inputs": x}, mistakes={
        "log(sigmoid(x)) overflows to -inf for large |x|: use F.logsigmoid(x) (and F.logsigmoid(-x) for 1 - sigma(x)), "
        "or F.binary_cross_entropy_with_logits": naive_loss(x, y, mask),
        "binary cross-entropy on sigmoid(x) clamps the log at -100 (F.binary_cross_entropy does), so a confident "
        "wrong logit of -200 costs 100, not 200: work on the logits (F.logsigmoid, or "
        "F.binary_cross_entropy_with_logits)": naive_loss(x, y, mask, clamp=-100.0),
    })


def test_loss_gradient(learner, rng):
    x, y, mask = loss_inputs(rng)
    got = learner.run(probe_loss_grad, x, y, mask)
    if got is None:
        fail("SigmoidBCELoss()(inputs, ...) is not differentiable with respect to inputs")
    xr = x.double().requires_grad_(True)
    ref_loss(xr, y, mask).sum().backward()
    expect_close(got, xr.grad.float(), what="the gradient of SigmoidBCELoss()(inputs, target, mask).sum() with respect to inputs")
