"""Hidden checks for the seq2seq-masking exercise. Probes run in the learner's process; checks here decide."""

import torch
import torch.nn.functional as F

from learndl_cli.grader.api import expect_close, expect_shape, fail, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_mask(mod, X, valid_len, value):
    return mod.sequence_mask(X.clone(), valid_len, value)


def probe_mask_default(mod, X, valid_len):
    return mod.sequence_mask(X.clone(), valid_len)


def probe_loss(mod, pred, label, valid_len):
    loss = mod.MaskedSoftmaxCELoss()
    return loss(pred, label, valid_len)


def probe_loss_grad(mod, pred, label, valid_len, G):
    pred = pred.clone().requires_grad_(True)
    loss = mod.MaskedSoftmaxCELoss()
    out = loss(pred, label, valid_len)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return None
    (out * G).sum().backward()
    return pred.grad


# ---------------------------------------------------------------------------- references (parent)


def keep_mask(num_steps, valid_len, shift=0):
    return torch.arange(num_steps)[None, :] < (valid_len[:, None] + shift)


def ref_mask(X, valid_len, value=0, shift=0, invert=False):
    keep = keep_mask(X.shape[1], valid_len, shift)
    if invert:
        keep = ~keep
    keep = keep.reshape(keep.shape + (1,) * (X.dim() - 2))
    return torch.where(keep, X, torch.full_like(X, value))


def per_step_ce(pred, label):
    """(batch, num_steps) cross-entropy in float64, by torch's own operator."""
    return F.cross_entropy(pred.double().permute(0, 2, 1), label, reduction="none")


def ref_loss(pred, label, valid_len):
    w = keep_mask(label.shape[1], valid_len).double()
    return (per_step_ce(pred, label) * w).mean(dim=1).to(pred.dtype)


def wrong_losses(pred, label, valid_len):
    ce = per_step_ce(pred, label)
    w = keep_mask(label.shape[1], valid_len).double()
    return {
        "averaged over the valid steps only (divided by valid_len); d2l's loss is the mean over all num_steps, masked steps weighted 0":
            ((ce * w).sum(1) / valid_len.double().clamp_min(1)).to(pred.dtype),
        "the padded steps were not masked: multiply each step's loss by sequence_mask(torch.ones_like(label), valid_len)":
            ce.mean(1).to(pred.dtype),
        "the mask is inverted: the real steps (t < valid_len) must be kept and the padding zeroed":
            (ce * (1 - w)).mean(1).to(pred.dtype),
        "off by one: the step t = valid_len is padding and must be masked too (keep t < valid_len, not t <= valid_len)":
            (ce * keep_mask(label.shape[1], valid_len, 1).double()).mean(1).to(pred.dtype),
    }


def mask_mistakes(X, valid_len, value=0):
    return {
        "off by one: keep the steps t < valid_len (t = valid_len is already padding)": ref_mask(X, valid_len, value, shift=1),
        "off by one: you masked one real step too many (keep t < valid_len)": ref_mask(X, valid_len, value, shift=-1),
        "the mask is inverted: keep the steps t < valid_len and replace the others by `value`": ref_mask(X, valid_len, value, invert=True),
    }


def lens(rng, batch, num_steps):
    """valid lengths covering 0 and num_steps too."""
    v = rng.integers(1, num_steps, (batch,))
    v[0] = num_steps
    v[-1] = 0 if batch > 2 else v[-1]
    return v


# ---------------------------------------------------------------------------- checks, in order


def test_mask_2d(learner, rng):
    X = rng.normal((5, 7))
    valid_len = lens(rng, 5, 7)
    got = learner.run(probe_mask_default, X, valid_len)
    expect_close(got, ref_mask(X, valid_len), what="sequence_mask(X, valid_len)",
                 inputs={"X": X, "valid_len": valid_len.tolist()}, atol=0, rtol=0,
                 mistakes=mask_mistakes(X, valid_len))


