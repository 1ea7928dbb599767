// This file implements "aezip bench" by dispatching to internal/bench.

package main

import "github.com/aezip/aezip/internal/bench"

func init() {
	commands["bench"] = &command{
		summary: "Measure aezip against other codecs (bpp, PSNR, MS-SSIM, speed, BD-rate).",
		usage:   "[flags] IMAGE|DIR... (see aezip bench -h)",
		run: func(e *env, args []string) error {
			return bench.Command(args, e.stdout, e.stderr)
		},
	}
}
