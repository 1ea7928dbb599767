#!/usr/bin/env bash
# The project's test command (README): Go tests, build-tag and cross-architecture
# determinism checks, the trainer's tests and its end-to-end smoke run.
set -euo pipefail
cd "$(dirname "$0")"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed:" $unformatted
	exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test ./..."
go test ./...

echo "== go test -tags noasm (pure-Go kernels must give the same bitstreams)"
go test -tags noasm ./internal/... ./model/... ./codec/... ./conformance/...

echo "== GOAMD64=v1 vs v3 (golden hashes of the entropy parameters; conformance vectors)"
GOAMD64=v1 go test -count=1 -run 'Determinism' ./model/...
GOAMD64=v3 go test -count=1 -run 'Determinism' ./model/...
GOAMD64=v1 go test -count=1 ./conformance/...

if command -v qemu-aarch64 >/dev/null && command -v qemu-i386 >/dev/null; then
	echo "== arm64 and 386 under qemu-user"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for arch in arm64 386; do
		for pkg in model conformance; do
			GOARCH=$arch go test -c -o "$tmp/$pkg.$arch" "./$pkg/"
		done
	done
	# Go's 386 binaries need async preemption off under Debian's qemu-i386 7.2.
	(cd model && qemu-aarch64 "$tmp/model.arm64" -test.run 'Determinism' -test.count=1 -test.v | grep -E '^(ok|PASS|FAIL|---)')
	(cd model && GODEBUG=asyncpreemptoff=1 qemu-i386 "$tmp/model.386" -test.run 'Determinism' -test.count=1 -test.v | grep -E '^(ok|PASS|FAIL|---)')
	(cd conformance && qemu-aarch64 "$tmp/conformance.arm64" -test.count=1)
	(cd conformance && GODEBUG=asyncpreemptoff=1 qemu-i386 "$tmp/conformance.386" -test.count=1)
else
	echo "qemu-user not installed: cross-architecture determinism check skipped"
fi

if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	echo "== trainer tests (pytest)"
	(cd train && /usr/bin/python3 -m pytest -q tests)
	echo "== trainer smoke run: train, export, import, encode, decode"
	bash train/smoke.sh
else
	echo "python3-torch not installed: trainer tests skipped"
fi
