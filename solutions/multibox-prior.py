"""Reference solution for the multibox-prior exercise (d2l 13.4.1)."""

import torch


def multibox_prior(data: torch.Tensor, sizes: list[float], ratios: list[float]) -> torch.Tensor:
    """(1, h * w * (n + m - 1), 4) anchors in normalised corner form, pixel by pixel, row by row."""
    h, w = data.shape[-2:]
    device = data.device
    s = torch.tensor(sizes, dtype=torch.float32, device=device)
    r = torch.tensor(ratios, dtype=torch.float32, device=device)
    # the n + m - 1 (size, ratio) pairs: every size with ratios[0], then sizes[0] with the other ratios
    widths = torch.cat((s * torch.sqrt(r[0]), s[0] * torch.sqrt(r[1:]))) * h / w
    heights = torch.cat((s / torch.sqrt(r[0]), s[0] / torch.sqrt(r[1:])))
    per_pixel = widths.numel()
    center_y = (torch.arange(h, device=device, dtype=torch.float32) + 0.5) / h
    center_x = (torch.arange(w, device=device, dtype=torch.float32) + 0.5) / w
    cy, cx = torch.meshgrid(center_y, center_x, indexing="ij")  # row by row
    centers = torch.stack((cx, cy, cx, cy), dim=-1).reshape(-1, 4).repeat_interleave(per_pixel, dim=0)
    offsets = torch.stack((-widths, -heights, widths, heights), dim=-1).repeat(h * w, 1) / 2
    return (centers + offsets).unsqueeze(0)
