// This file implements the construction of the integer CDF tables, the
// Gaussian scale table and quantisation, as specified in docs/spec.md §3
// (docs/spec/03-entropy.md while the spec is being assembled).

package quant

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Defaults of the Gaussian scale table used by the codec.
const (
	DefaultScaleMin   = 0.11
	DefaultScaleMax   = 256
	DefaultScaleCount = 64
)

// GaussianTailMass is the largest probability mass left outside the coded
// range on each side of a table built by [GaussianCDF].
const GaussianTailMass = 1e-9

// MaxGaussianHalfWidth caps the half-width of a [GaussianCDF] table so that
// a huge scale cannot produce an unbounded table; values beyond it escape.
const MaxGaussianHalfWidth = 4096

// MaxSymbols is the largest number of symbols (escape included) of a CDF:
// every symbol needs a frequency of at least one.
const MaxSymbols = 1 << Precision

// ErrBadPMF is returned by [NewCDF] for a pmf that cannot become a table.
var ErrBadPMF = errors.New("quant: invalid pmf")

// NewCDF builds the integer table of a distribution given by pmf over the
// values offset, offset+1, ... offset+len(pmf)-1. The escape symbol receives
// the tail mass max(0, 1-sum(pmf)). Frequencies sum to 1<<[Precision] and are
// at least one each. The rounding is the deterministic procedure of the spec:
// floor with a minimum of one, then largest remainders up, or the largest
// frequencies down.
func NewCDF(pmf []float64, offset int32) (CDF, error) {
	n := len(pmf) + 1
	if len(pmf) == 0 || n > MaxSymbols {
		return CDF{}, fmt.Errorf("%w: %d values (want 1..%d)", ErrBadPMF, len(pmf), MaxSymbols-1)
	}
	if int64(offset)+int64(len(pmf))-1 > math.MaxInt32 {
		return CDF{}, fmt.Errorf("%w: offset %d + %d values overflows int32", ErrBadPMF, offset, len(pmf))
	}
	p := make([]float64, n)
	sum := 0.0
	for i, v := range pmf {
		if !(v >= 0) || math.IsInf(v, 0) {
			return CDF{}, fmt.Errorf("%w: pmf[%d] = %v", ErrBadPMF, i, v)
		}
		p[i] = v
		sum += v
	}
	p[n-1] = math.Max(0, 1-sum)
	total := sum + p[n-1]
	if !(total > 0) || math.IsInf(total, 0) {
		return CDF{}, fmt.Errorf("%w: total mass %v", ErrBadPMF, total)
	}
	const one = 1 << Precision
	freq := make([]int64, n)
	rem := make([]float64, n)
	var acc int64
	for i, v := range p {
		q := float64(v/total) * one // explicit conversion: no fused multiply-add
		f := math.Floor(q)
		rem[i] = q - f
		if f < 1 {
			f = 1
			rem[i] = 0
		}
		freq[i] = int64(f)
		acc += freq[i]
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if d := one - acc; d > 0 {
		// Largest remainders first; ties to the lower index. d < n because
		// every floor lost less than one unit.
		sort.SliceStable(order, func(a, b int) bool { return rem[order[a]] > rem[order[b]] })
		for k := int64(0); k < d; k++ {
			freq[order[k%int64(n)]]++
		}
	} else if d < 0 {
		// Too much mass from the minimum of one: take single units from the
		// largest frequencies (ties to the lower index), pass after pass.
		sort.SliceStable(order, func(a, b int) bool { return freq[order[a]] > freq[order[b]] })
		for d < 0 {
			took := false
			for _, i := range order {
				if d == 0 {
					break
				}
				if freq[i] > 1 {
					freq[i]--
					d++
					took = true
				}
			}
			if !took {
				return CDF{}, fmt.Errorf("%w: cannot give %d symbols a frequency", ErrBadPMF, n)
			}
		}
	}
	cum := make([]uint32, n+1)
	for i, f := range freq {
		cum[i+1] = cum[i] + uint32(f)
	}
	return CDF{Offset: offset, Cum: cum}, nil
}

// ScaleTable returns n scales spaced evenly in the logarithm from min to max:
// s_k = exp(ln min + k·(ln max − ln min)/(n−1)). With n == 1 it is {min}.
func ScaleTable(min, max float64, n int) []float64 {
	if n <= 0 {
		return nil
	}
	s := make([]float64, n)
	lo, hi := math.Log(min), math.Log(max)
	for k := range s {
		if n == 1 {
			s[k] = min
			break
		}
		s[k] = math.Exp(lo + float64(float64(k)*(hi-lo))/float64(n-1))
	}
	return s
}

// ScaleIndex returns the index of the smallest entry of the ascending scale
// table that is not below scale (rounding the scale up), or len(table)-1 when
// scale is above every entry. A NaN scale gives the last index. It is for the
// encoder and training side only: the decoder derives indexes in integers.
func ScaleIndex(table []float64, scale float64) int {
	k := sort.SearchFloat64s(table, scale)
	if k >= len(table) || math.IsNaN(scale) {
		return len(table) - 1
	}
	return k
}

// gaussMass returns the mass of a zero-mean Gaussian of standard deviation
// s over [a, b] with 0 <= a < b, from erfc to keep precision in the tail.
func gaussMass(a, b, s float64) float64 {
	r := 1 / (s * math.Sqrt2)
	return 0.5 * (math.Erfc(float64(a*r)) - math.Erfc(float64(b*r)))
}

// GaussianCDF returns the table of a zero-mean Gaussian of standard deviation
// scale discretised at the integers (value v has the mass of [v−½, v+½]). The
// range is −h..h with h the smallest half-width in [1, [MaxGaussianHalfWidth]]
// whose one-sided tail mass beyond h+½ is at most [GaussianTailMass]; both
// tails go to the escape. scale is clamped to [1e-3, 1e4]; NaN counts as 1e-3.
func GaussianCDF(scale float64) CDF {
	if !(scale >= 1e-3) {
		scale = 1e-3
	}
	scale = math.Min(scale, 1e4)
	h := 1
	for h < MaxGaussianHalfWidth && 0.5*math.Erfc(float64((float64(h)+0.5)/(scale*math.Sqrt2))) > GaussianTailMass {
		h++
	}
	pmf := make([]float64, 2*h+1)
	pmf[h] = 2 * gaussMass(0, 0.5, scale)
	for v := 1; v <= h; v++ {
		m := gaussMass(float64(v)-0.5, float64(v)+0.5, scale)
		pmf[h+v], pmf[h-v] = m, m
	}
	c, err := NewCDF(pmf, int32(-h))
	if err != nil {
		panic("quant: GaussianCDF: " + err.Error()) // unreachable: the pmf is valid by construction
	}
	return c
}

// Quantize returns round(y − mean) with ties to even, computed in float32 and
// saturated to the int32 range; NaN gives 0.
func Quantize(y, mean float32) int32 {
	d := float64(float32(y - mean))
	if d != d {
		return 0
	}
	r := math.RoundToEven(d)
	switch {
	case r >= math.MaxInt32:
		return math.MaxInt32
	case r <= math.MinInt32:
		return math.MinInt32
	}
	return int32(r)
}

// Dequantize returns float32(s) + mean, the inverse of [Quantize].
func Dequantize(s int32, mean float32) float32 {
	return float32(s) + mean
}
