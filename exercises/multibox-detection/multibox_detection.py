"""Predicting bounding boxes with NMS (d2l 13.4.4). Run `learndl check multibox-detection` to grade this file.

box_corner_to_center, box_center_to_corner and box_iou are given (the bounding-boxes drill).
"""

import torch


def box_corner_to_center(boxes):
    """(n, 4) corners -> (n, 4) centers (cx, cy, w, h). Given."""
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def box_center_to_corner(boxes):
    """(n, 4) centers -> (n, 4) corners (x1, y1, x2, y2). Given."""
    cx, cy, w, h = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), dim=-1)


def box_iou(boxes1, boxes2):
    """IoU of every pair, (n, 4) and (m, 4) corner boxes -> (n, m). Given."""
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    upper_left = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    lower_right = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    sides = (lower_right - upper_left).clamp(min=0)
    inter = sides[..., 0] * sides[..., 1]
    return inter / (area(boxes1)[:, None] + area(boxes2) - inter)


def offset_inverse(anchors: torch.Tensor, offset_preds: torch.Tensor) -> torch.Tensor:
    """Boxes (na, 4) in corner form from anchors (na, 4) and predicted offsets (na, 4) (the inverse of offset_boxes)."""
    # TODO: your code here
    raise NotImplementedError("offset_inverse")


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Indices (int64) of the boxes (n, 4) kept by non-maximum suppression, in descending order of scores (n,)."""
    # TODO: your code here
    raise NotImplementedError("nms")


def multibox_detection(cls_probs, offset_preds, anchors, nms_threshold=0.5, pos_threshold=0.009999999):
    """cls_probs (batch, 1 + num_classes, na), offset_preds (batch, na * 4), anchors (1, na, 4)
    -> (batch, na, 6) rows (class_id, confidence, x1, y1, x2, y2); class_id -1 for background."""
    # TODO: your code here
    raise NotImplementedError("multibox_detection")
