"""The safetensors writer/reader and the exported dump's names, shapes and values."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import torch

from aezip_train import safetensors_io
from aezip_train.data import CropCache, list_images
from aezip_train.export import dump_tensors, export, measure_amax
from aezip_train.model import GDN


def test_safetensors_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    tensors = {
        "a.weight": rng.standard_normal((3, 2, 5, 5)).astype(np.float32),
        "b": np.array([-3, 0, 7], dtype=np.int32),
        "scalarish": np.array([1.5], dtype=np.float32),
    }
    meta = {"arch": "msh-v1", "lambdas": "[0.1, 0.2]"}
    path = str(tmp_path / "x.safetensors")
    safetensors_io.save(path, tensors, meta)
    raw = open(path, "rb").read()
    (hlen,) = struct.unpack("<Q", raw[:8])
    assert hlen % 8 == 0
    header = json.loads(raw[8 : 8 + hlen])
    assert header["__metadata__"] == meta
    assert header["b"] == {"dtype": "I32", "shape": [3], "data_offsets": header["b"]["data_offsets"]}
    # Raw little-endian bytes at the stated offsets.
    a0, a1 = header["a.weight"]["data_offsets"]
    assert raw[8 + hlen + a0 : 8 + hlen + a1] == tensors["a.weight"].astype("<f4").tobytes()
    back, meta2 = safetensors_io.load(path)
    assert meta2 == meta and set(back) == set(tensors)
    for k in tensors:
        assert back[k].dtype == tensors[k].dtype and np.array_equal(back[k], tensors[k])


def test_safetensors_rejects_corrupt():
    good = safetensors_io.encode({"x": np.zeros(4, np.float32)})
    with pytest.raises(ValueError):
        safetensors_io.decode(good[:5])
    with pytest.raises(ValueError):
        safetensors_io.decode(struct.pack("<Q", 1 << 40) + good[8:])
    with pytest.raises(ValueError):
        safetensors_io.decode(good[:-4])  # data shorter than the offsets claim


def expected_names(n_gdn: bool = True) -> set:
    names = set()
    for seq, convs, gdns in (("g_a", (0, 2, 4, 6), (1, 3, 5)), ("g_s", (0, 2, 4, 6), (1, 3, 5)),
                             ("h_a", (0, 2, 4), ()), ("h_s", (0, 2, 4), ())):
        names |= {f"{seq}.{i}.{p}" for i in convs for p in ("weight", "bias")}
        names |= {f"{seq}.{i}.{p}" for i in gdns for p in ("beta", "gamma")}
    return names | {"gain", "inv_gain", "z.pmf", "z.offset", "h_s.amax"}


def test_export_round_trip(tiny, image_dir, tmp_path):
    cache = CropCache(list_images(image_dir), 64, torch.device("cpu"), seed=0)
    path = str(tmp_path / "m.safetensors")
    written = export(tiny, cache, path)
    t, meta = safetensors_io.load(path)
    assert set(t) == expected_names()
    assert meta["arch"] == "msh-v1" and meta["N"] == "8" and meta["M"] == "12" and meta["levels"] == "3"
    assert json.loads(meta["lambdas"]) == [0.0018, 0.013, 0.18]
    n, m, lv = 8, 12, 3
    shapes = {"g_a.0.weight": (n, 3, 5, 5), "g_a.6.weight": (m, n, 5, 5), "g_a.1.gamma": (n, n),
              "g_s.0.weight": (m, n, 5, 5), "g_s.6.weight": (n, 3, 5, 5), "g_s.6.bias": (3,),
              "h_a.0.weight": (n, m, 3, 3), "h_s.0.weight": (n, m, 5, 5), "h_s.2.weight": (m, m * 3 // 2, 5, 5),
              "h_s.4.weight": (2 * m, m * 3 // 2, 3, 3), "gain": (lv, m), "inv_gain": (lv, m),
              "z.offset": (n,), "h_s.amax": (4,)}
    for k, s in shapes.items():
        assert t[k].shape == s, k
    for k, v in t.items():
        assert v.dtype == (np.int32 if k == "z.offset" else np.float32), k
        assert np.array_equal(v, written[k])
    assert t["z.pmf"].shape[0] == n and np.allclose(t["z.pmf"].sum(1), 1.0, atol=1e-5)
    assert np.all(t["gain"] > 0) and np.all(t["inv_gain"] > 0)
    assert np.all(t["h_s.amax"] > 0)
    # Effective GDN values reproduce the layer.
    layer = tiny.g_a[1]
    assert isinstance(layer, GDN)
    x = torch.randn(1, n, 2, 3)
    beta, gamma = t["g_a.1.beta"], t["g_a.1.gamma"]
    xn = x.numpy()[0]
    ref = xn / np.sqrt(beta[:, None, None] + np.einsum("ij,jhw->ihw", gamma, xn * xn))
    assert np.allclose(layer(x).detach().numpy()[0], ref, rtol=1e-5, atol=1e-6)


def test_amax_bounds_h_s_activations(tiny, image_dir):
    cache = CropCache(list_images(image_dir), 64, torch.device("cpu"), seed=0)
    amax = measure_amax(tiny, cache, batches_per_level=2, batch=4)
    x = cache.batch(4)
    with torch.no_grad():
        y = tiny.g_a(x) * tiny.gain(torch.full((4,), 1.0))[:, :, None, None]
        z = torch.round(tiny.h_a(y))
        a1 = tiny.h_s[1](tiny.h_s[0](z))
    # Same distribution: a fresh batch should rarely exceed the calibration by much.
    assert a1.abs().max().item() <= 2 * amax[0].item()
    tensors, meta = dump_tensors(tiny, amax)
    assert np.allclose(tensors["h_s.amax"], amax.numpy())
