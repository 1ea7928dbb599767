"""Parity fixture for the Go model package: a tiny trained model and its float outputs.

Writes ``tiny.safetensors`` (the export dump) and ``fixture.safetensors`` with
``x`` [3,H,W] (a crop of a training image, H and W not multiples of 64), ``t`` [1],
``y`` = g_a(pad(x)) [M,h,w], ``y_q`` = round(y ⊙ gain(t)), ``z_hat`` = round(h_a(y ⊙ gain(t))),
``scales``/``means`` = raw float h_s(ẑ) outputs (scales not lower-bounded), and
``x_hat`` = crop(g_s(y_q ⊙ inv_gain(t))). All float32.
"""

from __future__ import annotations

import json
import os
from typing import Dict, Tuple

import numpy as np
import torch

from . import safetensors_io
from .data import CropCache, crop_of, list_images
from .export import export
from .model import AEModel, ModelConfig, build, pad64, rd_loss
from .train import sample_levels


@torch.no_grad()
def fixture_tensors(model: AEModel, x: torch.Tensor, t: float) -> Dict[str, np.ndarray]:
    """The fixture tensors for one image x [3,H,W] at level t."""
    model.eval()
    h, w = x.shape[-2:]
    xb = x.unsqueeze(0)
    tt = torch.tensor([t])
    y = model.g_a(pad64(xb)).float()
    yg = y * model.gain(tt)[:, :, None, None]
    z_hat = torch.round(model.h_a(yg)) + 0.0  # + 0.0 turns −0 into +0
    scales, means = model.hyper_synthesis(z_hat)
    y_q = torch.round(yg) + 0.0
    x_hat = model.g_s(y_q * model.inv_gain(tt)[:, :, None, None])[..., :h, :w]
    as_np = lambda a: a.squeeze(0).float().numpy().astype(np.float32)  # noqa: E731
    return {"x": as_np(xb), "t": np.array([t], dtype=np.float32), "y": as_np(y), "y_q": as_np(y_q),
            "z_hat": as_np(z_hat), "scales": as_np(scales), "means": as_np(means), "x_hat": as_np(x_hat)}


def make(data: str, out_dir: str, n: int = 16, m: int = 24, steps: int = 200, seed: int = 1,
         image: str = "", size: Tuple[int, int] = (72, 136), at: Tuple[int, int] = (100, 120), t: float = 2.5) -> None:
    """Briefly train a tiny model (CPU, seeded) and write both fixture files to out_dir."""
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    paths = list_images(data)
    cache = CropCache(paths[:8], 64, torch.device("cpu"), seed=seed)
    model = build(ModelConfig(N=n, M=m))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        xb = cache.batch(8)
        tb = sample_levels(8, model.cfg.levels, 0.5, cache.gen, xb.device)
        loss, _ = rd_loss(xb, model(xb, tb), model.lmbda(tb))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    export(model, cache, os.path.join(out_dir, "tiny.safetensors"))
    img = image or paths[0]
    x = crop_of(img, size, at)
    meta = {"image": os.path.basename(img), "crop": json.dumps([*at, *size]), "steps": str(steps),
            "seed": str(seed), "torch": torch.__version__}
    safetensors_io.save(os.path.join(out_dir, "fixture.safetensors"), fixture_tensors(model, x, t), meta)
