# A correct file in loop style: one pixel and one (size, ratio) pair at a time, a list of boxes.
import math

import torch


def multibox_prior(data, sizes, ratios):
    h, w = data.shape[2], data.shape[3]
    pairs = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    boxes = []
    for i in range(h):
        for j in range(w):
            cx, cy = (j + 0.5) / w, (i + 0.5) / h
            for s, r in pairs:
                half_w = s * math.sqrt(r) * h / w / 2
                half_h = s / math.sqrt(r) / 2
                boxes.append([cx - half_w, cy - half_h, cx + half_w, cy + half_h])
    return torch.tensor(boxes, device=data.device).unsqueeze(0)
