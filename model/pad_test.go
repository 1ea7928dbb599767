package model

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPadToReplicatesEdges(t *testing.T) {
	// 1×2×3 image padded to a multiple of 4: the last column repeats to the
	// right, then the last (padded) row repeats downwards.
	x := &Tensor{C: 1, H: 2, W: 3, Data: []float32{
		1, 2, 3,
		4, 5, 6,
	}}
	y := PadTo(x, 4)
	require.Equal(t, [3]int{1, 4, 4}, [3]int{y.C, y.H, y.W})
	require.Equal(t, []float32{
		1, 2, 3, 3,
		4, 5, 6, 6,
		4, 5, 6, 6,
		4, 5, 6, 6,
	}, y.Data)
	require.Same(t, y, PadTo(y, 4), "already a multiple")
	require.Equal(t, x.Data, Crop(y, 2, 3).Data)
}

func TestPadToSizes(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	tests := []struct{ h, w, m, wantH, wantW int }{
		{1, 1, 64, 64, 64},
		{64, 65, 64, 64, 128},
		{512, 768, 64, 512, 768},
		{77, 13, 16, 80, 16},
	}
	for _, tc := range tests {
		x := randTensor(r, 3, tc.h, tc.w)
		y := PadTo(x, tc.m)
		require.Equal(t, [3]int{3, tc.wantH, tc.wantW}, [3]int{y.C, y.H, y.W})
		for c := 0; c < 3; c++ {
			for yy := 0; yy < y.H; yy++ {
				for xx := 0; xx < y.W; xx++ {
					require.Equal(t, x.At(c, min(yy, x.H-1), min(xx, x.W-1)), y.At(c, yy, xx))
				}
			}
		}
		require.Equal(t, x.Data, Crop(y, tc.h, tc.w).Data)
	}
}

func TestPadCropPanics(t *testing.T) {
	x := NewTensor(1, 2, 2)
	require.Panics(t, func() { PadTo(x, 0) })
	require.Panics(t, func() { PadTo(NewTensor(1, 0, 3), 8) })
	require.Panics(t, func() { Crop(x, 3, 1) })
	require.Panics(t, func() { Crop(x, -1, 1) })
}
