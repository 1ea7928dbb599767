package model

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// slowGDN evaluates the GDN formula directly in float64.
func slowGDN(x *Tensor, beta, gamma []float32, inverse bool) *Tensor {
	y := NewTensor(x.C, x.H, x.W)
	hw := x.H * x.W
	for p := 0; p < hw; p++ {
		for i := 0; i < x.C; i++ {
			norm := float64(beta[i])
			for j := 0; j < x.C; j++ {
				v := float64(x.Data[j*hw+p])
				norm += float64(gamma[i*x.C+j]) * v * v
			}
			v := float64(x.Data[i*hw+p])
			if inverse {
				v *= math.Sqrt(norm)
			} else {
				v /= math.Sqrt(norm)
			}
			y.Data[i*hw+p] = float32(v)
		}
	}
	return y
}

func randGDNParams(r *rand.Rand, n int) (beta, gamma []float32) {
	beta = make([]float32, n)
	gamma = make([]float32, n*n)
	for i := range beta {
		beta[i] = 0.5 + r.Float32()
	}
	for i := range gamma {
		gamma[i] = 0.2 * r.Float32()
	}
	return beta, gamma
}

func TestGDNMatchesFormula(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	tests := []struct {
		name    string
		n, h, w int
		inverse bool
	}{
		{"gdn", 5, 7, 9, false},
		{"igdn", 5, 7, 9, true},
		{"gdn-1px", 3, 1, 1, false},
		{"igdn-multi-band", 12, 31, 43, true},
		{"gdn-multi-band", 12, 31, 43, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			beta, gamma := randGDNParams(r, tc.n)
			g, err := NewGDN(tc.n, beta, gamma, tc.inverse)
			require.NoError(t, err)
			x := randTensor(r, tc.n, tc.h, tc.w)
			want := slowGDN(x, beta, gamma, tc.inverse)
			requireClose(t, g.Forward(x), want, 1e-5)
			// In place gives the same result.
			y := x.Clone()
			g.ForwardTo(y, y)
			requireClose(t, y, want, 1e-5)
		})
	}
}

// TestGDNIdentity checks the formula by hand: with gamma = 0 and beta = 4,
// GDN halves and inverse GDN doubles.
func TestGDNIdentity(t *testing.T) {
	x := &Tensor{C: 2, H: 1, W: 2, Data: []float32{1, -2, 3, 8}}
	g, err := NewGDN(2, []float32{4, 4}, make([]float32, 4), false)
	require.NoError(t, err)
	require.Equal(t, []float32{0.5, -1, 1.5, 4}, g.Forward(x).Data)
	g.Inverse = true
	require.Equal(t, []float32{2, -4, 6, 16}, g.Forward(x).Data)
	// beta = 0+, gamma = I: x / |x| = sign(x) (up to the tiny beta).
	g, err = NewGDN(2, []float32{1e-30, 1e-30}, []float32{1, 0, 0, 1}, false)
	require.NoError(t, err)
	require.Equal(t, []float32{1, -1, 1, 1}, g.Forward(x).Data)
}

func TestGDNIndependentOfGOMAXPROCS(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	beta, gamma := randGDNParams(r, 32)
	g, err := NewGDN(32, beta, gamma, true)
	require.NoError(t, err)
	x := randTensor(r, 32, 41, 53)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	want := g.Forward(x)
	runtime.GOMAXPROCS(4)
	require.Equal(t, want.Data, g.Forward(x).Data)
}
