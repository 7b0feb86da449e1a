"""Labelling anchor boxes (d2l 13.4.3). Run `learndl check multibox-target` to grade this file.

box_corner_to_center and box_iou are given (the bounding-boxes drill); write the other three.
"""

import torch


def box_corner_to_center(boxes):
    """(n, 4) corners (x1, y1, x2, y2) -> (n, 4) centers (cx, cy, w, h). Given."""
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def box_iou(boxes1, boxes2):
    """IoU of every pair, (n, 4) and (m, 4) corner boxes -> (n, m). Given."""
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    upper_left = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    lower_right = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    sides = (lower_right - upper_left).clamp(min=0)
    inter = sides[..., 0] * sides[..., 1]
    return inter / (area(boxes1)[:, None] + area(boxes2) - inter)


def offset_boxes(anchors: torch.Tensor, assigned_bb: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Offsets (na, 4) of the boxes assigned_bb (na, 4) from the anchors (na, 4), both in corner form.

    In center form: 10 * (xy_box - xy_anchor) / wh_anchor and 5 * log(eps + wh_box / wh_anchor).
    """
    # TODO: your code here
    raise NotImplementedError("offset_boxes")


def assign_anchor_to_bbox(ground_truth: torch.Tensor, anchors: torch.Tensor, device, iou_threshold: float = 0.5) -> torch.Tensor:
    """For each of the na anchors (na, 4), the index of its ground-truth box (nb, 4), or -1.

    Returns an int64 tensor (na,) on `device`.
    """
    # TODO: your code here
    raise NotImplementedError("assign_anchor_to_bbox")


def multibox_target(anchors: torch.Tensor, labels: torch.Tensor):
    """Training targets for anchors (1, na, 4) and labels (batch, nb, 5) rows (class, x1, y1, x2, y2).

    Returns (bbox_offset (batch, na * 4), bbox_mask (batch, na * 4), class_labels (batch, na) int64),
    where class_labels is 0 for background and class + 1 otherwise.
    """
    # TODO: your code here
    raise NotImplementedError("multibox_target")
