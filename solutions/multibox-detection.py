"""Reference solution for the multibox-detection exercise (d2l 13.4.4)."""

import torch


def box_corner_to_center(boxes):
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def box_center_to_corner(boxes):
    cx, cy, w, h = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return torch.stack((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), dim=-1)


def box_iou(boxes1, boxes2):
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    upper_left = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    lower_right = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    sides = (lower_right - upper_left).clamp(min=0)
    inter = sides[..., 0] * sides[..., 1]
    return inter / (area(boxes1)[:, None] + area(boxes2) - inter)


def offset_inverse(anchors, offset_preds):
    """Move each anchor by its offsets (sigma 0.1 for the center, 0.2 for the log size)."""
    anc = box_corner_to_center(anchors)
    xy = offset_preds[:, :2] * anc[:, 2:] / 10 + anc[:, :2]
    wh = torch.exp(offset_preds[:, 2:] / 5) * anc[:, 2:]
    return box_center_to_corner(torch.cat((xy, wh), dim=1))


def nms(boxes, scores, iou_threshold):
    """Indices kept by greedy non-maximum suppression, most confident first."""
    order = torch.argsort(scores, dim=-1, descending=True)
    keep = []
    while order.numel() > 0:
        i = order[0]
        keep.append(i)
        if order.numel() == 1:
            break
        iou = box_iou(boxes[i].reshape(1, 4), boxes[order[1:]]).reshape(-1)
        order = order[1:][iou <= iou_threshold]
    return torch.stack(keep) if keep else torch.zeros(0, dtype=torch.long, device=boxes.device)


def multibox_detection(cls_probs, offset_preds, anchors, nms_threshold=0.5, pos_threshold=0.009999999):
    """(batch, na, 6) rows (class_id, confidence, box): kept boxes first, the rest marked -1."""
    anchors = anchors.squeeze(0)
    device, num_anchors = cls_probs.device, cls_probs.shape[2]
    out = []
    for cls_prob, offset_pred in zip(cls_probs, offset_preds):
        conf, class_id = torch.max(cls_prob[1:], dim=0)  # row 0 is the background
        predicted_bb = offset_inverse(anchors, offset_pred.reshape(-1, 4))
        keep = nms(predicted_bb, conf, nms_threshold)
        is_kept = torch.zeros(num_anchors, dtype=torch.bool, device=device)
        is_kept[keep] = True
        non_keep = torch.arange(num_anchors, device=device)[~is_kept]
        order = torch.cat((keep, non_keep))
        class_id = torch.where(is_kept, class_id, torch.full_like(class_id, -1))[order]
        conf, predicted_bb = conf[order], predicted_bb[order]
        below = conf < pos_threshold
        class_id[below] = -1
        conf = torch.where(below, 1 - conf, conf)
        out.append(torch.cat((class_id.unsqueeze(1).to(conf.dtype), conf.unsqueeze(1), predicted_bb), dim=1))
    return torch.stack(out)
