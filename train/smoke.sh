#!/usr/bin/env bash
# Trainer smoke test (CI, CPU, about a minute): train a tiny model for a few steps, export the
# safetensors dump, then import it with the Go CLI and encode/decode one image with it.
#
# Training images: $AEZIP_TRAIN_DATA, else ../shared/data/train beside the checkout, else
# testdata/kitten.png alone. Set AEZIP_SMOKE_PYTHON_ONLY=1 to skip the Go half.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

data=${AEZIP_TRAIN_DATA:-}
if [ -z "$data" ]; then
	if [ -d "$root/../shared/data/train" ]; then
		data="$root/../shared/data/train"
	else
		mkdir "$tmp/data"
		cp "$root/testdata/kitten.png" "$tmp/data/"
		data="$tmp/data"
	fi
fi

echo "== train (tiny model, 6 steps, CPU)"
(cd "$root/train" && "$py" -m aezip_train train --data "$data" --limit-images 4 --out "$tmp/run" \
	--N 16 --M 24 --batch 2 --crop 64 --steps 6 --warmup 3 --device cpu --threads 1 \
	--eval-every 0 --ckpt-every 0)
echo "== export"
(cd "$root/train" && "$py" -m aezip_train export "$tmp/run/final.pt" "$tmp/dump.safetensors" \
	--data "$data" --limit-images 4 --crop 64)
"$py" - "$tmp/dump.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n])
m = h.pop("__metadata__")
assert m["arch"] == "msh-v1" and m["N"] == "16" and m["M"] == "24", m
assert {"g_a.0.weight", "g_s.6.bias", "h_s.4.weight", "gain", "inv_gain", "z.pmf", "z.offset", "h_s.amax"} <= set(h)
print(f"dump ok: {len(h)} tensors, {len(raw)} bytes")
PY

if [ "${AEZIP_SMOKE_PYTHON_ONLY:-0}" = 1 ]; then
	echo "AEZIP_SMOKE_PYTHON_ONLY=1: Go import/encode/decode skipped"
	exit 0
fi
echo "== go: model import, encode, decode"
cd "$root"
go build -o "$tmp/aezip" ./cmd/aezip
"$tmp/aezip" model import "$tmp/dump.safetensors" "$tmp/m.aezm"
"$tmp/aezip" encode -model "$tmp/m.aezm" testdata/kitten.png "$tmp/x.aez"
"$tmp/aezip" decode -model "$tmp/m.aezm" "$tmp/x.aez" "$tmp/x.png"
"$py" - "$root/testdata/kitten.png" "$tmp/x.png" "$tmp/x.aez" <<'PY'
import os, sys
import numpy as np
from PIL import Image
a = np.asarray(Image.open(sys.argv[1]).convert("RGB"), dtype=np.float64)
b = np.asarray(Image.open(sys.argv[2]).convert("RGB"), dtype=np.float64)
assert a.shape == b.shape, (a.shape, b.shape)
psnr = 10 * np.log10(255**2 / max(((a - b) ** 2).mean(), 1e-10))
bpp = os.path.getsize(sys.argv[3]) * 8 / (a.shape[0] * a.shape[1])
print(f"round trip ok: {bpp:.3f} bpp, {psnr:.2f} dB (a 6-step model: only the plumbing is tested)")
PY
