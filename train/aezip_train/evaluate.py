"""Kodak evaluation: bpp from the real likelihoods of the rounded latents, and PSNR.

This mirrors the codec (replicate padding to 64, ẑ = round(z), ŷ' = round(y'−μ)+μ,
8-bit output) but estimates bits from the learned likelihoods instead of running
the range coder, so the numbers are a close lower bound of the real file sizes.
"""

from __future__ import annotations

import contextlib
import csv
import os
import types
from typing import Dict, Iterator, List, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .data import list_images, read_rgb, to_tensor
from .model import GDN, AEModel, pad64

CSV_FIELDS = ("step", "elapsed_s", "t", "lambda", "bpp", "bpp_y", "bpp_z", "psnr", "images")


def load_images(folder: str, limit: int = 0) -> List[torch.Tensor]:
    """Kodak (or any folder) images as float32 [3,H,W] tensors."""
    return [to_tensor(read_rgb(p)) for p in list_images(folder, limit or None)]


@torch.no_grad()
def evaluate(model: AEModel, images: Sequence[torch.Tensor], levels: Sequence[float]) -> List[Dict[str, float]]:
    """Mean bpp / PSNR over ``images`` at each level t (one row per level; PSNR of 8-bit output, mean of per-image dB)."""
    was_training = model.training
    model.eval()
    dev = next(model.parameters()).device
    rows = []
    sums = {t: [0.0, 0.0, 0.0, 0.0] for t in levels}
    for img in images:
        x = img.unsqueeze(0).to(dev)
        pixels = x.shape[-1] * x.shape[-2]
        y = model.g_a(pad64(x)).float()
        for t in levels:
            out = model.compress_eval_y(y, torch.tensor([float(t)], device=dev), x.shape[-2:])
            x8 = torch.round(out["x_hat"].clamp(0, 1) * 255)
            mse = (x8 - torch.round(x * 255)).pow(2).mean().item()
            psnr = 10 * torch.log10(torch.tensor(255.0**2 / max(mse, 1e-10))).item()
            s = sums[t]
            s[0] += out["y_bits"].item() / pixels
            s[1] += out["z_bits"].item() / pixels
            s[2] += psnr
            s[3] += 1
    for t in levels:
        by, bz, ps, n = sums[t]
        lam = model.lmbda(torch.tensor([float(t)], device=dev)).item()
        rows.append({"t": float(t), "lambda": lam, "bpp": (by + bz) / n, "bpp_y": by / n, "bpp_z": bz / n,
                     "psnr": ps / n, "images": int(n)})
    model.train(was_training)
    return rows


def _bf16(t: torch.Tensor) -> torch.Tensor:
    """t rounded to bfloat16 (round to nearest even) and back to float32."""
    return t.to(torch.bfloat16).float()


@contextlib.contextmanager
def bf16_analysis(model: AEModel) -> Iterator[None]:
    """Within the context, every product of g_a takes bfloat16 operands and
    sums in float32, as the AVX-512 BF16 dot product (VDPBF16PS) would: the
    convolutions' inputs and weights and each GDN's x² and gamma are rounded
    to bfloat16; biases, beta, the sums and everything else stay float32.
    (A Winograd implementation rounds the transformed operands instead, with
    errors of the same size.) It measures what such an analysis transform
    would cost in rate and distortion; the codec has none."""
    saved, hooks = [], []
    try:
        for m in model.g_a:
            if isinstance(m, nn.Conv2d):
                saved.append((m, "weight", m.weight.data))
                m.weight.data = _bf16(m.weight.data)
                hooks.append(m.register_forward_pre_hook(lambda _m, inp: (_bf16(inp[0]),)))
            elif isinstance(m, GDN):
                def forward(self: GDN, x: torch.Tensor) -> torch.Tensor:
                    beta, gamma = self.effective()
                    x = x.float()
                    c = gamma.shape[0]
                    norm = F.conv2d(_bf16(x * x), _bf16(gamma).view(c, c, 1, 1), beta)
                    return x * torch.sqrt(norm) if self.inverse else x * torch.rsqrt(norm)

                saved.append((m, "forward", None))
                m.forward = types.MethodType(forward, m)
        yield
    finally:
        for h in hooks:
            h.remove()
        for m, what, data in saved:
            if what == "weight":
                m.weight.data = data
            else:
                del m.forward


def append_csv(path: str, rows: Sequence[Dict[str, float]], step: int, elapsed: float) -> None:
    """Append rows (with step and elapsed seconds) to a CSV, writing the header once."""
    new = not os.path.exists(path)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        if new:
            w.writeheader()
        for r in rows:
            row = {"step": step, "elapsed_s": f"{elapsed:.1f}"}
            row.update({k: (f"{v:.5f}" if isinstance(v, float) else v) for k, v in r.items()})
            w.writerow(row)


def format_rows(rows: Sequence[Dict[str, float]]) -> str:
    """One short line per level for logs."""
    return "\n".join(f"  t={r['t']:.1f} λ={r['lambda']:.4f}: {r['bpp']:.4f} bpp (z {r['bpp_z']:.4f}), "
                     f"{r['psnr']:.2f} dB" for r in rows)
