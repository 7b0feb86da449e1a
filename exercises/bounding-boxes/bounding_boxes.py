"""Bounding boxes and IoU (d2l 13.3, 13.4). Run `learndl check bounding-boxes` to grade this file."""

import torch


def box_corner_to_center(boxes: torch.Tensor) -> torch.Tensor:
    """(n, 4) boxes as (x1, y1, x2, y2) corners -> (n, 4) boxes as (cx, cy, w, h)."""
    # TODO: your code here
    raise NotImplementedError("box_corner_to_center")


def box_center_to_corner(boxes: torch.Tensor) -> torch.Tensor:
    """(n, 4) boxes as (cx, cy, w, h) -> (n, 4) boxes as (x1, y1, x2, y2) corners."""
    # TODO: your code here
    raise NotImplementedError("box_center_to_corner")


def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """IoU of every pair: boxes1 (n, 4) and boxes2 (m, 4), both in corner form -> (n, m).

    Entry [i, j] is area(intersection) / area(union) of boxes1[i] and boxes2[j]; 0 when they do
    not overlap.
    """
    # TODO: your code here
    raise NotImplementedError("box_iou")
