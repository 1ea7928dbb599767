#!/usr/bin/env bash
# Runs every fuzz target of the decoders for a while each (default 10m):
#   ./fuzz.sh [DURATION] [PATTERN]
# e.g. ./fuzz.sh 30s, or ./fuzz.sh 10m FuzzDecode. Findings land in each
# package's testdata/fuzz/ and fail the run.
#
# Go 1.26's fuzz coordinator can report a spurious "context deadline exceeded"
# when a duration -fuzztime expires (golang/go#75804, fixed in Go 1.27), so
# the fuzzing runs on Go 1.27.3 (fetched once by the go command) while the
# module itself stays on Go 1.26.
set -euo pipefail
cd "$(dirname "$0")"
dur=${1:-10m}
pattern=${2:-.}
export GOTOOLCHAIN=${FUZZ_TOOLCHAIN:-go1.27.3}
targets=(
	"./format FuzzReadHeader"
	"./format FuzzRead"
	"./internal/rans FuzzDecode"
	"./internal/rans FuzzRoundTrip"
	"./model FuzzLoad"
	"./codec FuzzDecode"
	"./codec FuzzPayload"
	"./codec FuzzRoundTrip"
)
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	[[ $name =~ $pattern ]] || continue
	echo "== $pkg $name ($dur)"
	log=$(mktemp)
	rc=0
	go test -run XXX -fuzz "^$name\$" -fuzztime "$dur" -parallel 1 "$pkg" >"$log" 2>&1 || rc=$?
	# The last progress line carries the execution count.
	grep '^fuzz: elapsed' "$log" | tail -n 1 || true
	grep -v '^fuzz: elapsed' "$log" || true
	rm -f "$log"
	[ "$rc" -eq 0 ] || { echo "fuzz.sh: $pkg $name failed"; exit "$rc"; }
done
