"""Hidden checks for the multibox-detection exercise: offset_inverse, nms, multibox_detection.

References run here, in the parent, in float64, NMS as a plain loop. NMS is checked on a hand-picked
case where the right answer and four wrong ones (no sorting, kept indices re-sorted by index, the
threshold inverted, one suppression pass only) all differ, so a named mistake is confirmed. The
detection output is compared with its non-kept rows in a canonical order (the statement allows any
order for them).
"""

import torch

from learndl_cli.grader.api import expect_close, fail, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_inverse(mod, anchors, offsets):
    return mod.offset_inverse(anchors, offsets)


def probe_nms(mod, boxes, scores, threshold):
    before = boxes.clone(), scores.clone()
    keep = mod.nms(boxes, scores, threshold)
    if isinstance(keep, torch.Tensor):
        keep = keep.reshape(-1).tolist()
    elif isinstance(keep, (list, tuple)):
        keep = [int(k) for k in keep]
    return keep, before[0], boxes, before[1], scores


def probe_detection(mod, cls_probs, offset_preds, anchors, nms_threshold):
    return mod.multibox_detection(cls_probs, offset_preds, anchors, nms_threshold=nms_threshold)


# ---------------------------------------------------------------------------- references (parent)


def to_center(b):
    return torch.stack(((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]), -1)


def to_corner(b):
    return torch.stack((b[:, 0] - b[:, 2] / 2, b[:, 1] - b[:, 3] / 2, b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2), -1)


def ref_inverse(anchors, offsets, *, sigma=True, exp=True, corner=True):
    a, o = to_center(anchors.double()), offsets.double()
    sxy, swh = (10, 5) if sigma else (1, 1)
    xy = o[:, :2] * a[:, 2:] / sxy + a[:, :2]
    wh = torch.exp(o[:, 2:] / swh) * a[:, 2:] if exp else o[:, 2:] / swh * a[:, 2:]
    out = torch.cat((xy, wh), 1)
    return to_corner(out) if corner else out


def iou(b1, b2):
    b1, b2 = b1.double(), b2.double()
    ul = torch.max(b1[:, None, :2], b2[None, :, :2])
    lr = torch.min(b1[:, None, 2:], b2[None, :, 2:])
    wh = (lr - ul).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    a1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    a2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    return inter / (a1[:, None] + a2[None, :] - inter)


def ref_nms(boxes, scores, thr, mode="right"):
    J = iou(boxes, boxes)
    n = len(scores)
    order = list(range(n)) if mode == "unsorted" else sorted(range(n), key=lambda i: -float(scores[i]))
    if mode == "one_pass":
        return [order[0]] + [j for j in order[1:] if J[order[0], j] <= thr]
    keep = []
    while order:
        i = order.pop(0)
        keep.append(i)
        order = [j for j in order if (J[i, j] > thr if mode == "inverted" else J[i, j] <= thr)]
    return sorted(keep) if mode == "by_index" else keep


NMS_MISTAKES = {
    "unsorted": "the boxes must be visited in descending order of score (torch.argsort(scores, descending=True)); "
                "it visited them in index order",
    "by_index": "kept the right boxes but returned them sorted by index; return them in descending order of score",
    "inverted": "the threshold is inverted: drop the boxes whose IoU with the kept box is > iou_threshold and keep "
                "those <= it",
    "one_pass": "suppressed only against the most confident box; repeat: after keeping a box, the next most confident "
                "box left is kept and suppresses its own overlaps",
}


def ref_detection(cls_probs, offset_preds, anchors, nms_thr=0.5, pos_thr=0.009999999, *,
                  background=False, mark=True, inverse=True, low="book"):
    anchors = anchors[0].double()
    out = []
    for probs, offs in zip(cls_probs.double(), offset_preds.double()):
        conf, cid = (probs if background else probs[1:]).max(0)
        boxes = ref_inverse(anchors, offs.reshape(-1, 4)) if inverse else anchors.clone()
        keep = ref_nms(boxes, conf, nms_thr)
        rest = [i for i in range(len(conf)) if i not in keep]
        cid = cid.clone()
        if mark:
            cid[rest] = -1
        order = keep + rest
        cid, conf, boxes = cid[order], conf[order].clone(), boxes[order]
        below = conf < pos_thr
        if low in ("book", "class_only"):
            cid[below] = -1
        if low == "book":
            conf[below] = 1 - conf[below]
        out.append(torch.cat((cid[:, None].double(), conf[:, None], boxes), 1))
    return torch.stack(out)


def canonical(out):
    """Rows with a class id in their order; background rows (class -1) sorted, since their order is free."""
    if not isinstance(out, torch.Tensor) or out.dim() != 3 or out.shape[-1] != 6:
        return out
    rows = []
    for example in out.double():
        fg = example[example[:, 0] != -1]
        bg = [tuple(r) for r in example[example[:, 0] == -1].tolist()]
        bg = torch.tensor(sorted(bg, key=lambda r: (round(r[2], 4), round(r[3], 4), round(r[4], 4), round(r[5], 4), r[1])),
                          dtype=torch.float64).reshape(-1, 6)
        rows.append(torch.cat((fg, bg)))
    return torch.stack(rows)


def random_boxes(rng, n):
    xy = rng.uniform((n, 2), 0.0, 0.6)
    return torch.cat((xy, xy + rng.uniform((n, 2), 0.1, 0.4)), 1)


# A case where the right NMS and the four wrong ones keep five different lists
CASE_BOXES = torch.tensor([[3.5, 3.9, 7.0, 6.2], [0.3, 5.2, 3.1, 8.9], [5.6, 5.5, 9.4, 9.4], [5.2, 0.8, 8.0, 3.0],
                           [1.9, 5.6, 5.9, 8.4], [0.7, 5.7, 3.3, 8.9], [0.6, 0.9, 2.9, 4.6]])
