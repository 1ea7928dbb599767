"""Command line: ``python3 -m aezip_train {train,export,eval,fixture,bench} …`` (run from train/)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import List, Optional

import torch


def _export(argv: List[str]) -> int:
    p = argparse.ArgumentParser(prog="aezip_train export", description="checkpoint → safetensors dump")
    p.add_argument("ckpt")
    p.add_argument("out")
    p.add_argument("--data", required=True, help="training images (for the h_s.amax calibration)")
    p.add_argument("--crop", type=int, default=256)
    p.add_argument("--limit-images", type=int, default=64)
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--device", default="cpu")
    a = p.parse_args(argv)
    from .data import CropCache, list_images
    from .export import export
    from .train import load_checkpoint, model_from_checkpoint

    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    model = model_from_checkpoint(load_checkpoint(a.ckpt), dev).eval()
    cache = CropCache(list_images(a.data, a.limit_images), a.crop, dev, seed=a.seed)
    tensors = export(model, cache, a.out)
    print(f"wrote {a.out}: {len(tensors)} tensors, z.pmf {list(tensors['z.pmf'].shape)}, "
          f"h_s.amax {[round(float(v), 3) for v in tensors['h_s.amax']]}")
    return 0


def _eval(argv: List[str]) -> int:
    p = argparse.ArgumentParser(prog="aezip_train eval", description="Kodak bpp/PSNR of a checkpoint")
    p.add_argument("ckpt")
    p.add_argument("--kodak", required=True)
    p.add_argument("--levels", default="all")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--csv", default="")
    p.add_argument("--analysis-bf16", action="store_true",
                   help="round g_a's product operands to bfloat16 (what a BF16 analysis transform would cost)")
    a = p.parse_args(argv)
    import contextlib

    from .evaluate import append_csv, bf16_analysis, evaluate, format_rows, load_images
    from .train import _levels_arg, load_checkpoint, model_from_checkpoint

    ck = load_checkpoint(a.ckpt)
    model = model_from_checkpoint(ck).eval()
    with bf16_analysis(model) if a.analysis_bf16 else contextlib.nullcontext():
        rows = evaluate(model, load_images(a.kodak, a.limit), _levels_arg(a.levels, model.cfg.levels))
    print(format_rows(rows))
    if a.csv:
        append_csv(a.csv, rows, int(ck.get("step", 0)), float(ck.get("elapsed", 0.0)))
    return 0


def _fixture(argv: List[str]) -> int:
    p = argparse.ArgumentParser(prog="aezip_train fixture", description="write the Go parity fixture")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=200)
    a = p.parse_args(argv)
    from .fixture import make

    make(a.data, a.out, steps=a.steps)
    print(f"wrote {a.out}/tiny.safetensors and {a.out}/fixture.safetensors")
    return 0


def _bench(argv: List[str]) -> int:
    p = argparse.ArgumentParser(prog="aezip_train bench", description="time training steps")
    p.add_argument("--N", type=int, default=128)
    p.add_argument("--M", type=int, default=192)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--crop", type=int, default=256)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args(argv)
    from .model import ModelConfig, autocast_bf16, build, count_params, rd_loss
    from .train import sample_levels

    if a.threads:
        torch.set_num_threads(a.threads)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = build(ModelConfig(N=a.N, M=a.M)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    gen = torch.Generator(device=dev)
    gen.manual_seed(0)
    times = []
    for i in range(a.steps + 1):
        t0 = time.time()
        x = torch.rand((a.batch, 3, a.crop, a.crop), generator=gen, device=dev)
        t = sample_levels(a.batch, model.cfg.levels, 0.5, gen, dev)
        with autocast_bf16(dev.type == "cuda"):
            out = model(x, t)
        loss, _ = rd_loss(x, out, model.lmbda(t))
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        times.append(time.time() - t0)
    steady = times[1:]
    print(f"N={a.N} M={a.M} batch {a.batch}x{a.crop}^2 threads {torch.get_num_threads()} on {dev}: "
          f"{count_params(model)} params, first step {times[0]:.2f} s, "
          f"then {sum(steady) / len(steady):.3f} s/step (min {min(steady):.3f})")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cmds = {"export": _export, "eval": _eval, "fixture": _fixture, "bench": _bench}
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in cmds and argv[0] != "train":
        print(__doc__)
        return 2
    if argv[0] == "train":
        from .train import main as train_main

        return train_main(argv[1:])
    return cmds[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
