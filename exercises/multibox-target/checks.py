"""Hidden checks for the multibox-target exercise: offset_boxes, assign_anchor_to_bbox, multibox_target.

References run here, in the parent, in float64 (assignment as plain loops). The assignment is checked
on a hand-picked case where the correct rule and five wrong ones (threshold only, greedy only, the
threshold step last, a greedy step that keeps the box's column or the anchor's row) all give
different answers, so a named mistake is confirmed, never guessed.
"""

import math

import torch

from learndl_cli.grader.api import expect_close, fail, fmt_shape, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_offsets(mod, anchors, assigned_bb):
    return mod.offset_boxes(anchors, assigned_bb)


def probe_assign(mod, ground_truth, anchors, iou_threshold):
    before = ground_truth.clone(), anchors.clone()
    got = mod.assign_anchor_to_bbox(ground_truth, anchors, anchors.device, iou_threshold)
    return got, before[0], ground_truth, before[1], anchors


def probe_target(mod, anchors, labels):
    out = mod.multibox_target(anchors, labels)
    return list(out) if isinstance(out, (tuple, list)) else out


# ---------------------------------------------------------------------------- references (parent)


def to_center(b):
    return torch.stack(((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]), -1)


def ref_offsets(anchors, boxes, eps=1e-6, *, scale=True, by="anchor", center=True, log_eps=True):
    a, b = anchors.double(), boxes.double()
    if center:
        a, b = to_center(a), to_center(b)
    wh = a[:, 2:] if by == "anchor" else b[:, 2:]
    xy = (b[:, :2] - a[:, :2]) / wh
    ratio = b[:, 2:] / a[:, 2:]
    logs = torch.log(eps + ratio) if log_eps else torch.log(ratio)
    if scale:
        xy, logs = 10 * xy, 5 * logs
    return torch.cat((xy, logs), 1)


def iou(b1, b2):
    b1, b2 = b1.double(), b2.double()
    ul = torch.max(b1[:, None, :2], b2[None, :, :2])
    lr = torch.min(b1[:, None, 2:], b2[None, :, 2:])
    wh = (lr - ul).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    a1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    a2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    return inter / (a1[:, None] + a2[None, :] - inter)


def ref_assign(gt, anchors, thr=0.5, *, greedy=True, threshold="first", drop_col=True, drop_row=True):
    J = iou(anchors, gt)
    na, nb = J.shape
    out = [-1] * na

    def by_threshold():
        for a in range(na):
            b = int(J[a].argmax())
            if J[a, b] >= thr:
                out[a] = b

    if threshold == "first":
        by_threshold()
    if greedy:
        K = J.clone()
        for _ in range(nb):
            a, b = divmod(int(K.argmax()), nb)
            out[a] = b
            if drop_col:
                K[:, b] = -1
            if drop_row:
                K[a, :] = -1
    if threshold == "last":
        by_threshold()
    return torch.tensor(out, dtype=torch.long)


def ref_target(anchors, labels, *, plus_one=True, masked=True):
    anchors = anchors[0].double()
    offsets, masks, classes = [], [], []
    for label in labels.double():
        m = ref_assign(label[:, 1:], anchors)
        pos = m >= 0
        mask = pos.double()[:, None].repeat(1, 4)
        cls = torch.zeros(len(m), dtype=torch.long)
        bb = torch.zeros((len(m), 4), dtype=torch.float64)
        cls[pos] = label[m[pos], 0].long() + (1 if plus_one else 0)
        bb[pos] = label[m[pos], 1:]
        off = ref_offsets(anchors, bb)
        offsets.append((off * mask if masked else off).reshape(-1))
        masks.append(mask.reshape(-1))
        classes.append(cls)
    return torch.stack(offsets).float(), torch.stack(masks).float(), torch.stack(classes)


def random_boxes(rng, n):
    xy = rng.uniform((n, 2), 0.0, 0.6)
    return torch.cat((xy, xy + rng.uniform((n, 2), 0.1, 0.4)), 1)


