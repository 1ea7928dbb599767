"""Export a trained model to the safetensors dump that the Go importer reads.

Tensor names (docs/architecture.md): ``g_a.{0,2,4,6}.{weight,bias}``, ``g_a.{1,3,5}.{beta,gamma}``,
the same for ``g_s`` (IGDN), ``h_a.{0,2,4}.{weight,bias}``, ``h_s.{0,2,4}.{weight,bias}``,
``gain`` and ``inv_gain`` [L][M], ``z.pmf`` [N][K] float32, ``z.offset`` [N] int32 and
``h_s.amax`` [4] float32. All floats are F32. GDN beta/gamma are the effective values.
"""

from __future__ import annotations

import json
from typing import Dict, Optional, Tuple

import numpy as np
import torch

from . import safetensors_io
from .data import CropCache
from .model import GDN, AEModel

ARCH = "msh-v1"


@torch.no_grad()
def measure_amax(model: AEModel, cache: CropCache, batches_per_level: int = 4, batch: int = 8) -> torch.Tensor:
    """Max |.| of the inputs of h_s.2 and h_s.4 and of the scale and mean outputs of h_s.4.

    Measured on training crops at every integer level and at the midpoints between
    levels, with ẑ = round(h_a(y ⊙ gain(t))) as in the codec.
    """
    model.eval()
    dev = next(model.parameters()).device
    amax = torch.zeros(4, dtype=torch.float64)
    levels = model.cfg.levels
    ts = [i / 2 for i in range(2 * levels - 1)]
    hs = model.h_s
    m = model.cfg.M
    for t in ts:
        for _ in range(batches_per_level):
            x = cache.batch(batch).to(dev)
            tt = torch.full((x.shape[0],), float(t), device=dev)
            y = model.g_a(x).float() * model.gain(tt)[:, :, None, None]
            z_hat = torch.round(model.h_a(y).float())
            a1 = hs[1](hs[0](z_hat)).float()
            a2 = hs[3](hs[2](a1)).float()
            out = hs[4](a2).float()
            vals = [a1.abs().max(), a2.abs().max(), out[:, :m].abs().max(), out[:, m:].abs().max()]
            amax = torch.maximum(amax, torch.stack([v.double().cpu() for v in vals]))
    return amax.float()


@torch.no_grad()
def dump_tensors(model: AEModel, amax: torch.Tensor) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """All tensors and metadata of the dump, as numpy arrays (float32 / int32)."""
    out: Dict[str, np.ndarray] = {}

    def f32(t: torch.Tensor) -> np.ndarray:
        return t.detach().float().cpu().numpy().astype(np.float32)

    for seq_name in ("g_a", "g_s", "h_a", "h_s"):
        seq = getattr(model, seq_name)
        for i, layer in enumerate(seq):
            key = f"{seq_name}.{i}"
            if isinstance(layer, GDN):
                beta, gamma = layer.effective()
                out[key + ".beta"] = f32(beta)
                out[key + ".gamma"] = f32(gamma)
            elif isinstance(layer, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
                out[key + ".weight"] = f32(layer.weight)
                out[key + ".bias"] = f32(layer.bias)
    out["gain"] = f32(torch.exp(model.log_gain.float()))
    out["inv_gain"] = f32(torch.exp(model.log_inv_gain.float()))
    pmf, offset = model.prior.pmf_table()
    out["z.pmf"] = f32(pmf)
    out["z.offset"] = offset.cpu().numpy().astype(np.int32)
    out["h_s.amax"] = f32(amax)
    cfg = model.cfg
    meta = {
        "arch": ARCH,
        "N": str(cfg.N),
        "M": str(cfg.M),
        "levels": str(cfg.levels),
        "lambdas": json.dumps([float(v) for v in cfg.lambdas]),
        "scale_bound": "0.11",
        "gain_interp": "geometric",
    }
    return out, meta


def export(model: AEModel, cache: CropCache, path: str, amax: Optional[torch.Tensor] = None) -> Dict[str, np.ndarray]:
    """Measure h_s.amax (unless given) and write the dump to ``path``; returns the tensors."""
    if amax is None:
        amax = measure_amax(model, cache)
    tensors, meta = dump_tensors(model, amax)
    safetensors_io.save(path, tensors, meta)
    return tensors
