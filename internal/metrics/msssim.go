// This file implements MS-SSIM (Wang, Simoncelli and Bovik 2003), per channel.

package metrics

import (
	"image"
	"math"
)

// msssimWeights are the per-scale exponents of Wang et al. 2003, finest first.
var msssimWeights = [...]float64{0.0448, 0.2856, 0.3001, 0.2363, 0.1333}

// Scales returns how many MS-SSIM scales an image of the given size supports:
// at most 5, and at least 1 when both sides are ≥ 11 (0 otherwise).
func Scales(w, h int) int {
	n := 0
	for n < len(msssimWeights) && w >= window && h >= window {
		n++
		w, h = w/2, h/2
	}
	return n
}

// downsample returns p averaged over 2×2 blocks, dropping an odd last row or column.
func downsample(p plane) plane {
	w, h := p.w/2, p.h/2
	q := plane{w: w, h: h, pix: make([]float64, w*h)}
	for y := 0; y < h; y++ {
		r0 := p.pix[2*y*p.w:]
		r1 := p.pix[(2*y+1)*p.w:]
		for x := 0; x < w; x++ {
			q.pix[y*w+x] = (r0[2*x] + r0[2*x+1] + r1[2*x] + r1[2*x+1]) / 4
		}
	}
	return q
}

// msssimPlane returns the MS-SSIM of one channel using the first n scales.
func msssimPlane(a, b plane, n int) float64 {
	var wsum float64
	for _, w := range msssimWeights[:n] {
		wsum += w
	}
	result := 1.0
	for j := 0; j < n; j++ {
		s, cs := ssimStats(a, b)
		v := cs
		if j == n-1 {
			v = s
		}
		// A negative mean (anti-correlated content) would make the power
		// complex; clamp as the reference implementations do.
		result *= math.Pow(math.Max(v, 0), msssimWeights[j]/wsum)
		if j < n-1 {
			a, b = downsample(a), downsample(b)
		}
	}
	return result
}

// MSSSIM returns the multi-scale SSIM between a and b, in [0, 1]: the mean
// over R, G and B of the per-channel MS-SSIM (see the package doc for the
// exact definition and the handling of images under 176 pixels).
func MSSSIM(a, b image.Image) (float64, error) {
	pa, pb, err := pairPlanes(a, b)
	if err != nil {
		return 0, err
	}
	n := Scales(pa[0].w, pa[0].h)
	if n == 0 {
		return 0, ErrTooSmall
	}
	var sum float64
	for c := range pa {
		sum += msssimPlane(pa[c], pb[c], n)
	}
	return sum / 3, nil
}

// MSSSIMdB converts an MS-SSIM value to decibels, -10·log10(1-v), the scale
// on which rate-quality curves are fitted. It is +Inf for v ≥ 1.
func MSSSIMdB(v float64) float64 {
	if v >= 1 {
		return math.Inf(1)
	}
	return -10 * math.Log10(1-v)
}
