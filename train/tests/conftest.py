"""Shared fixtures: a tiny model and a folder of synthetic training images."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from aezip_train.model import AEModel, ModelConfig, build  # noqa: E402


@pytest.fixture
def tiny() -> AEModel:
    torch.manual_seed(0)
    return build(ModelConfig(N=8, M=12, lambdas=[0.0018, 0.0130, 0.1800])).eval()


@pytest.fixture
def image_dir(tmp_path) -> str:
    """Six smooth-ish random RGB PNGs of mixed orientation and size."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for i, (h, w) in enumerate([(70, 90), (96, 72), (80, 80), (72, 100), (90, 66), (66, 66)]):
        base = rng.integers(0, 256, size=(h // 4 + 1, w // 4 + 1, 3), dtype=np.uint8)
        img = Image.fromarray(base).resize((w, h), Image.BILINEAR)
        img.save(os.path.join(tmp_path, f"img{i}.png"))
    return str(tmp_path)
