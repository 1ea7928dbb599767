// This file tests the Bjøntegaard delta rate on hand-verifiable curves.

package bench

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refCurve is a JPEG-like curve: PSNR against bpp, four or more points.
var refCurve = []Point{{0.25, 28.1}, {0.5, 31.0}, {0.75, 32.9}, {1.0, 34.2}, {1.5, 36.3}}

func scaled(ps []Point, f float64) []Point {
	out := make([]Point, len(ps))
	for i, p := range ps {
		out[i] = Point{p.Rate * f, p.Quality}
	}
	return out
}

func TestBDRateConstantFactor(t *testing.T) {
	// The same quality at a constant fraction of the rate must give exactly
	// that fraction, whatever the shape of the curve.
	tests := []struct {
		name   string
		factor float64
		want   float64
	}{
		{"20% fewer bits", 0.8, -20},
		{"same", 1, 0},
		{"50% more bits", 1.5, 50},
		{"half", 0.5, -50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BDRate(refCurve, scaled(refCurve, tt.factor))
			require.NoError(t, err)
			assert.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

// TestBDRateWorked checks a case integrated by hand: ref has ln R = q/10
// (linear, so every fit is exact), test has ln R = q/10 + (q-30)/20 on the
// points q = 32..40 while ref spans q = 30..36. Overlap is [32, 36]; the mean
// of (q-30)/20 over it is (34-30)/20 = 0.2, so BD-rate = (e^0.2 − 1)·100.
func TestBDRateWorked(t *testing.T) {
	var ref, test []Point
	for q := 30.0; q <= 36; q += 2 {
		ref = append(ref, Point{math.Exp(q / 10), q})
	}
	for q := 32.0; q <= 40; q += 2 {
		test = append(test, Point{math.Exp(q/10 + (q-30)/20), q})
	}
	got, err := BDRate(ref, test)
	require.NoError(t, err)
	assert.InDelta(t, (math.Exp(0.2)-1)*100, got, 1e-9)
	// Swapping the curves gives the inverse ratio.
	back, err := BDRate(test, ref)
	require.NoError(t, err)
	assert.InDelta(t, (math.Exp(-0.2)-1)*100, back, 1e-9)
}

// TestBDRateCubic checks that a cubic ln R(q) is fitted exactly, using the
// closed-form integral of the difference.
func TestBDRateCubic(t *testing.T) {
	f := func(q float64) float64 { return 0.001*q*q*q - 0.05*q*q + 1.1*q - 9 }
	g := func(q float64) float64 { return f(q) + 0.01*(q-33)*(q-33) }
	var ref, test []Point
	for _, q := range []float64{28, 30.5, 33, 35, 37.5} {
		ref = append(ref, Point{math.Exp(f(q)), q})
		test = append(test, Point{math.Exp(g(q)), q})
	}
	// mean over [28, 37.5] of 0.01(q-33)^2 = 0.01·((4.5)^3 + 5^3)/3/9.5
	d := 0.01 * (math.Pow(4.5, 3) + math.Pow(5, 3)) / 3 / 9.5
	got, err := BDRate(ref, test)
	require.NoError(t, err)
	assert.InDelta(t, (math.Exp(d)-1)*100, got, 1e-9)
}

func TestBDRateErrors(t *testing.T) {
	_, err := BDRate(refCurve[:1], refCurve)
	assert.Error(t, err)
	far := []Point{{1, 50}, {2, 55}}
	_, err = BDRate(refCurve, far)
	assert.ErrorIs(t, err, ErrNoOverlap)
	_, err = BDRate(refCurve, []Point{{0, 30}, {1, 32}})
	assert.Error(t, err)
}
