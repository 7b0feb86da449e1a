"""Hidden checks for the bounding-boxes exercise: corner/center conversions and box_iou.

References run here, in the parent, in float64. Named mistakes: the center taken as half the
difference, the width halved, the corner without halving the width; IoU without clamping the
overlap at 0 (or clamping only the area), a union that forgets to subtract the intersection.
"""

import torch

from learndl_cli.grader.api import expect_close, fail, fmt_shape, skip_on_meta


# ---------------------------------------------------------------------------- probes (child side)


def probe_convert(mod, fname, boxes):
    before = boxes.clone()
    out = getattr(mod, fname)(boxes)
    return out, before, boxes


def probe_iou(mod, boxes1, boxes2):
    b1, b2 = boxes1.clone(), boxes2.clone()
    out = mod.box_iou(boxes1, boxes2)
    return out, b1, boxes1, b2, boxes2


# ---------------------------------------------------------------------------- references (parent)


def ref_to_center(b):
    b = b.double()
    return torch.stack(((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]), -1)


def ref_to_corner(b, half=True):
    b = b.double()
    k = 2 if half else 1
    return torch.stack((b[:, 0] - b[:, 2] / k, b[:, 1] - b[:, 3] / k, b[:, 0] + b[:, 2] / k, b[:, 1] + b[:, 3] / k), -1)


def ref_iou(b1, b2, clamp="sides", subtract=True, plus_one=0.0):
    b1, b2 = b1.double(), b2.double()
    ul = torch.max(b1[:, None, :2], b2[None, :, :2])
    lr = torch.min(b1[:, None, 2:], b2[None, :, 2:])
    wh = lr - ul + plus_one
    if clamp == "sides":
        wh = wh.clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    if clamp == "area":
        inter = inter.clamp(min=0)
    a1 = (b1[:, 2] - b1[:, 0] + plus_one) * (b1[:, 3] - b1[:, 1] + plus_one)
    a2 = (b2[:, 2] - b2[:, 0] + plus_one) * (b2[:, 3] - b2[:, 1] + plus_one)
    union = a1[:, None] + a2[None, :] - (inter if subtract else 0)
    return inter / union


def random_boxes(rng, n, span=10.0):
    """n boxes in corner form, sides between 1 and 5, inside [0, span + 5]."""
    xy = rng.uniform((n, 2), 0.0, span)
    wh = rng.uniform((n, 2), 1.0, 5.0)
    return torch.cat((xy, xy + wh), dim=1)


NO_CLAMP = ("boxes that do not overlap must have IoU 0: clamp the intersection's width and height at 0 "
            "before multiplying (two negative sides multiply to a positive area)")
AREA_CLAMP = ("clamped the intersection's area, not its sides: boxes apart along both x and y have two negative "
              "sides whose product is positive; clamp width and height at 0 before multiplying")
PLUS_ONE = ("added 1 to the widths and heights (the pixel-inclusive convention of older detection code); d2l's boxes "
            "are continuous coordinates: width = x2 - x1")
NO_SUBTRACT = "the union must subtract the intersection: area1 + area2 - intersection (it is counted twice otherwise)"


def _iou_shape(got, n, m):
    if n != m and isinstance(got, torch.Tensor) and tuple(got.shape) == (m, n):
        fail(f"box_iou(boxes1, boxes2) has shape {fmt_shape(got)}, expected ({n}, {m}): rows follow boxes1 (n = {n}), "
             f"columns boxes2 (m = {m})")


def _unchanged(before, after, what):
    expect_close(after, before, what=f"{what} (the input must not be modified in place)", atol=0, rtol=0)


# ---------------------------------------------------------------------------- checks, in order


def test_corner_to_center_book_example(learner):
    boxes = torch.tensor([[60.0, 45.0, 378.0, 516.0], [400.0, 112.0, 655.0, 493.0]])
    got, before, after = learner.run(probe_convert, "box_corner_to_center", boxes)
    expect_close(got, ref_to_center(boxes).float(), what="box_corner_to_center(the book's dog and cat boxes)", mistakes={
        "the center is the midpoint (x1 + x2) / 2, not half the difference (x2 - x1) / 2":
            torch.stack(((boxes[:, 2] - boxes[:, 0]) / 2, (boxes[:, 3] - boxes[:, 1]) / 2,
                         boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]), -1),
        "the width and height are x2 - x1 and y2 - y1, not half of them":
            torch.stack(((boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2,
                         (boxes[:, 2] - boxes[:, 0]) / 2, (boxes[:, 3] - boxes[:, 1]) / 2), -1),
    })
    _unchanged(before, after, "boxes after box_corner_to_center(boxes)")