def test_mask_value(learner, rng):
    X = rng.normal((4, 6))
    valid_len = lens(rng, 4, 6)
    got = learner.run(probe_mask, X, valid_len, -1e6)
    expect_close(got, ref_mask(X, valid_len, -1e6), what="sequence_mask(X, valid_len, value=-1e6)",
                 inputs={"X": X, "valid_len": valid_len.tolist()}, atol=0, rtol=0,
                 mistakes={"ignores `value`: padded steps must become `value`, not 0": ref_mask(X, valid_len, 0),
                           **mask_mistakes(X, valid_len, -1e6)})


def test_mask_3d_and_int(learner, rng):
    X = rng.normal((3, 5, 4), dtype=torch.float64)
    valid_len = lens(rng, 3, 5)
    got = learner.run(probe_mask, X, valid_len, 0)
    expect_close(got, ref_mask(X, valid_len), what="sequence_mask(X, valid_len) for a 3-D X (batch, num_steps, features)",
                 inputs={"X": X, "valid_len": valid_len.tolist()}, atol=0, rtol=0,
                 mistakes=mask_mistakes(X, valid_len))
    L = rng.integers(0, 50, (4, 6))
    valid_len = lens(rng, 4, 6)
    got = learner.run(probe_mask, L, valid_len, 0)
    expect_close(got, ref_mask(L, valid_len), what="sequence_mask(X, valid_len) for an int64 X (such as token ids or torch.ones_like(label))",
                 inputs={"X": L, "valid_len": valid_len.tolist()}, atol=0, rtol=0)


def test_loss_values(learner, rng):
    batch, steps, vocab = 4, 6, 10
    pred = rng.normal((batch, steps, vocab), scale=2.0)
    label = rng.integers(0, vocab, (batch, steps))
    valid_len = lens(rng, batch, steps)
    got = learner.run(probe_loss, pred, label, valid_len)
    inputs = {"pred": pred, "label": label, "valid_len": valid_len.tolist()}
    expect_shape(got, (batch,), what="MaskedSoftmaxCELoss()(pred, label, valid_len) (one loss per sequence: average over the steps, not over the batch)",
                 inputs=inputs)
    expect_close(got, ref_loss(pred, label, valid_len), what="MaskedSoftmaxCELoss()(pred, label, valid_len)",
                 inputs=inputs, mistakes=wrong_losses(pred, label, valid_len))


def test_loss_ignores_padding_content(learner, rng):
    """Changing what sits in the padded steps must not change the loss."""
    batch, steps, vocab = 3, 5, 7
    pred = rng.normal((batch, steps, vocab))
    label = rng.integers(0, vocab, (batch, steps))
    valid_len = torch.tensor([5, 2, 3])
    pred2, label2 = pred.clone(), label.clone()
    pred2[1, 2:] = rng.normal((3, vocab), scale=50.0)
    label2[2, 3:] = (label2[2, 3:] + 1) % vocab
    got = learner.run(probe_loss, pred2, label2, valid_len)
    expect_close(got, ref_loss(pred, label, valid_len), what="MaskedSoftmaxCELoss with different logits/labels in the padded steps",
                 inputs={"pred": pred2, "valid_len": valid_len.tolist()},
                 mistakes=wrong_losses(pred2, label2, valid_len))


def test_loss_gradient(learner, rng):
    batch, steps, vocab = 3, 5, 6
    pred = rng.normal((batch, steps, vocab), dtype=torch.float64)
    label = rng.integers(0, vocab, (batch, steps))
    valid_len = lens(rng, batch, steps)
    G = rng.normal((batch,), dtype=torch.float64)
    got = learner.run(probe_loss_grad, pred, label, valid_len, G)
    if got is None:
        fail("MaskedSoftmaxCELoss is not differentiable: its result must require grad when pred does (no .detach(), no .item(), no torch.tensor(...))")
    P = pred.clone().requires_grad_(True)
    (ref_loss(P, label, valid_len) * G).sum().backward()
    expect_close(got, P.grad, what="the gradient of sum(loss * G) with respect to pred (float64)",
                 inputs={"pred": pred, "valid_len": valid_len.tolist()}, atol=1e-10, rtol=1e-8)
