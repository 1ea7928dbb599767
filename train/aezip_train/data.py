"""Training data: every image decoded once into one uint8 tensor, batches cropped there.

The images are stacked into a zero-padded ``[n, 3, Hmax, Wmax]`` uint8 tensor
(portrait images are transposed to landscape first, which is also a valid
augmentation), kept in RAM or on the GPU. A batch of random crops with random
flips is one gather from that tensor, driven by a seeded generator on the same
device, so there is no host-side bottleneck and runs are reproducible.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".ppm", ".bmp", ".tif", ".tiff", ".webp")
MAX_CACHE_BYTES = 8 << 30  # refuse to build a cache larger than this


def list_images(folder: str, limit: Optional[int] = None) -> List[str]:
    """Sorted image paths in ``folder`` (optionally the first ``limit``)."""
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTS))
    if not names:
        raise FileNotFoundError(f"no images in {folder}")
    paths = [os.path.join(folder, n) for n in names]
    return paths[:limit] if limit else paths


def read_rgb(path: str) -> np.ndarray:
    """Decode an image file to a uint8 HWC RGB array."""
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def to_tensor(img: np.ndarray) -> Tensor:
    """uint8 HWC → float32 CHW in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1))).float() / 255.0


class CropCache:
    """All training images as one uint8 tensor plus their sizes; yields crop batches."""

    def __init__(self, paths: Sequence[str], crop: int, device: torch.device, seed: int = 0) -> None:
        imgs: List[np.ndarray] = []
        # PIL releases the GIL while decoding, so threads decode in parallel.
        with ThreadPoolExecutor(max_workers=min(16, os.cpu_count() or 1)) as pool:
            decoded = list(pool.map(read_rgb, paths))
        for a in decoded:
            if a.shape[0] > a.shape[1]:
                a = a.transpose(1, 0, 2)
            if min(a.shape[:2]) < crop:
                continue  # too small for a full crop; skip rather than upscale
            imgs.append(a)
        if not imgs:
            raise ValueError(f"no training image is at least {crop}x{crop}")
        hmax = max(a.shape[0] for a in imgs)
        wmax = max(a.shape[1] for a in imgs)
        nbytes = len(imgs) * 3 * hmax * wmax
        if nbytes > MAX_CACHE_BYTES:
            raise MemoryError(f"image cache would need {nbytes >> 20} MiB")
        buf = np.zeros((len(imgs), hmax, wmax, 3), dtype=np.uint8)
        for i, a in enumerate(imgs):
            buf[i, : a.shape[0], : a.shape[1]] = a
        self.data = torch.from_numpy(buf).permute(0, 3, 1, 2).contiguous().to(device)
        self.sizes = torch.tensor([a.shape[:2] for a in imgs], dtype=torch.int64, device=device)
        self.crop = crop
        self.device = device
        self.gen = torch.Generator(device=device)
        self.gen.manual_seed(seed)
        self._ar = torch.arange(crop, device=device)
        self._ch = torch.arange(3, device=device).view(1, 3, 1, 1)

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def batch(self, b: int) -> Tensor:
        """b random crops with random horizontal/vertical flips, float32 [b,3,c,c] in [0,1]."""
        g, c, dev = self.gen, self.crop, self.device
        idx = torch.randint(0, len(self), (b,), generator=g, device=dev)
        hw = self.sizes[idx]
        u = torch.rand((b, 2), generator=g, device=dev)
        oy = (u[:, 0] * (hw[:, 0] - c + 1).float()).long().clamp(min=0)
        ox = (u[:, 1] * (hw[:, 1] - c + 1).float()).long().clamp(min=0)
        flips = torch.rand((b, 2), generator=g, device=dev) < 0.5
        ry = torch.where(flips[:, :1], c - 1 - self._ar, self._ar)  # [b, c]
        rx = torch.where(flips[:, 1:], c - 1 - self._ar, self._ar)
        ys = (oy.view(b, 1) + ry).view(b, 1, c, 1)
        xs = (ox.view(b, 1) + rx).view(b, 1, 1, c)
        crops = self.data[idx.view(b, 1, 1, 1), self._ch, ys, xs]
        return crops.float().div_(255.0)

    def rng_state(self) -> Tensor:
        """The crop generator's state (for checkpoints)."""
        return self.gen.get_state()

    def set_rng_state(self, s: Tensor) -> None:
        """Restore the crop generator's state."""
        self.gen.set_state(s)


def crop_of(path: str, size: Tuple[int, int], at: Tuple[int, int] = (0, 0)) -> Tensor:
    """A deterministic [3,h,w] float crop of one image (used for the parity fixture)."""
    a = read_rgb(path)
    y, x = at
    h, w = size
    if y + h > a.shape[0] or x + w > a.shape[1]:
        raise ValueError("crop outside image")
    return to_tensor(a[y : y + h, x : x + w])