def test_center_to_corner(learner, rng):
    boxes = torch.cat((rng.uniform((5, 2), 2.0, 10.0), rng.uniform((5, 2), 1.0, 4.0)), dim=1)
    got, before, after = learner.run(probe_convert, "box_center_to_corner", boxes)
    expect_close(got, ref_to_corner(boxes).float(), what="box_center_to_corner(boxes)", inputs={"boxes": boxes}, mistakes={
        "a corner is half the width and height away from the center: x1 = cx - w / 2, x2 = cx + w / 2":
            ref_to_corner(boxes, half=False).float(),
    })
    _unchanged(before, after, "boxes after box_center_to_corner(boxes)")


def test_round_trip_float64(learner, rng):
    boxes = random_boxes(rng, 6).double()
    got, *_ = learner.run(probe_convert, "box_corner_to_center", boxes)
    expect_close(got, ref_to_center(boxes), what="box_corner_to_center(boxes) for float64 boxes", inputs={"boxes": boxes},
                 atol=1e-12, rtol=1e-10)
    back, *_ = learner.run(probe_convert, "box_center_to_corner", got)
    expect_close(back, boxes, what="box_center_to_corner(box_corner_to_center(boxes)) (it must give the boxes back)",
                 inputs={"boxes": boxes}, atol=1e-10, rtol=1e-10)


@skip_on_meta
def test_iou_simple(learner):
    a = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
    b = torch.tensor([[1.0, 1.0, 3.0, 3.0], [0.0, 0.0, 2.0, 2.0], [0.5, 0.0, 1.5, 2.0]])
    got, *_ = learner.run(probe_iou, a, b)
    _iou_shape(got, 1, 3)
    expect_close(got, ref_iou(a, b).float(), what="box_iou(a, b) for a = [[0, 0, 2, 2]], b = [[1, 1, 3, 3], [0, 0, 2, 2], [0.5, 0, 1.5, 2]]",
                 mistakes={NO_SUBTRACT: ref_iou(a, b, subtract=False).float(), PLUS_ONE: ref_iou(a, b, plus_one=1.0).float()})


@skip_on_meta
def test_iou_boxes_apart(learner):
    a = torch.tensor([[0.0, 0.0, 2.0, 2.0], [4.0, 4.0, 7.0, 6.0]])
    # beside a[0] (apart along x only), below it (y only), diagonally apart (both), overlapping
    b = torch.tensor([[3.0, 0.5, 5.0, 1.5], [0.5, 3.0, 1.5, 5.0], [3.0, 3.5, 4.5, 5.0], [1.0, 1.0, 5.0, 5.0]])
    got, *_ = learner.run(probe_iou, a, b)
    expect_close(got, ref_iou(a, b).float(), what="box_iou(a, b) for boxes apart along x, along y and diagonally",
                 inputs={"a": a, "b": b}, mistakes={
        NO_CLAMP: ref_iou(a, b, clamp=None).float(),
        AREA_CLAMP: ref_iou(a, b, clamp="area").float(),
        NO_SUBTRACT: ref_iou(a, b, subtract=False).float(),
    })


@skip_on_meta
def test_iou_all_pairs(learner, rng):
    b1, b2 = random_boxes(rng, 4, span=4.0), random_boxes(rng, 3, span=4.0)
    got, before1, after1, before2, after2 = learner.run(probe_iou, b1, b2)
    _iou_shape(got, 4, 3)
    expect_close(got, ref_iou(b1, b2).float(), what="box_iou(boxes1, boxes2)", inputs={"boxes1": b1, "boxes2": b2},
                 mistakes={
        NO_CLAMP: ref_iou(b1, b2, clamp=None).float(),
        AREA_CLAMP: ref_iou(b1, b2, clamp="area").float(),
        NO_SUBTRACT: ref_iou(b1, b2, subtract=False).float(),
        PLUS_ONE: ref_iou(b1, b2, plus_one=1.0).float(),
    })
    _unchanged(before1, after1, "boxes1 after box_iou")
    _unchanged(before2, after2, "boxes2 after box_iou")


@skip_on_meta
def test_iou_random_float64(learner, rng):
    b1, b2 = random_boxes(rng, 7, span=12.0).double(), random_boxes(rng, 5, span=12.0).double()
    got, *_ = learner.run(probe_iou, b1, b2)
    expect_close(got, ref_iou(b1, b2), what="box_iou(boxes1, boxes2) for float64 boxes", inputs={"boxes1": b1, "boxes2": b2},
                 atol=1e-12, rtol=1e-10, mistakes={
        NO_CLAMP: ref_iou(b1, b2, clamp=None),
        AREA_CLAMP: ref_iou(b1, b2, clamp="area"),
        NO_SUBTRACT: ref_iou(b1, b2, subtract=False),
        PLUS_ONE: ref_iou(b1, b2, plus_one=1.0),
    })
