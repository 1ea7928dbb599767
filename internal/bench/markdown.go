// This file implements the Markdown summary (-md) used for the README's
// performance table.

package bench

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// throughput returns the codec's encode and decode speed in MB/s of 8-bit
// RGB input (3 bytes per pixel), over all its per-image measurements.
func throughput(perImage []Row, codec string) (enc, dec float64) {
	var bytes, encMS, decMS float64
	for _, r := range perImage {
		if r.Codec == codec {
			bytes += 3 * float64(r.Pixels)
			encMS += r.EncMS
			decMS += r.DecMS
		}
	}
	if encMS == 0 || decMS == 0 {
		return math.NaN(), math.NaN()
	}
	return bytes / 1e6 / (encMS / 1e3), bytes / 1e6 / (decMS / 1e3)
}

// WriteMarkdown writes the README summary: the machine and tool versions,
// then one line per codec with its bpp range, BD-rates and throughput.
func WriteMarkdown(w io.Writer, rep *Report, codecs []string) error {
	var b strings.Builder
	m := rep.Machine
	fmt.Fprintf(&b, "Summary of `aezip bench` over %d images in `%s`, %s.\n", rep.NumImages, rep.ImageDir, m.Date)
	fmt.Fprintf(&b, "Machine: %s, %d CPUs (GOMAXPROCS=%d), %s, %s.\n\n", m.CPU, m.NumCPU, m.GOMAXPROCS, m.OS, m.Go)
	fmt.Fprintf(&b, "| codec | bpp range | BD-rate PSNR vs %s | BD-rate MS-SSIM vs %s | encode MB/s | decode MB/s |\n", rep.Ref, rep.Ref)
	b.WriteString("|---|---:|---:|---:|---:|---:|\n")
	pct := func(p *float64) string {
		if p == nil {
			return "n/a"
		}
		return fmt.Sprintf("%+.1f%%", *p)
	}
	for _, c := range codecs {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range rep.Rows {
			if r.Codec == c {
				lo, hi = math.Min(lo, r.BPP), math.Max(hi, r.BPP)
			}
		}
		if math.IsInf(lo, 0) {
			continue
		}
		enc, dec := throughput(rep.PerImage, c)
		fmt.Fprintf(&b, "| %s | %.2f–%.2f | %s | %s | %.1f | %.1f |\n", c, lo, hi,
			pct(rep.BDRate[c].PSNR), pct(rep.BDRate[c].MSSSIM), enc, dec)
	}
	b.WriteString("\nVersions:\n\n")
	names := make([]string, 0, len(rep.Codecs))
	for n := range rep.Codecs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "- %s: %s\n", n, rep.Codecs[n])
	}
	for _, ms := range rep.Missing {
		fmt.Fprintf(&b, "- %s: not run (%s)\n", ms.Name, ms.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
