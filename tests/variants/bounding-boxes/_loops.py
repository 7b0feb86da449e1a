# A correct file in loop style: one pair of boxes at a time, plain Python arithmetic per pair.
import torch


def box_corner_to_center(boxes):
    out = torch.zeros_like(boxes)
    for i in range(boxes.shape[0]):
        x1, y1, x2, y2 = boxes[i]
        out[i, 0] = (x1 + x2) / 2
        out[i, 1] = (y1 + y2) / 2
        out[i, 2] = x2 - x1
        out[i, 3] = y2 - y1
    return out


def box_center_to_corner(boxes):
    cx, cy, w, h = boxes.unbind(1)
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], 1)


def box_iou(boxes1, boxes2):
    n, m = boxes1.shape[0], boxes2.shape[0]
    out = torch.zeros((n, m), dtype=boxes1.dtype, device=boxes1.device)
    for i in range(n):
        for j in range(m):
            a, b = boxes1[i], boxes2[j]
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            inter = max(w, 0) * max(h, 0)
            area_a = (a[2] - a[0]) * (a[3] - a[1])
            area_b = (b[2] - b[0]) * (b[3] - b[1])
            out[i, j] = inter / (area_a + area_b - inter)
    return out
