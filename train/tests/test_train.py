"""Data cache, schedule, level sampling and end-to-end determinism of the trainer."""

from __future__ import annotations

import os

import pytest
import torch

from aezip_train import train as tr
from aezip_train.data import CropCache, list_images


def test_crop_cache_batches(image_dir):
    cache = CropCache(list_images(image_dir), 64, torch.device("cpu"), seed=5)
    assert len(cache) == 6
    b = cache.batch(7)
    assert b.shape == (7, 3, 64, 64) and b.dtype == torch.float32
    assert 0.0 <= b.min().item() and b.max().item() <= 1.0
    # Crops never reach into the zero padding of smaller images: no all-black rows.
    assert (b.amax(dim=(1, 3)) > 0).all()
    again = CropCache(list_images(image_dir), 64, torch.device("cpu"), seed=5)
    assert torch.equal(again.batch(7), b)
    other = CropCache(list_images(image_dir), 64, torch.device("cpu"), seed=6)
    assert not torch.equal(other.batch(7), b)


def test_crop_cache_skips_small_images(image_dir):
    cache = CropCache(list_images(image_dir), 70, torch.device("cpu"))
    assert len(cache) == 4  # 66-pixel sides are skipped
    with pytest.raises(ValueError):
        CropCache(list_images(image_dir), 200, torch.device("cpu"))


def test_schedule_shape():
    s = tr.Schedule(peak=1e-3, warmup_steps=10, decay_start=0.5, final_frac=0.1)
    assert s.lr(0, 0.0) == pytest.approx(1e-4)
    assert s.lr(9, 0.1) == pytest.approx(1e-3)
    assert s.lr(100, 0.5) == pytest.approx(1e-3)
    assert s.lr(100, 0.75) == pytest.approx(1e-3 * (0.1 + 0.9 * 0.5))
    assert s.lr(100, 1.0) == pytest.approx(1e-4)
    lrs = [s.lr(100, p / 20) for p in range(21)]
    assert all(a >= b for a, b in zip(lrs, lrs[1:]))


def test_sample_levels():
    g = torch.Generator()
    g.manual_seed(0)
    t = tr.sample_levels(16, 8, 0.5, g, torch.device("cpu"))
    assert t.shape == (16,)
    ints, cont = t[:8], t[8:]
    assert sorted(ints.tolist()) == [float(i) for i in range(8)]
    assert ((cont >= 0) & (cont <= 7)).all()


def _train(image_dir, out, seed):
    args = tr.build_parser().parse_args([
        "--data", image_dir, "--out", out, "--N", "8", "--M", "12", "--lambdas", "0.002,0.02,0.2",
        "--steps", "3", "--batch", "2", "--crop", "64", "--warmup", "2", "--seed", str(seed),
        "--eval-every", "0", "--ckpt-every", "0", "--device", "cpu"])
    assert tr.run(args) == 0
    return tr.load_checkpoint(os.path.join(out, "ckpt.pt"))


def test_training_is_deterministic_and_resumable(image_dir, tmp_path):
    a = _train(image_dir, str(tmp_path / "a"), 7)
    b = _train(image_dir, str(tmp_path / "b"), 7)
    c = _train(image_dir, str(tmp_path / "c"), 8)
    assert a["step"] == 3
    for k in a["model"]:
        assert torch.equal(a["model"][k], b["model"][k]), k
    assert any(not torch.equal(a["model"][k], c["model"][k]) for k in a["model"])
    slim = tr.load_checkpoint(str(tmp_path / "a" / "final.pt"))
    m = tr.model_from_checkpoint(slim)
    assert m.cfg.N == 8 and m.cfg.levels == 3


def test_resume_continues_identically(image_dir, tmp_path):
    full = _train(image_dir, str(tmp_path / "full"), 3)
    # 3 steps straight vs 2 steps + resume to 3 must agree bit for bit.
    args = tr.build_parser().parse_args([
        "--data", image_dir, "--out", str(tmp_path / "part"), "--N", "8", "--M", "12",
        "--lambdas", "0.002,0.02,0.2", "--steps", "2", "--batch", "2", "--crop", "64", "--warmup", "2",
        "--seed", "3", "--eval-every", "0", "--ckpt-every", "0", "--device", "cpu"])
    tr.run(args)
    args.steps = 3
    args.resume = str(tmp_path / "part" / "ckpt.pt")
    tr.run(args)
    part = tr.load_checkpoint(str(tmp_path / "part" / "ckpt.pt"))
    assert part["step"] == 3
    for k in full["model"]:
        assert torch.allclose(full["model"][k], part["model"][k], rtol=0, atol=0), k


def test_nan_guard_skips_and_restores(image_dir, tmp_path, monkeypatch, capsys):
    calls = {"n": 0}
    real = tr.rd_loss

    def flaky(x, out, lmbda, msssim=False):
        loss, st = real(x, out, lmbda, msssim)
        calls["n"] += 1
        if 3 <= calls["n"] <= 6:  # four non-finite losses in a row
            loss = loss * float("nan")
        return loss, st

    monkeypatch.setattr(tr, "rd_loss", flaky)
    args = tr.build_parser().parse_args([
        "--data", image_dir, "--out", str(tmp_path / "g"), "--N", "8", "--M", "12",
        "--lambdas", "0.002,0.02,0.2", "--steps", "8", "--batch", "2", "--crop", "64", "--warmup", "2",
        "--eval-every", "0", "--ckpt-every", "0", "--device", "cpu", "--max-bad", "3", "--snapshot-every", "1"])
    assert tr.run(args) == 0
    out = capsys.readouterr().out
    assert "4 skipped, 1 restores" in out and "restored last good state" in out
    ck = tr.load_checkpoint(str(tmp_path / "g" / "ckpt.pt"))
    assert ck["lr_scale"] == 0.5
    assert all(torch.isfinite(v).all() for v in ck["model"].values() if v.is_floating_point())
