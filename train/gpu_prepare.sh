#!/usr/bin/env bash
# Run here (not on the GPU machine) before handing train/gpu_run.sh to it: copies the compact JPEG
# training set and the Kodak evaluation set into the git-ignored data/ folder of this checkout, as
# real files (a symbolic link would travel only as a link). Carry "data" with the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src=${1:-$root/../shared/data}
mkdir -p "$root/data"
for d in train-jpeg kodak; do
	rm -rf "$root/data/$d"
	cp -r "$src/$d" "$root/data/$d"
done
du -sh "$root/data"/* "$root/data"
