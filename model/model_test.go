package model

import (
	"math"
	"testing"
)

func TestGainInterpolation(t *testing.T) {
	mod := importRandom(t, 41, 4, 6, 3)
	g := mod.params["gain"].Data
	inv := mod.params["inv_gain"].Data
	m := mod.Arch.M
	tests := []struct {
		t    float64
		want func(c int, rows []float32) float64
	}{
		{0, func(c int, r []float32) float64 { return float64(r[c]) }},
		{1, func(c int, r []float32) float64 { return float64(r[m+c]) }},
		{2, func(c int, r []float32) float64 { return float64(r[2*m+c]) }},
		{-5, func(c int, r []float32) float64 { return float64(r[c]) }},    // clamped to 0
		{7, func(c int, r []float32) float64 { return float64(r[2*m+c]) }}, // clamped to L-1
		{0.5, func(c int, r []float32) float64 { return math.Sqrt(float64(r[c]) * float64(r[m+c])) }},
		{1.25, func(c int, r []float32) float64 {
			return math.Pow(float64(r[m+c]), 0.75) * math.Pow(float64(r[2*m+c]), 0.25)
		}},
	}
	for _, tc := range tests {
		for _, k := range []struct {
			got  []float32
			rows []float32
		}{{mod.Gain(tc.t), g}, {mod.InvGain(tc.t), inv}} {
			if len(k.got) != m {
				t.Fatalf("t=%g: %d gains", tc.t, len(k.got))
			}
			for c, v := range k.got {
				if w := tc.want(c, k.rows); math.Abs(float64(v)-w) > 1e-6*w {
					t.Errorf("t=%g channel %d: %g, want %g", tc.t, c, v, w)
				}
			}
		}
	}
}