def offset_mistakes(a, b):
    return {
        "offsets must be normalised: multiply the x, y offsets by 10 (sigma 0.1) and the log w, h offsets by 5 (sigma 0.2)":
            ref_offsets(a, b, scale=False).float(),
        "the x, y offsets are divided by the anchor's width and height, not the assigned box's":
            ref_offsets(a, b, by="box").float(),
        "offsets are taken between corners: convert anchors and boxes to center form (box_corner_to_center) first":
            ref_offsets(a, b, center=False).float(),
    }


# the book's example (d2l 13.4.3)
BOOK_GT = torch.tensor([[0.0, 0.1, 0.08, 0.52, 0.92], [1.0, 0.55, 0.2, 0.9, 0.88]])
BOOK_ANCHORS = torch.tensor([[0.0, 0.1, 0.2, 0.3], [0.15, 0.2, 0.4, 0.4], [0.63, 0.05, 0.88, 0.98],
                             [0.66, 0.45, 0.8, 0.8], [0.57, 0.3, 0.92, 0.9]])

# a case where the right rule and five wrong ones give six different assignments
CASE_GT = torch.tensor([[0.18, 0.33, 0.34, 0.60], [0.11, 0.55, 0.47, 0.82], [0.14, 0.50, 0.41, 0.86],
                        [0.38, 0.49, 0.52, 0.72]])
CASE_ANCHORS = torch.tensor([[0.23, 0.38, 0.43, 0.58], [0.13, 0.50, 0.45, 0.77], [0.21, 0.50, 0.45, 0.92],
                             [0.40, 0.50, 0.51, 0.64], [0.20, 0.30, 0.21, 0.74], [0.09, 0.48, 0.32, 0.68],
                             [0.20, 0.43, 0.35, 0.77], [0.50, 0.45, 0.62, 0.84], [0.07, 0.52, 0.37, 0.86],
                             [0.24, 0.59, 0.45, 1.00], [0.45, 0.01, 0.58, 0.23]])


def assign_mistakes(gt, anchors, thr=0.5):
    return {
        "only the threshold step: a ground-truth box that no anchor reaches with IoU >= iou_threshold is left "
        "without an anchor; add the greedy step (largest IoU left, once per box)":
            ref_assign(gt, anchors, thr, greedy=False),
        "only the greedy step: every other anchor whose best IoU is >= iou_threshold must get that box too":
            ref_assign(gt, anchors, thr, threshold=None),
        "the threshold step ran after the greedy step and overwrote its picks; do it first, so the greedy "
        "assignment has the last word": ref_assign(gt, anchors, thr, threshold="last"),
        "the greedy step must discard the chosen box's column (fill it with -1), or the same box wins again":
            ref_assign(gt, anchors, thr, drop_col=False),
        "the greedy step must discard the chosen anchor's row (fill it with -1), or one anchor is given to "
        "two boxes": ref_assign(gt, anchors, thr, drop_row=False),
    }


def _check_assign(learner, gt, anchors, thr, what):
    got, gt_before, gt_after, an_before, an_after = learner.run(probe_assign, gt, anchors, thr)
    expect_close(got, ref_assign(gt, anchors, thr), what=what, atol=0, rtol=0,
                 inputs={"ground_truth": gt, "anchors": anchors}, mistakes=assign_mistakes(gt, anchors, thr))
    expect_close(gt_after, gt_before, what="ground_truth after assign_anchor_to_bbox (it must not be modified)", atol=0, rtol=0)
    expect_close(an_after, an_before, what="anchors after assign_anchor_to_bbox (it must not be modified)", atol=0, rtol=0)


# ---------------------------------------------------------------------------- checks, in order


def test_offset_boxes(learner, rng):
    a, b = random_boxes(rng, 6), random_boxes(rng, 6)
    got = learner.run(probe_offsets, a, b)
    expect_close(got, ref_offsets(a, b).float(), what="offset_boxes(anchors, assigned_bb)",
                 inputs={"anchors": a, "assigned_bb": b}, mistakes=offset_mistakes(a, b))


