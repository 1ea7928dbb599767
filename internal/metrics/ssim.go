// This file implements single-scale SSIM (Wang et al. 2004) with an 11×11
// Gaussian window over the valid region, per channel.

package metrics

import (
	"image"
	"math"
)

const (
	window = 11  // Gaussian window side
	sigma  = 1.5 // Gaussian window standard deviation
	k1     = 0.01
	k2     = 0.03
	c1     = (k1 * 255) * (k1 * 255)
	c2     = (k2 * 255) * (k2 * 255)
)

// gauss is the normalised 1-D Gaussian; the 2-D window is its outer product.
var gauss = func() [window]float64 {
	var g [window]float64
	var sum float64
	for i := range g {
		d := float64(i - window/2)
		g[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += g[i]
	}
	for i := range g {
		g[i] /= sum
	}
	return g
}()

// ssimStats returns the means of the SSIM map and of the contrast-structure
// map of two planes of equal size, both at least 11×11. The five local
// statistics (means, second moments, cross moment) are filtered with the
// separable Gaussian over the valid region only: a horizontal pass into
// per-row buffers, then a vertical pass that is consumed at once.
func ssimStats(a, b plane) (ssim, cs float64) {
	w, h := a.w, a.h
	ow, oh := w-window+1, h-window+1
	// Horizontal pass: mx, my, mxx, myy, mxy for every input row.
	hs := make([]float64, 5*h*ow)
	hx, hy := hs[:h*ow], hs[h*ow:2*h*ow]
	hxx, hyy, hxy := hs[2*h*ow:3*h*ow], hs[3*h*ow:4*h*ow], hs[4*h*ow:]
	for y := 0; y < h; y++ {
		ra := a.pix[y*w : (y+1)*w]
		rb := b.pix[y*w : (y+1)*w]
		o := y * ow
		for x := 0; x < ow; x++ {
			var sx, sy, sxx, syy, sxy float64
			for k, g := range gauss {
				u, v := ra[x+k], rb[x+k]
				sx += g * u
				sy += g * v
				sxx += g * u * u
				syy += g * v * v
				sxy += g * u * v
			}
			hx[o+x], hy[o+x], hxx[o+x], hyy[o+x], hxy[o+x] = sx, sy, sxx, syy, sxy
		}
	}
	// Vertical pass, one output row at a time.
	row := make([]float64, 5*ow)
	mx, my, sxx, syy, sxy := row[:ow], row[ow:2*ow], row[2*ow:3*ow], row[3*ow:4*ow], row[4*ow:]
	var sumS, sumCS float64
	for y := 0; y < oh; y++ {
		clear(row)
		for k, g := range gauss {
			o := (y + k) * ow
			for x := 0; x < ow; x++ {
				mx[x] += g * hx[o+x]
				my[x] += g * hy[o+x]
				sxx[x] += g * hxx[o+x]
				syy[x] += g * hyy[o+x]
				sxy[x] += g * hxy[o+x]
			}
		}
		for x := 0; x < ow; x++ {
			ux, uy := mx[x], my[x]
			vx := sxx[x] - ux*ux
			vy := syy[x] - uy*uy
			cov := sxy[x] - ux*uy
			csi := (2*cov + c2) / (vx + vy + c2)
			li := (2*ux*uy + c1) / (ux*ux + uy*uy + c1)
			sumCS += csi
			sumS += li * csi
		}
	}
	n := float64(ow * oh)
	return sumS / n, sumCS / n
}

// SSIM returns the single-scale SSIM between a and b: the mean over R, G and
// B of the mean SSIM map over the valid region (see the package doc).
func SSIM(a, b image.Image) (float64, error) {
	pa, pb, err := pairPlanes(a, b)
	if err != nil {
		return 0, err
	}
	if pa[0].w < window || pa[0].h < window {
		return 0, ErrTooSmall
	}
	var sum float64
	for c := range pa {
		s, _ := ssimStats(pa[c], pb[c])
		sum += s
	}
	return sum / 3, nil
}
