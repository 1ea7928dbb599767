// This file implements the Bjøntegaard delta rate (VCEG-M33, 2001): the mean
// relative rate difference between two rate-quality curves over the quality
// range they share.

package bench

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// ErrNoOverlap is returned by [BDRate] when the two curves share no quality range.
var ErrNoOverlap = errors.New("bench: rate-quality curves do not overlap in quality")

// Point is one operating point of a rate-quality curve.
type Point struct {
	Rate    float64 // bits per pixel (> 0)
	Quality float64 // PSNR in dB, or MS-SSIM in dB
}

// BDRate returns the Bjøntegaard delta rate of test against ref, in percent:
// negative when test needs fewer bits for the same quality. For each curve,
// ln(rate) is fitted by least squares with a polynomial in quality of degree
// min(3, points-1) (the classic method uses four points and a cubic); the
// fits are integrated over the overlap of the two quality ranges, and the
// mean difference d of ln(rate) gives (e^d − 1)·100.
func BDRate(ref, test []Point) (float64, error) {
	if len(ref) < 2 || len(test) < 2 {
		return 0, fmt.Errorf("bench: BD-rate needs at least 2 points per curve (have %d and %d)", len(ref), len(test))
	}
	lo := math.Max(minQ(ref), minQ(test))
	hi := math.Min(maxQ(ref), maxQ(test))
	if !(hi > lo) {
		return 0, ErrNoOverlap
	}
	ir, err := integrateLogRate(ref, lo, hi)
	if err != nil {
		return 0, err
	}
	it, err := integrateLogRate(test, lo, hi)
	if err != nil {
		return 0, err
	}
	d := (it - ir) / (hi - lo)
	return (math.Exp(d) - 1) * 100, nil
}

func minQ(ps []Point) float64 {
	m := math.Inf(1)
	for _, p := range ps {
		m = math.Min(m, p.Quality)
	}
	return m
}

func maxQ(ps []Point) float64 {
	m := math.Inf(-1)
	for _, p := range ps {
		m = math.Max(m, p.Quality)
	}
	return m
}

// integrateLogRate fits ln(rate) as a polynomial in quality and returns its
// integral over [lo, hi]. Quality is centred and scaled to [-1, 1] first so
// that the least-squares problem stays well conditioned.
func integrateLogRate(ps []Point, lo, hi float64) (float64, error) {
	ps = append([]Point(nil), ps...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].Quality < ps[j].Quality })
	q0, q1 := ps[0].Quality, ps[len(ps)-1].Quality
	mid, half := (q0+q1)/2, (q1-q0)/2
	deg := min(3, len(ps)-1)
	a := mat.NewDense(len(ps), deg+1, nil)
	b := mat.NewVecDense(len(ps), nil)
	for i, p := range ps {
		if !(p.Rate > 0) || math.IsInf(p.Rate, 0) || math.IsNaN(p.Quality) || math.IsInf(p.Quality, 0) {
			return 0, fmt.Errorf("bench: BD-rate point (%g, %g) is not finite with rate > 0", p.Rate, p.Quality)
		}
		u := (p.Quality - mid) / half
		v := 1.0
		for k := 0; k <= deg; k++ {
			a.Set(i, k, v)
			v *= u
		}
		b.SetVec(i, math.Log(p.Rate))
	}
	var c mat.VecDense
	if err := c.SolveVec(a, b); err != nil {
		return 0, fmt.Errorf("bench: BD-rate fit: %w", err)
	}
	// ∫ Σ c_k u^k dq with q = mid + half·u, so dq = half·du.
	ulo, uhi := (lo-mid)/half, (hi-mid)/half
	var sum float64
	for k := 0; k <= deg; k++ {
		n := float64(k + 1)
		sum += c.AtVec(k) * (math.Pow(uhi, n) - math.Pow(ulo, n)) / n
	}
	return sum * half, nil
}
