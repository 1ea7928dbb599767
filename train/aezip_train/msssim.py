"""Differentiable MS-SSIM (Wang et al. 2003) for the optional MS-SSIM training loss.

Gaussian window 11, σ 1.5, the standard five scale weights; images must be at
least 16·(window−1)+1 pixels per side for five scales, otherwise fewer scales
(with renormalised weights) are used.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _window(size: int, sigma: float, device: torch.device) -> Tensor:
    r = torch.arange(size, dtype=torch.float32, device=device) - (size - 1) / 2
    g = torch.exp(-(r**2) / (2 * sigma**2))
    return g / g.sum()


def _ssim_cs(x: Tensor, y: Tensor, win: Tensor) -> tuple[Tensor, Tensor]:
    c = x.shape[1]
    k = win.numel()
    wh = win.view(1, 1, 1, k).repeat(c, 1, 1, 1)
    wv = win.view(1, 1, k, 1).repeat(c, 1, 1, 1)

    def blur(t: Tensor) -> Tensor:
        return F.conv2d(F.conv2d(t, wh, groups=c), wv, groups=c)

    c1, c2 = 0.01**2, 0.03**2
    mx, my = blur(x), blur(y)
    sxx = blur(x * x) - mx * mx
    syy = blur(y * y) - my * my
    sxy = blur(x * y) - mx * my
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    ssim = ((2 * mx * my + c1) / (mx * mx + my * my + c1)) * cs
    return ssim.mean(dim=(1, 2, 3)), cs.mean(dim=(1, 2, 3))


def ms_ssim(x: Tensor, y: Tensor, win_size: int = 11, sigma: float = 1.5) -> Tensor:
    """Per-image MS-SSIM of [B,C,H,W] images in [0,1] → [B]."""
    win = _window(win_size, sigma, x.device)
    side = min(x.shape[-2:])
    scales = len(_WEIGHTS)
    while scales > 1 and side < (win_size - 1) * 2 ** (scales - 1) + 1:
        scales -= 1
    w = torch.tensor(_WEIGHTS[:scales], device=x.device)
    w = w / w.sum()
    vals = []
    for i in range(scales):
        ssim, cs = _ssim_cs(x, y, win)
        vals.append(torch.relu(ssim if i == scales - 1 else cs))
        if i < scales - 1:
            x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
    stack = torch.stack(vals, dim=1)  # [B, scales]
    return torch.prod(stack ** w.view(1, -1), dim=1)