def test_offset_boxes_of_an_empty_box(learner, rng):
    a = random_boxes(rng, 3)
    b = torch.cat((random_boxes(rng, 2), torch.zeros(1, 4)))
    got = learner.run(probe_offsets, a, b)
    expect_close(got, ref_offsets(a, b).float(), what="offset_boxes(anchors, assigned_bb) where the last box is all zeros",
                 inputs={"anchors": a, "assigned_bb": b}, mistakes={
        "log(0) is -inf for a zero-size box: add eps inside the log, log(eps + w_box / w_anchor)":
            ref_offsets(a, b, log_eps=False).float(),
    })


@skip_on_meta
def test_assign_both_steps(learner):
    _check_assign(learner, CASE_GT, CASE_ANCHORS, 0.5,
                  "assign_anchor_to_bbox(ground_truth, anchors) for 4 boxes and 11 anchors (threshold 0.5)")


@skip_on_meta
def test_assign_book_example(learner):
    _check_assign(learner, BOOK_GT[:, 1:], BOOK_ANCHORS, 0.5, "assign_anchor_to_bbox for the book's two dogs-and-cat boxes")


@skip_on_meta
def test_assign_threshold_argument(learner):
    _check_assign(learner, CASE_GT, CASE_ANCHORS, 0.3,
                  "assign_anchor_to_bbox(ground_truth, anchors, iou_threshold=0.3)")


@skip_on_meta
def test_assign_random(learner, rng):
    gt = random_boxes(rng, 3)
    anchors = torch.cat((gt + rng.uniform((3, 4), -0.05, 0.05), random_boxes(rng, 6)))
    _check_assign(learner, gt, anchors, 0.5, "assign_anchor_to_bbox(ground_truth, anchors) for random boxes")


def _check_target(learner, anchors, labels, what):
    got = learner.run(probe_target, anchors, labels)
    if not isinstance(got, list) or len(got) != 3:
        fail(f"{what} must return three tensors (bbox_offset, bbox_mask, class_labels)")
    offset, mask, classes = got
    ref_offset, ref_mask, ref_classes = ref_target(anchors, labels)
    batch, na = labels.shape[0], anchors.shape[1]
    for name, t in (("bbox_offset", offset), ("bbox_mask", mask)):
        if isinstance(t, torch.Tensor) and tuple(t.shape) in ((batch, na, 4), (batch, na)):
            fail(f"{what}: {name} has shape {fmt_shape(t)}, expected ({batch}, {na * 4}): one row per example, "
                 "the 4 values of every anchor flattened (reshape(-1) before stacking)")
    expect_close(classes, ref_classes, what=f"{what}: class_labels", atol=0, rtol=0, mistakes={
        "class_labels must be the box's class + 1 (0 is kept for background)": ref_target(anchors, labels, plus_one=False)[2],
    })
    expect_close(mask, ref_mask, what=f"{what}: bbox_mask", check_dtype=False)
    expect_close(offset, ref_offset, what=f"{what}: bbox_offset", check_dtype=False, atol=1e-4, mistakes={
        "background anchors must have offset 0: multiply the offsets by bbox_mask":
            ref_target(anchors, labels, masked=False)[0],
    })


@skip_on_meta
def test_multibox_target_book_example(learner):
    _check_target(learner, BOOK_ANCHORS[None], BOOK_GT[None], "multibox_target for the book's example")


@skip_on_meta
def test_multibox_target_batch(learner, rng):
    labels0 = torch.cat((torch.tensor([[2.0], [0.0], [1.0], [3.0]]), CASE_GT), 1)
    gt1 = random_boxes(rng, 4)
    labels1 = torch.cat((torch.tensor([[1.0], [1.0], [4.0], [0.0]]), gt1), 1)
    anchors = CASE_ANCHORS[None]
    _check_target(learner, anchors, torch.stack((labels0, labels1)), "multibox_target for a batch of 2")
