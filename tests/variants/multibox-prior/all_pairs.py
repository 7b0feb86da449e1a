# expect: n * m anchors per pixel
import math

import torch


def multibox_prior(data, sizes, ratios):
    h, w = data.shape[2], data.shape[3]
    boxes = []
    for i in range(h):
        for j in range(w):
            cx, cy = (j + 0.5) / w, (i + 0.5) / h
            for r in ratios:
                for s in sizes:
                    half_w = s * math.sqrt(r) * h / w / 2
                    half_h = s / math.sqrt(r) / 2
                    boxes.append([cx - half_w, cy - half_h, cx + half_w, cy + half_h])
    return torch.tensor(boxes, device=data.device).unsqueeze(0)
