"""Reference solution for the multibox-target exercise (d2l 13.4.3)."""

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
    """Normalised center offsets: sigma 0.1 for x, y and 0.2 for the log of w, h."""
    a = box_corner_to_center(anchors)
    b = box_corner_to_center(assigned_bb)
    offset_xy = 10 * (b[:, :2] - a[:, :2]) / a[:, 2:]
    offset_wh = 5 * torch.log(eps + b[:, 2:] / a[:, 2:])
    return torch.cat((offset_xy, offset_wh), dim=1)


def assign_anchor_to_bbox(ground_truth, anchors, device, iou_threshold=0.5):
    """Each anchor's ground-truth box index, or -1: threshold first, then one greedy pick per box."""
    num_anchors, num_gt = anchors.shape[0], ground_truth.shape[0]
    jaccard = box_iou(anchors, ground_truth)  # (num_anchors, num_gt)
    anchors_bbox_map = torch.full((num_anchors,), -1, dtype=torch.long, device=device)
    max_ious, indices = torch.max(jaccard, dim=1)
    good = max_ious >= iou_threshold
    anchors_bbox_map[good] = indices[good]
    for _ in range(num_gt):
        k = int(torch.argmax(jaccard))
        anc_idx, box_idx = k // num_gt, k % num_gt
        anchors_bbox_map[anc_idx] = box_idx
        jaccard[:, box_idx] = -1  # this box is taken
        jaccard[anc_idx, :] = -1  # and so is this anchor
    return anchors_bbox_map


def multibox_target(anchors, labels):
    """(bbox_offset, bbox_mask, class_labels) for every example of the batch."""
    anchors = anchors.squeeze(0)
    device, num_anchors = anchors.device, anchors.shape[0]
    batch_offset, batch_mask, batch_class_labels = [], [], []
    for label in labels:
        anchors_bbox_map = assign_anchor_to_bbox(label[:, 1:], anchors, device)
        positive = anchors_bbox_map >= 0
        bbox_mask = positive.to(anchors.dtype).unsqueeze(-1).repeat(1, 4)
        class_labels = torch.zeros(num_anchors, dtype=torch.long, device=device)
        assigned_bb = torch.zeros((num_anchors, 4), dtype=anchors.dtype, device=device)
        box_idx = anchors_bbox_map[positive]
        class_labels[positive] = label[box_idx, 0].long() + 1
        assigned_bb[positive] = label[box_idx, 1:]
        offset = offset_boxes(anchors, assigned_bb) * bbox_mask
        batch_offset.append(offset.reshape(-1))
        batch_mask.append(bbox_mask.reshape(-1))
        batch_class_labels.append(class_labels)
    return torch.stack(batch_offset), torch.stack(batch_mask), torch.stack(batch_class_labels)
