# expect: suppressed only against the most confident box
# not: the boxes must be visited in descending order of score
# not: returned them sorted by index
# not: the threshold is inverted
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
    anc = box_corner_to_center(anchors)
    xy = offset_preds[:, :2] * anc[:, 2:] / 10 + anc[:, :2]
    wh = torch.exp(offset_preds[:, 2:] / 5) * anc[:, 2:]
    return box_center_to_corner(torch.cat((xy, wh), dim=1))


def nms(boxes, scores, iou_threshold):
    order = torch.argsort(scores, descending=True)
    top = order[0]
    iou = box_iou(boxes[top].reshape(1, 4), boxes[order[1:]]).reshape(-1)
    return torch.cat((order[:1], order[1:][iou <= iou_threshold]))


def multibox_detection(cls_probs, offset_preds, anchors, nms_threshold=0.5, pos_threshold=0.009999999):
    raise NotImplementedError
