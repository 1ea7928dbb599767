#!/bin/sh
# run.sh: build and run peak.c (see its comment). Needs gcc and a processor
# with AVX-512 VNNI and BF16; it stops with SIGILL on one without them.
set -eu
D=$(mktemp -d)
gcc -O2 -o "$D/peak" "$(dirname "$0")/peak.c"
"$D/peak"
rm -r "$D"
