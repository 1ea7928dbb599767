// This file tests the bfloat16 analysis: its error against the float64
// reference, that it is really used, and that tiles and workers still do
// not change its bits.

package model

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aezip/aezip/internal/gemm"
)

// relRMS returns the RMS of got − want relative to the RMS of want.
func relRMS(got, want *Tensor) float64 {
	var d, s float64
	for i, w := range want.Data {
		e := float64(got.Data[i]) - float64(w)
		d += e * e
		s += float64(w) * float64(w)
	}
	return math.Sqrt(d / s)
}

func TestBF16Analysis(t *testing.T) {
	if !BF16Available() {
		t.Skip("no bfloat16 kernels on this machine")
	}
	const n, m = 32, 48
	ga, _, ha := randomTransforms(t, 131, 132, n, m)
	r := rand.New(rand.NewPCG(133, 134))
	x := randTensor(r, 3, 77, 100)
	ref := slowStages(ga.net.stages, x)
	f32 := ga.ForwardPrecision(x, 0, 0, Float32)
	bf := ga.ForwardPrecision(x, 0, 0, BF16)
	// bfloat16 keeps 8 significant bits: each rounding is at most 2⁻⁹
	// relative, and the errors of a layer's hundreds of terms average out,
	// so a layer adds about 2e-3; the Winograd output transforms' sums of
	// products of both signs roughly double it (6.5e-3 here with F(2,·)
	// everywhere), and g_a.2's tiles of four, whose transforms have
	// coefficients up to 8, about triple it again (1.9e-2; on Kodak the
	// rate at equal quality moved by 0.02 %, docs/speed.md). A wrong
	// pairing or layout gives errors of order 1.
	eF, eB := relRMS(f32, ref), relRMS(bf, ref)
	t.Logf("g_a relative RMS error: float32 %.2e, bf16 %.2e", eF, eB)
	require.Less(t, eB, 3e-2, "g_a bf16 error")
	require.Greater(t, eB, 10*eF, "g_a bf16 output looks like float32's: the bfloat16 products did not run")

	y := randTensor(r, m, 9, 13)
	refZ := slowStages(ha.net.stages, y)
	zB := ha.ForwardPrecision(y, 0, BF16)
	eZ := relRMS(zB, refZ)
	t.Logf("h_a relative RMS error: bf16 %.2e", eZ)
	require.Less(t, eZ, 2e-2, "h_a bf16 error")
	require.False(t, equalBits(zB.Data, ha.Forward(y).Data), "h_a bf16 equals float32")

	// Tiles, band sizes and workers do not change the bits.
	defer func(n, n4 int) { winoBand, wino4Band = n, n4 }(winoBand, wino4Band)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tile := range []int{1, 2, 3} {
		for _, procs := range []int{1, 3} {
			runtime.GOMAXPROCS(procs)
			winoBand, wino4Band = 64*tile, 256*tile
			require.True(t, equalBits(bf.Data, ga.ForwardPrecision(x, tile, procs, BF16).Data), "g_a tile %d procs %d", tile, procs)
			require.True(t, equalBits(zB.Data, ha.ForwardPrecision(y, procs, BF16).Data), "h_a procs %d", procs)
		}
	}

	// Odd widths: the layers without channel pairs keep float32, the
	// others (and the odd tap count of the first layer) still run.
	ga, _, ha = randomTransforms(t, 135, 136, 17, 19)
	x = randTensor(r, 3, 50, 70)
	require.Less(t, relRMS(ga.ForwardPrecision(x, 0, 0, BF16), slowStages(ga.net.stages, x)), 2e-2, "odd g_a")
	y = randTensor(r, 19, 6, 9)
	require.Less(t, relRMS(ha.ForwardPrecision(y, 0, BF16), slowStages(ha.net.stages, y)), 2e-2, "odd h_a")

	// Without the AVX-512 kernels BF16 is Float32.
	defer gemm.SetKernel(gemm.SetKernel(gemm.AVX2))
	require.False(t, BF16Available())
	require.True(t, equalBits(ga.ForwardPrecision(x, 0, 0, Float32).Data, ga.ForwardPrecision(x, 0, 0, BF16).Data))
}

func TestParsePrecision(t *testing.T) {
	for _, p := range []Precision{Float32, BF16} {
		got, err := ParsePrecision(p.String())
		require.NoError(t, err)
		require.Equal(t, p, got)
	}
	_, err := ParsePrecision("fp16")
	require.Error(t, err)
}
