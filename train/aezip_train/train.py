"""The training loop: Adam, warm-up + peak + cosine decay, clipping, NaN guard,
checkpoints/resume, periodic Kodak evaluation, bf16 autocast on CUDA, optional DDP.

Rate levels: every sample of a batch gets its own level t. A fraction
(``--continuous-frac``) of each batch gets a uniform continuous t ∈ [0, L−1] with
λ(t) and gain(t) interpolated geometrically (the codec's quality → t mapping is
continuous); the rest get integer levels spread evenly over the L levels.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import math
import os
import sys
import time
from typing import Any, Dict, List, Optional

import torch
import torch.distributed as dist

from .data import CropCache, list_images
from .evaluate import append_csv, evaluate, format_rows, load_images
from .model import AEModel, ModelConfig, autocast_bf16, build, count_params, rd_loss


@dataclasses.dataclass
class Schedule:
    """Learning-rate schedule over a step and/or wall-clock budget."""

    peak: float = 5e-4
    warmup_steps: int = 1000
    decay_start: float = 0.6  # fraction of the budget at which the cosine decay begins
    final_frac: float = 0.02  # lr at the end = peak · final_frac

    def lr(self, step: int, progress: float) -> float:
        """lr at ``step`` with ``progress`` ∈ [0, 1] of the budget spent."""
        warm = min(1.0, (step + 1) / max(1, self.warmup_steps))
        if progress <= self.decay_start:
            decay = 1.0
        else:
            p = min(1.0, (progress - self.decay_start) / max(1e-9, 1.0 - self.decay_start))
            decay = self.final_frac + (1 - self.final_frac) * 0.5 * (1 + math.cos(math.pi * p))
        return self.peak * warm * decay


def sample_levels(b: int, levels: int, continuous_frac: float, gen: torch.Generator, dev: torch.device) -> torch.Tensor:
    """Per-sample levels t [b]: the first part integer levels spread evenly, the rest continuous."""
    n_cont = int(round(b * continuous_frac))
    n_int = b - n_cont
    off = torch.randint(0, levels, (1,), generator=gen, device=dev)
    t_int = ((torch.arange(n_int, device=dev) + off) % levels).float()
    t_cont = torch.rand((n_cont,), generator=gen, device=dev) * (levels - 1)
    return torch.cat([t_int, t_cont])


class Progress:
    """A one-line progress bar on stderr (plain periodic lines when not a tty)."""

    def __init__(self, total_s: float, total_steps: int) -> None:
        self.total_s, self.total_steps = total_s, total_steps
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.interval = 0.5 if self.tty else 30.0
        self.rate_t, self.rate_step, self.rate = time.time(), 0, 0.0

    def update(self, step: int, elapsed: float, stats: Dict[str, float], lr: float, force: bool = False) -> None:
        now = time.time()
        if not force and now - self.last < self.interval:
            return
        if step > self.rate_step and now > self.rate_t:
            self.rate = (step - self.rate_step) / (now - self.rate_t)
        self.rate_t, self.rate_step, self.last = now, step, now
        left = []
        if self.total_s > 0:
            left.append(self.total_s - elapsed)
        if self.total_steps > 0 and self.rate > 0:
            left.append((self.total_steps - step) / self.rate)
        eta = max(0.0, min(left)) if left else 0.0
        msg = (f"step {step} | {self.rate:.2f} it/s | loss {stats.get('loss', 0):.4f} bpp {stats.get('bpp', 0):.3f} "
               f"psnr {stats.get('psnr', 0):.2f} | lr {lr:.2e} | ETA {int(eta) // 60}:{int(eta) % 60:02d}")
        if self.tty:
            sys.stderr.write("\r" + msg.ljust(110))
        else:
            sys.stderr.write(msg + "\n")
        sys.stderr.flush()

    def newline(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


def save_atomic(obj: Any, path: str) -> None:
    """torch.save to a temporary file, then rename (a crash never leaves half a checkpoint)."""
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str, map_location: Any = "cpu") -> Dict[str, Any]:
    """Load a checkpoint written by this trainer (full or slim)."""
    return torch.load(path, map_location=map_location, weights_only=False)


def model_from_checkpoint(ck: Dict[str, Any], device: Any = "cpu") -> AEModel:
    """Rebuild the model from a checkpoint (slim fp16 tensors are cast back to fp32)."""
    cfg = ModelConfig(**ck["cfg"])
    model = build(cfg)
    state = {k: v.float() if v.is_floating_point() else v for k, v in ck["model"].items()}
    model.load_state_dict(state)
    return model.to(device)


def slim_state(model: AEModel) -> Dict[str, torch.Tensor]:
    """Weights only, large float tensors as fp16 (keeps N=128/M=192 under 16 MiB)."""
    out = {}
    for k, v in model.state_dict().items():
        v = v.detach().cpu()
        out[k] = v.half() if v.is_floating_point() and v.numel() >= 4096 else v.clone()
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aezip_train train", description=__doc__)
    p.add_argument("--data", required=True, help="folder of training images")
    p.add_argument("--kodak", default="", help="evaluation images (Kodak); empty: no evaluation")
    p.add_argument("--out", required=True, help="run folder: ckpt.pt, final.pt, eval.csv")
    p.add_argument("--N", type=int, default=128)
    p.add_argument("--M", type=int, default=192)
    p.add_argument("--lambdas", default="", help="comma-separated λ list (default CompressAI q1..8)")
    p.add_argument("--minutes", type=float, default=0.0, help="wall-clock budget (0: steps only)")
    p.add_argument("--steps", type=int, default=0, help="step budget (0: minutes only)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--crop", type=int, default=256)
    p.add_argument("--lr", type=float, default=5e-4, help="peak learning rate")
    p.add_argument("--warmup", type=int, default=1000, help="linear warm-up steps")
    p.add_argument("--decay-start", type=float, default=0.6)
    p.add_argument("--final-lr-frac", type=float, default=0.02)
    p.add_argument("--clip", type=float, default=1.0, help="gradient-norm clip")
    p.add_argument("--continuous-frac", type=float, default=0.5)
    p.add_argument("--msssim", action="store_true", help="λ·(1−MS-SSIM) instead of λ·255²·MSE (pass MS-SSIM λs)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    p.add_argument("--limit-images", type=int, default=0, help="use only the first N training images")
    p.add_argument("--device", default="", help="cpu or cuda (default: cuda if available)")
    p.add_argument("--no-bf16", action="store_true", help="disable bf16 autocast on CUDA")
    p.add_argument("--eval-every", type=float, default=120.0, help="seconds between Kodak evaluations (0: end only)")
    p.add_argument("--eval-levels", default="0,2,4,7", help="levels evaluated during training")
    p.add_argument("--final-eval-levels", default="all", help="levels evaluated at the end")
    p.add_argument("--eval-limit", type=int, default=0, help="periodic evaluations use the first N images only")
    p.add_argument("--final-eval-limit", type=int, default=0, help="the final evaluation uses the first N images")
    p.add_argument("--ckpt-every", type=float, default=300.0, help="seconds between checkpoints")
    p.add_argument("--resume", default="", help="checkpoint to resume (full) or to start from (slim)")
    p.add_argument("--spike", type=float, default=20.0, help="skip steps whose loss exceeds this × running mean")
    p.add_argument("--max-bad", type=int, default=3, help="consecutive bad steps before restoring the last good state")
    p.add_argument("--snapshot-every", type=int, default=500, help="steps between in-memory good-state snapshots")
    return p


def _levels_arg(s: str, levels: int) -> List[float]:
    if s == "all":
        return [float(i) for i in range(levels)]
    return [float(v) for v in s.split(",") if v.strip()]


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.minutes <= 0 and args.steps <= 0:
        raise SystemExit("give --minutes and/or --steps")
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Train according to parsed ``args``; returns 0 on success."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = (args.device or ("cuda" if torch.cuda.is_available() else "cpu")) == "cuda"
    dev = torch.device(f"cuda:{local_rank}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(dev)
        torch.set_float32_matmul_precision("high")  # TF32 matmuls (stable API on 1.12 … 2.x)
        torch.backends.cudnn.allow_tf32 = True  # TF32 convolutions (PyTorch's default)
        torch.backends.cudnn.benchmark = True
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if world > 1:
        dist.init_process_group("nccl" if use_cuda else "gloo")
    main_proc = rank == 0
    os.makedirs(args.out, exist_ok=True)
    log = print if main_proc else (lambda *a, **k: None)

    torch.manual_seed(args.seed + rank)
    lambdas = [float(v) for v in args.lambdas.split(",")] if args.lambdas else None
    cfg = ModelConfig(N=args.N, M=args.M, **({"lambdas": lambdas} if lambdas else {}))
    step, elapsed0 = 0, 0.0
    ck: Optional[Dict[str, Any]] = None
    if args.resume:
        ck = load_checkpoint(args.resume)
        cfg = ModelConfig(**ck["cfg"])
        model = model_from_checkpoint(ck, dev)
    else:
        model = build(cfg).to(dev)
    log(f"model N={cfg.N} M={cfg.M} L={cfg.levels}: {count_params(model)} parameters, device {dev}, world {world}")

    t0 = time.time()
    cache = CropCache(list_images(args.data, args.limit_images or None), args.crop, dev, seed=args.seed * 1000 + rank)
    log(f"data: {len(cache)} images cached in {time.time() - t0:.1f} s "
        f"({cache.data.numel() >> 20} MiB uint8 on {dev})")
    kodak = load_images(args.kodak, args.final_eval_limit) if (args.kodak and main_proc) else []

    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = Schedule(args.lr, args.warmup, args.decay_start, args.final_lr_frac)
    lr_scale = 1.0
    if ck is not None and "opt" in ck:
        opt.load_state_dict(ck["opt"])
        step, elapsed0 = int(ck["step"]), float(ck["elapsed"])
        lr_scale = float(ck.get("lr_scale", 1.0))
        rng = ck["rng"]
        torch.set_rng_state(rng["cpu"])
        if use_cuda and rng.get("cuda") is not None:
            torch.cuda.set_rng_state(rng["cuda"], dev)
        if rng.get("crop_device") == str(dev.type):
            cache.set_rng_state(rng["crop"])
        log(f"resumed from {args.resume} at step {step}, {elapsed0:.0f} s")
    elif ck is not None:
        log(f"starting from slim weights {args.resume} (fresh optimiser)")

    net: torch.nn.Module = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local_rank] if use_cuda else None)
    bf16 = use_cuda and not args.no_bf16
    budget_s = args.minutes * 60.0
    csv_path = os.path.join(args.out, "eval.csv")

    def progress(st: int, el: float) -> float:
        fr = []
        if budget_s > 0:
            fr.append(el / budget_s)
        if args.steps > 0:
            fr.append(st / args.steps)
        return min(1.0, max(fr))

    def rng_state() -> Dict[str, Any]:
        return {"cpu": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state(dev) if use_cuda else None,
                "crop": cache.rng_state(), "crop_device": dev.type}

    def checkpoint(path: str, el: float) -> None:
        save_atomic({"cfg": dataclasses.asdict(cfg), "model": model.state_dict(), "opt": opt.state_dict(),
                     "step": step, "elapsed": el, "lr_scale": lr_scale, "rng": rng_state(), "args": vars(args)}, path)

    def run_eval(levels: List[float], el: float, final: bool = False) -> None:
        if not kodak:
            return
        te = time.time()
        images = kodak if final or args.eval_limit <= 0 else kodak[: args.eval_limit]
        rows = evaluate(model, images, levels)
        append_csv(csv_path, rows, step, el)
        bar.newline()
        log(f"eval at step {step} ({time.time() - te:.1f} s):\n{format_rows(rows)}", flush=True)

    bar = Progress(budget_s, args.steps)
    good = (copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict()))
    bad, ema = 0, None
    skipped = restored = 0
    start = time.time() - elapsed0
    last_eval = last_ckpt = time.time()
    stats: Dict[str, float] = {}
    flag = torch.zeros(2, device=dev)
    model.train()
    while True:
        el = time.time() - start
        prog = progress(step, el)
        if world > 1:
            flag[0], flag[1] = float(prog >= 1.0), 0.0
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
            done = bool(flag[0].item())
        else:
            done = prog >= 1.0
        if done:
            break
        lr = sched.lr(step, prog) * lr_scale
        for g in opt.param_groups:
            g["lr"] = lr
        x = cache.batch(args.batch)
        t = sample_levels(x.shape[0], cfg.levels, args.continuous_frac, cache.gen, dev)
        with autocast_bf16(bf16):
            out = net(x, t)
        loss, st = rd_loss(x, out, model.lmbda(t), msssim=args.msssim)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        # One host sync per step: the NaN/spike guard needs the values anyway.
        vals = torch.stack([loss.detach().float(), gnorm.detach().float(), st["bpp"].float(), st["psnr"].float()])
        if world > 1:
            dist.all_reduce(vals)
            vals /= world
        lval, gval, bpp_v, psnr_v = vals.tolist()
        is_bad = not (math.isfinite(lval) and math.isfinite(gval)) or (
            ema is not None and step > args.warmup and lval > args.spike * ema)
        if is_bad:
            opt.zero_grad(set_to_none=True)
            bad += 1
            skipped += 1
            if bad >= args.max_bad:
                model.load_state_dict(good[0])
                opt.load_state_dict(good[1])
                lr_scale *= 0.5
                bad = 0
                restored += 1
                bar.newline()
                log(f"step {step}: {args.max_bad} bad steps in a row (loss {lval:.3g}); restored last good "
                    f"state, lr scale now {lr_scale:g}", flush=True)
            step += 1
            continue
        opt.step()
        bad = 0
        ema = lval if ema is None else 0.99 * ema + 0.01 * lval
        step += 1
        if step % args.snapshot_every == 0:
            good = (copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict()))
        stats = {"loss": lval, "bpp": bpp_v, "psnr": psnr_v}
        if main_proc:
            bar.update(step, time.time() - start, stats, lr)
            now = time.time()
            if args.eval_every > 0 and now - last_eval >= args.eval_every:
                run_eval(_levels_arg(args.eval_levels, cfg.levels), now - start)
                last_eval = time.time()
            if args.ckpt_every > 0 and now - last_ckpt >= args.ckpt_every:
                checkpoint(os.path.join(args.out, "ckpt.pt"), time.time() - start)
                last_ckpt = time.time()
    el = time.time() - start
    if main_proc:
        bar.update(step, el, stats, sched.lr(step, 1.0) * lr_scale, force=True)
        bar.newline()
        log(f"done: {step} steps in {el:.0f} s ({skipped} skipped, {restored} restores)", flush=True)
        checkpoint(os.path.join(args.out, "ckpt.pt"), el)
        save_atomic({"cfg": dataclasses.asdict(cfg), "model": slim_state(model), "step": step, "elapsed": el},
                    os.path.join(args.out, "final.pt"))
        run_eval(_levels_arg(args.final_eval_levels, cfg.levels), el, final=True)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return 0
