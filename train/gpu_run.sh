#!/usr/bin/env bash
# The issue-6 GPU training run: ~MINUTES of training on one H100/H200, then the final Kodak
# evaluation, the export, and everything worth keeping under $OUT (each file ≤ 16 MiB, ≤ 8 files).
#
# Prepare here:  bash train/gpu_prepare.sh      (copies data/train-jpeg and data/kodak, ~46 MB)
# Run there:     device run, carry ["data"], timeout_s 600, command:
#                  bash train/gpu_run.sh 8
# Back here:     cat model.safetensors.part-* > model.safetensors && sha256sum -c model.sha256
#
# $OUT receives: log.txt, eval.csv, final.pt (slim fp16 weights, ~14 MB, for fine-tuning/export),
# model.safetensors.part-00/-01 (the fp32 dump, split to fit the 16 MiB per-file limit), model.sha256.
# AEZIP_RUN_ARGS adds/overrides trainer flags (the CPU rehearsal uses it to shrink the model).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
minutes=${1:-8}
out=${OUT:-$root/out}
mkdir -p "$out"
py=${PYTHON:-python3}
run="$root/train/runs/gpu"
rm -rf "$run"
mkdir -p "$run"
export PYTHONUNBUFFERED=1
cd "$root/train"
{
	date -u
	"$py" -c 'import torch, sys; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available() and torch.cuda.get_device_name())'
	# Schedule rationale: train/README.md, "GPU run". Peak lr 5e-4 after a 1000-step warm-up,
	# cosine decay over the second half to 1e-5, clip 1.0, batch 16 × 256² crops, bf16 autocast.
	# shellcheck disable=SC2086
	"$py" -m aezip_train train --data "$root/data/train-jpeg" --kodak "$root/data/kodak" --out "$run" \
		--N 128 --M 192 --batch 16 --crop 256 --minutes "$minutes" \
		--lr 5e-4 --warmup 1000 --decay-start 0.5 --final-lr-frac 0.02 --clip 1.0 \
		--eval-every 120 --eval-levels 0,2,4,7 --final-eval-levels all --ckpt-every 240 --seed 0 \
		${AEZIP_RUN_ARGS:-}
	dev=cpu
	"$py" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' && dev=cuda
	"$py" -m aezip_train export "$run/ckpt.pt" "$run/model.safetensors" --data "$root/data/train-jpeg" \
		--crop 256 --limit-images 64 --device "$dev"
	date -u
} 2>&1 | tee "$out/log.txt"
cp "$run/eval.csv" "$out/eval.csv"
cp "$run/final.pt" "$out/final.pt"
(cd "$run" && sha256sum model.safetensors > "$out/model.sha256")
split -b 15M -d -a 2 "$run/model.safetensors" "$out/model.safetensors.part-"
ls -l "$out"
