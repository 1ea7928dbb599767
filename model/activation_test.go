package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestActivations(t *testing.T) {
	x := &Tensor{C: 1, H: 1, W: 4, Data: []float32{-2, -0.5, 0, 3}}
	LeakyReLU(x, LeakySlope)
	require.Equal(t, []float32{-2 * 0.01, -0.5 * 0.01, 0, 3}, x.Data)
	ReLU(x)
	require.Equal(t, []float32{0, 0, 0, 3}, x.Data)
}

// TestLeakyReLUBits compares the branch-free LeakyReLU bit for bit with
// its definition (negative elements times the slope) on signed zeros,
// infinities, subnormals and random values, for several slopes.
func TestLeakyReLUBits(t *testing.T) {
	vals := []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, -math.MaxFloat32,
		float32(math.NaN()), -float32(math.NaN())}
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		vals = append(vals, float32(r.NormFloat64()*10))
	}
	for _, slope := range []float32{LeakySlope, 0.2, 0, 1, -0.5} {
		x := &Tensor{C: 1, H: 1, W: len(vals), Data: append([]float32(nil), vals...)}
		LeakyReLU(x, slope)
		for i, v := range vals {
			want := v
			if v < 0 {
				want = v * slope
			}
			if math.Float32bits(x.Data[i]) != math.Float32bits(want) {
				t.Fatalf("slope %g: LeakyReLU(%g) = %g, want %g", slope, v, x.Data[i], want)
			}
		}
	}
}
