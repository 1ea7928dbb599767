// This file implements the outputs of a run: CSV, JSON, the printed
// aggregate table and the BD-rate table.

package bench

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"

	"github.com/aezip/aezip/internal/metrics"
)

// CSVHeader is the exact column list of the -csv output.
var CSVHeader = []string{"codec", "setting", "bpp", "psnr", "msssim", "enc_ms", "dec_ms"}

// WriteCSV writes the aggregate rows with the [CSVHeader] columns.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	for _, r := range rows {
		rec := []string{r.Codec, r.Setting, f(r.BPP, 4), f(r.PSNR, 3), f(r.MSSSIM, 5), f(r.EncMS, 2), f(r.DecMS, 2)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Report is the JSON document written by -json.
type Report struct {
	Machine   Machine             `json:"machine"`
	Codecs    map[string]string   `json:"codecs"` // name → version
	Missing   []Missing           `json:"missing,omitempty"`
	Ref       string              `json:"ref"`
	BDRate    map[string]BDResult `json:"bd_rate"`
	Rows      []Row               `json:"rows"`
	PerImage  []Row               `json:"images"`
	Errors    []string            `json:"errors,omitempty"`
	ImageDir  string              `json:"image_dir"`
	NumImages int                 `json:"num_images"`
}

// BDResult is the BD-rate of one codec against the reference, in percent;
// nil where it could not be computed.
type BDResult struct {
	PSNR   *float64 `json:"psnr"`
	MSSSIM *float64 `json:"msssim"`
}

// WriteJSON writes r, indented.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(r)
}

// curve returns the codec's aggregate rate-quality points; msssim selects
// MS-SSIM in dB instead of PSNR.
func curve(rows []Row, codec string, msssim bool) []Point {
	var ps []Point
	for _, r := range rows {
		if r.Codec != codec {
			continue
		}
		q := r.PSNR
		if msssim {
			q = math.Min(metrics.MSSSIMdB(r.MSSSIM), metrics.MaxPSNR)
		}
		ps = append(ps, Point{r.BPP, q})
	}
	return ps
}

// BDRates computes the BD-rate of every codec against ref on PSNR and on
// MS-SSIM (in dB).
func BDRates(rows []Row, codecs []string, ref string) map[string]BDResult {
	out := map[string]BDResult{}
	for _, c := range codecs {
		var r BDResult
		if v, err := BDRate(curve(rows, ref, false), curve(rows, c, false)); err == nil {
			r.PSNR = &v
		}
		if v, err := BDRate(curve(rows, ref, true), curve(rows, c, true)); err == nil {
			r.MSSSIM = &v
		}
		out[c] = r
	}
	return out
}

// PrintTable prints the aggregate rows.
func PrintTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "codec\tsetting\tbpp\tPSNR dB\tMS-SSIM\tenc ms\tdec ms\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.3f\t%.5f\t%.2f\t%.2f\t\n", r.Codec, r.Setting, r.BPP, r.PSNR, r.MSSSIM, r.EncMS, r.DecMS)
	}
	return tw.Flush()
}

// PrintBDTable prints the BD-rate table with per-codec mean timings.
func PrintBDTable(w io.Writer, rows []Row, codecs []string, ref string, bd map[string]BDResult) error {
	fmt.Fprintf(w, "BD-rate vs %s (negative = fewer bits for the same quality; MS-SSIM fitted in dB)\n", ref)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "codec\tBD-rate PSNR\tBD-rate MS-SSIM\tbpp range\tmean enc ms\tmean dec ms\t")
	pct := func(p *float64) string {
		if p == nil {
			return "n/a"
		}
		return fmt.Sprintf("%+.1f%%", *p)
	}
	for _, c := range codecs {
		lo, hi := math.Inf(1), math.Inf(-1)
		var enc, dec float64
		n := 0
		for _, r := range rows {
			if r.Codec == c {
				lo, hi = math.Min(lo, r.BPP), math.Max(hi, r.BPP)
				enc += r.EncMS
				dec += r.DecMS
				n++
			}
		}
		if n == 0 {
			fmt.Fprintf(tw, "%s\tn/a\tn/a\t-\t-\t-\t\n", c)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f–%.3f\t%.1f\t%.1f\t\n", c, pct(bd[c].PSNR), pct(bd[c].MSSSIM),
			lo, hi, enc/float64(n), dec/float64(n))
	}
	return tw.Flush()
}
