#!/bin/sh
# measure.sh: peak resident set size and wall time of "aezip encode" and
# "aezip decode" on a 24-megapixel image, with the embedded model and with
# a random model of the full size (N=128, M=192), under /usr/bin/time -v.
#
# Usage (from the repository root):
#   bench/bigimage/measure.sh SOURCE_IMAGE [WORKDIR]
# SOURCE_IMAGE is any PNG or JPEG (a training image; never a test image),
# mirror-tiled to 6000×4000. WORKDIR (default /tmp/aezip-bigimage) receives
# the image, the model, the aezip files and the decoded PNGs.
set -eu
SRC=$1
D=${2:-/tmp/aezip-bigimage}
mkdir -p "$D"
go build -o "$D/aezip" ./cmd/aezip
go run ./bench/bigimage make -src "$SRC" -width 6000 -height 4000 -o "$D/big.png"
go run ./bench/bigimage model -N 128 -M 192 -o "$D/r128.aezm"
for M in default r128; do
	MF=""
	[ $M = r128 ] && MF="-model $D/r128.aezm"
	echo "== $M encode (load: $(cut -d' ' -f1-3 /proc/loadavg))"
	/usr/bin/time -v "$D/aezip" encode $MF -f "$D/big.png" "$D/big-$M.aez" 2>&1 | grep -E "Maximum resident|Elapsed|User time|System time|Exit status"
	echo "== $M decode (load: $(cut -d' ' -f1-3 /proc/loadavg))"
	/usr/bin/time -v "$D/aezip" decode $MF -f "$D/big-$M.aez" "$D/big-$M.png" 2>&1 | grep -E "Maximum resident|Elapsed|User time|System time|Exit status"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