CASE_SCORES = torch.tensor([0.81, 0.10, 0.09, 0.46, 0.71, 0.49, 0.25])


def _check_nms(learner, boxes, scores, thr, what):
    got, b_before, b_after, s_before, s_after = learner.run(probe_nms, boxes, scores, thr)
    if not isinstance(got, list):
        fail(f"{what} must return a tensor of indices (int64), got {type(got).__name__}")
    right = ref_nms(boxes, scores, thr)
    if got == right:
        expect_close(b_after, b_before, what="boxes after nms (they must not be modified)", atol=0, rtol=0)
        expect_close(s_after, s_before, what="scores after nms (they must not be modified)", atol=0, rtol=0)
        return
    wrong = {mode: ref_nms(boxes, scores, thr, mode) for mode in NMS_MISTAKES}
    hits = [mode for mode, ref in wrong.items() if ref == got and ref != right
            and sum(other == ref for other in wrong.values()) == 1]
    if len(hits) == 1:
        fail(f"{what}: {NMS_MISTAKES[hits[0]]} (kept {got}, expected {right})")
    fail(f"{what} kept {got}, expected {right} (indices in descending order of score)")


def _check_detection(learner, cls_probs, offset_preds, anchors, thr, what):
    got = learner.run(probe_detection, cls_probs, offset_preds, anchors, thr)
    right = ref_detection(cls_probs, offset_preds, anchors, thr)
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(right.shape):
        expect_close(got, right.float(), what=what, check_dtype=False)
    wrong = {
        "the confidence and class must come from the non-background rows cls_prob[1:] (row 0 is the background; "
        "class c is row c + 1)": ref_detection(cls_probs, offset_preds, anchors, thr, background=True),
        "the anchors that nms does not keep must get class id -1": ref_detection(cls_probs, offset_preds, anchors, thr, mark=False),
        "the rows hold the anchors themselves: move them by their predicted offsets with offset_inverse first":
            ref_detection(cls_probs, offset_preds, anchors, thr, inverse=False),
        "rows whose confidence is below pos_threshold must become background: class id -1 and confidence 1 - conf":
            ref_detection(cls_probs, offset_preds, anchors, thr, low="skipped"),
        "below pos_threshold the confidence becomes 1 - conf (the book's convention), not only the class id -1":
            ref_detection(cls_probs, offset_preds, anchors, thr, low="class_only"),
    }
    expect_close(canonical(got).float(), canonical(right).float(), what=what + " (rows (class_id, confidence, box))",
                 check_dtype=False, atol=1e-4, mistakes={m: canonical(r).float() for m, r in wrong.items()})


# ---------------------------------------------------------------------------- checks, in order


def test_offset_inverse(learner, rng):
    anchors, offsets = random_boxes(rng, 6), rng.normal((6, 4))
    got = learner.run(probe_inverse, anchors, offsets)
    expect_close(got, ref_inverse(anchors, offsets).float(), what="offset_inverse(anchors, offset_preds)",
                 inputs={"anchors": anchors, "offset_preds": offsets}, mistakes={
        "undo the normalisation: the center offsets are divided by 10 and the size offsets by 5 (sigma 0.1 and 0.2)":
            ref_inverse(anchors, offsets, sigma=False).float(),
        "the size offsets are logs: the width is exp(o3 / 5) * w_anchor, not o3 / 5 * w_anchor":
            ref_inverse(anchors, offsets, exp=False).float(),
        "the result must be in corner form: finish with box_center_to_corner":
            ref_inverse(anchors, offsets, corner=False).float(),
    })


@skip_on_meta
def test_nms(learner):
    _check_nms(learner, CASE_BOXES, CASE_SCORES, 0.5, "nms(boxes, scores, 0.5) for 7 boxes")


@skip_on_meta
def test_nms_threshold_and_float64(learner, rng):
    boxes = random_boxes(rng, 9).double()
    scores = rng.uniform((9,), dtype=torch.float64)
    _check_nms(learner, boxes, scores, 0.3, "nms(boxes, scores, 0.3) for 9 random float64 boxes")


@skip_on_meta
def test_nms_single_box(learner):
    _check_nms(learner, torch.tensor([[0.1, 0.1, 0.4, 0.5]]), torch.tensor([0.7]), 0.5, "nms for a single box")


@skip_on_meta
def test_detection_book_example(learner):
    anchors = torch.tensor([[0.1, 0.08, 0.52, 0.92], [0.08, 0.2, 0.56, 0.95], [0.15, 0.3, 0.62, 0.91], [0.55, 0.2, 0.9, 0.88]])
    cls_probs = torch.tensor([[0.0] * 4, [0.9, 0.8, 0.7, 0.1], [0.1, 0.2, 0.3, 0.9]])
    _check_detection(learner, cls_probs[None], torch.zeros(1, 16), anchors[None], 0.5,
                     "multibox_detection for the book's dog-and-cat example")


@skip_on_meta
def test_detection_batch(learner, rng):
    na = 7
    anchors = (CASE_BOXES / 10)[None]
    logits = rng.normal((2, 4, na), scale=2.0)
    logits[1, 0, 3] = 9.0  # one anchor that is almost surely background: its confidence is below pos_threshold
    cls_probs = torch.softmax(logits.double(), dim=1).float()
    offsets = rng.normal((2, na * 4), scale=0.3)
    _check_detection(learner, cls_probs, offsets, anchors, 0.5, "multibox_detection for a batch of 2, 3 classes")
