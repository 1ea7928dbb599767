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

// filterValid convolves the w×h plane p with the separable Gaussian window,
// keeping only positions where the window fits, so the result is
// (w-10)×(h-10). tmp must hold h·(w-10) values.
func filterValid(dst, tmp, p []float64, w, h int) {
	ow, oh := w-window+1, h-window+1
	for y := 0; y < h; y++ {
		row := p[y*w : (y+1)*w]
		out := tmp[y*ow : (y+1)*ow]
		for x := range out {
			var s float64
			for k, g := range gauss {
				s += g * row[x+k]
			}
			out[x] = s
		}
	}
	for y := 0; y < oh; y++ {
		out := dst[y*ow : (y+1)*ow]
		for x := range out {
			out[x] = 0
		}
		for k, g := range gauss {
			in := tmp[(y+k)*ow : (y+k+1)*ow]
			for x, v := range in {
				out[x] += g * v
			}
		}
	}
}

// ssimStats returns the means of the SSIM map and of the contrast-structure
// map of two planes of equal size, both at least 11×11.
func ssimStats(a, b plane) (ssim, cs float64) {
	w, h := a.w, a.h
	ow, oh := w-window+1, h-window+1
	n := ow * oh
	tmp := make([]float64, h*ow)
	mx := make([]float64, n)
	my := make([]float64, n)
	sxx := make([]float64, n)
	syy := make([]float64, n)
	sxy := make([]float64, n)
	prod := make([]float64, w*h)
	filterValid(mx, tmp, a.pix, w, h)
	filterValid(my, tmp, b.pix, w, h)
	for i, v := range a.pix {
		prod[i] = v * v
	}
	filterValid(sxx, tmp, prod, w, h)
	for i, v := range b.pix {
		prod[i] = v * v
	}
	filterValid(syy, tmp, prod, w, h)
	for i, v := range a.pix {
		prod[i] = v * b.pix[i]
	}
	filterValid(sxy, tmp, prod, w, h)
	var sumS, sumCS float64
	for i := 0; i < n; i++ {
		ux, uy := mx[i], my[i]
		vx := sxx[i] - ux*ux
		vy := syy[i] - uy*uy
		cov := sxy[i] - ux*uy
		csi := (2*cov + c2) / (vx + vy + c2)
		li := (2*ux*uy + c1) / (ux*ux + uy*uy + c1)
		sumCS += csi
		sumS += li * csi
	}
	return sumS / float64(n), sumCS / float64(n)
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
