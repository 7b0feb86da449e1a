# expect: the threshold step ran after the greedy step
# not: only the threshold step
# not: only the greedy step
# not: discard the chosen box's column
# not: discard the chosen anchor's row
import torch


def box_corner_to_center(boxes):
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def box_iou(boxes1, boxes2):
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    upper_left = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    lower_right = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    sides = (lower_right - upper_left).clamp(min=0)
    inter = sides[..., 0] * sides[..., 1]
    return inter / (area(boxes1)[:, None] + area(boxes2) - inter)


def offset_boxes(anchors, assigned_bb, eps=1e-6):
    a, b = box_corner_to_center(anchors), box_corner_to_center(assigned_bb)
    return torch.cat((10 * (b[:, :2] - a[:, :2]) / a[:, 2:], 5 * torch.log(eps + b[:, 2:] / a[:, 2:])), dim=1)


def assign_anchor_to_bbox(ground_truth, anchors, device, iou_threshold=0.5):
    na, nb = anchors.shape[0], ground_truth.shape[0]
    jaccard = box_iou(anchors, ground_truth)
    result = torch.full((na,), -1, dtype=torch.long, device=device)
    work = jaccard.clone()
    for _ in range(nb):
        k = int(work.argmax())
        result[k // nb] = k % nb
        work[:, k % nb] = -1
        work[k // nb, :] = -1
    best, idx = jaccard.max(dim=1)
    result[best >= iou_threshold] = idx[best >= iou_threshold]
    return result


def multibox_target(anchors, labels):
    raise NotImplementedError
