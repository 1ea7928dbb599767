// This file implements the rate-distortion plot: bpp vs PSNR and bpp vs
// MS-SSIM (in dB), side by side in one PNG.

package bench

import (
	"fmt"
	"image/color"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/aezip/aezip/internal/metrics"
)

// WritePlot draws the aggregate curves of the codecs into a PNG file:
// bpp vs PSNR on the left, bpp vs MS-SSIM in dB on the right. title names
// the data set and machine.
func WritePlot(path, title string, rows []Row, codecs []string) error {
	panel := func(ylabel string, msssim bool) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "bits per pixel (whole file)"
		p.Y.Label.Text = ylabel
		p.Add(plotter.NewGrid())
		p.Legend.Top = false
		p.Legend.Left = false
		peer := 0
		for _, c := range codecs {
			var xys plotter.XYs
			for _, r := range rows {
				if r.Codec != c {
					continue
				}
				y := r.PSNR
				if msssim {
					y = math.Min(metrics.MSSSIMdB(r.MSSSIM), metrics.MaxPSNR)
				}
				xys = append(xys, plotter.XY{X: r.BPP, Y: y})
			}
			if len(xys) == 0 {
				continue
			}
			l, s, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, err
			}
			// aezip is the curve readers look for: black and heavier. The
			// peers take the palette in order; it has seven colours, so
			// eight peers would only repeat the first one.
			col, shape, width := color.Color(color.Black), draw.GlyphDrawer(draw.CircleGlyph{}), vg.Points(2.5)
			if c != selfName {
				col, shape, width = plotutil.Color(peer), plotutil.Shape(peer), vg.Points(1.5)
				peer++
			}
			l.Color, l.Width = col, width
			s.Color, s.Shape = col, shape
			s.Radius = vg.Points(3)
			p.Add(l, s)
			p.Legend.Add(c, l, s)
		}
		return p, nil
	}
	p1, err := panel("PSNR (dB, RGB)", false)
	if err != nil {
		return err
	}
	p2, err := panel("MS-SSIM (dB) = −10·log10(1 − MS-SSIM)", true)
	if err != nil {
		return err
	}
	img := vgimg.NewWith(vgimg.UseWH(14*vg.Inch, 6*vg.Inch), vgimg.UseDPI(110))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Inch / 3, PadTop: vg.Inch / 6, PadBottom: vg.Inch / 6,
		PadLeft: vg.Inch / 6, PadRight: vg.Inch / 6}
	cs := plot.Align([][]*plot.Plot{{p1, p2}}, tiles, dc)
	p1.Draw(cs[0][0])
	p2.Draw(cs[0][1])
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("bench: writing plot: %w", err)
	}
	return f.Close()
}
