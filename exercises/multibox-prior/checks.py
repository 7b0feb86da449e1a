"""Hidden checks for the multibox-prior exercise.

References run here, in the parent, in float64, written as plain loops over pixels and anchors.
Named mistakes (each only where this input tells it apart from the others): all n * m pairs per
pixel, no h / w factor, sqrt(r) on the wrong side, centers without the half-pixel offset, pixels
column by column, the per-pixel order of the anchors, full instead of half widths.
"""

import math

import torch

from learndl_cli.grader.api import expect_close, fail, fmt_shape


# ---------------------------------------------------------------------------- probes (child side)


def probe_prior(mod, data, sizes, ratios):
    return mod.multibox_prior(data, sizes, ratios)


# ---------------------------------------------------------------------------- references (parent)


def ref_prior(h, w, sizes, ratios, *, aspect=True, swap=False, offset=0.5, pairs="book", columns=False, half=True,
              sqrt=True):
    if pairs == "book":
        sr = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    elif pairs == "size_first":
        sr = [(sizes[0], r) for r in ratios] + [(s, ratios[0]) for s in sizes[1:]]
    else:  # every combination
        sr = [(s, r) for r in ratios for s in sizes]
    shapes = []
    for s, r in sr:
        q = math.sqrt(r) if sqrt else r
        bw, bh = (s / q, s * q) if swap else (s * q, s / q)
        shapes.append((bw * (h / w if aspect else 1.0), bh))
    pixels = [(i, j) for j in range(w) for i in range(h)] if columns else [(i, j) for i in range(h) for j in range(w)]
    k = 2.0 if half else 1.0
    boxes = []
    for i, j in pixels:
        cx, cy = (j + offset) / w, (i + offset) / h
        for bw, bh in shapes:
            boxes.append((cx - bw / k, cy - bh / k, cx + bw / k, cy + bh / k))
    return torch.tensor(boxes, dtype=torch.float64).unsqueeze(0).float()


def mistakes(h, w, sizes, ratios):
    return {
        "the normalised width needs the factor h / w (s is a fraction of the image height; without it a ratio-1 "
        "anchor is not square on a non-square map): width = s * sqrt(r) * h / w":
            ref_prior(h, w, sizes, ratios, aspect=False),
        "width and height swapped their sqrt(r): r is width over height, so width = s * sqrt(r) * h / w and "
        "height = s / sqrt(r)": ref_prior(h, w, sizes, ratios, swap=True),
        "the centers miss the half-pixel offset: pixel (i, j) is centred at ((j + 0.5) / w, (i + 0.5) / h)":
            ref_prior(h, w, sizes, ratios, offset=0.0),
        "pixels go column by column; go row by row (torch.meshgrid(..., indexing='ij') over (rows, columns), "
        "or the row index in the outer loop)": ref_prior(h, w, sizes, ratios, columns=True),
        "each pixel's anchors are in the wrong order: first every size with ratios[0], then sizes[0] with "
        "ratios[1:]": ref_prior(h, w, sizes, ratios, pairs="size_first"),
        "the ratio enters through its square root: width = s * sqrt(r) * h / w and height = s / sqrt(r), so that "
        "width / height is r (in pixels) and the area stays s^2": ref_prior(h, w, sizes, ratios, sqrt=False),
        "the box spans the center +- the whole width and height; the corners are center -+ width / 2 and "
        "height / 2": ref_prior(h, w, sizes, ratios, half=False),
    }


def expect_count(got, h, w, n, m, what):
    if not isinstance(got, torch.Tensor) or got.dim() != 3:
        return
    if n * m != n + m - 1 and tuple(got.shape) == (1, h * w * n * m, 4):
        fail(f"{what} has shape {fmt_shape(got)}, expected (1, {h * w * (n + m - 1)}, 4): {n * m} = n * m anchors per pixel; "
             f"the book keeps only the n + m - 1 = {n + m - 1} pairs that contain sizes[0] or ratios[0]")
    if tuple(got.shape) == (h * w * (n + m - 1), 4):
        fail(f"{what} has shape {fmt_shape(got)}, expected (1, {h * w * (n + m - 1)}, 4): add the leading batch axis "
             "(.unsqueeze(0))")


def check(learner, h, w, sizes, ratios):
    data = torch.zeros((1, 3, h, w))
    got = learner.run(probe_prior, data, sizes, ratios)
    what = f"multibox_prior(data of shape {tuple(data.shape)}, sizes={sizes}, ratios={ratios})"
    expect_count(got, h, w, len(sizes), len(ratios), what)
    expect_close(got, ref_prior(h, w, sizes, ratios), what=what, check_dtype=False,
                 mistakes=mistakes(h, w, sizes, ratios))


# ---------------------------------------------------------------------------- checks, in order


def test_one_anchor_per_pixel(learner):
    check(learner, 2, 2, [0.5], [1.0])


def test_book_sizes_and_ratios(learner):
    check(learner, 3, 3, [0.75, 0.5, 0.25], [1.0, 2.0, 0.5])


def test_rectangular_map(learner):
    check(learner, 2, 4, [0.75, 0.5], [1.0, 2.0, 0.5])


def test_more_sizes_than_ratios(learner):
    check(learner, 3, 2, [0.9, 0.6, 0.3, 0.2], [0.5, 3.0])


def test_batch_and_channels_do_not_matter(learner):
    data = torch.zeros((2, 5, 3, 4))
    got = learner.run(probe_prior, data, [0.4, 0.2], [1.0, 2.0])
    expect_close(got, ref_prior(3, 4, [0.4, 0.2], [1.0, 2.0]), check_dtype=False,
                 what="multibox_prior(data of shape (2, 5, 3, 4), sizes=[0.4, 0.2], ratios=[1, 2]) (one set of anchors, "
                      "shape (1, ..., 4), whatever the batch)")
