// This file tests the bfloat16 tiles of four of winograd4.go.

package model

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aezip/aezip/internal/gemm"
)

// TestWinograd4MatchesReference runs layers with tiles of four on sizes
// from one output to several partial tiles against the float64
// definition: the error must be that of bfloat16 products, not of a wrong
// sample or coefficient (order 1). On these random inputs, which are
// Winograd's worst case (no smoothness), F(2,·) in bfloat16 gives
// 2–5e-3 relative RMS error and the tiles of four 1.4 to 6 times that
// (measured 4e-3 to 2.6e-2).
func TestWinograd4MatchesReference(t *testing.T) {
	if !BF16Available() {
		t.Skip("no bfloat16 kernels on this machine")
	}
	r := rand.New(rand.NewPCG(141, 142))
	for _, ch := range [][2]int{{16, 16}, {32, 24}, {18, 17}} {
		for _, sz := range append(winoSizes, [2]int{40, 70}) {
			t.Run(fmt.Sprintf("%d-%d_%dx%d", ch[0], ch[1], sz[0], sz[1]), func(t *testing.T) {
				w, b := randSlice(r, ch[1]*ch[0]*25), randSlice(r, ch[1])
				l, err := NewConv2D(ch[0], ch[1], 5, 2, 2, w, b)
				require.NoError(t, err)
				l.tile4 = true
				require.True(t, l.useTile4(true))
				x := randTensor(r, ch[0], sz[0], sz[1])
				ho, wo := l.OutputSize(x.H, x.W)
				got := NewTensor(ch[1], ho, wo)
				src := sourceOf(x, l.geom(x.H, x.W, true), 0)
				l.forward(plainSource(got), src, post{bf16: true}, 0)
				src.release()
				// F(2,·) in bfloat16, for scale.
				f2 := NewTensor(ch[1], ho, wo)
				src = sourceOf(x, l.geom(x.H, x.W, false), 0)
				l.wino.forward(plainSource(f2), src, ho, wo, post{bf16: true}, 0)
				src.release()
				want := slowConv2D(x, w, b, ch[1], 5, 2, 2)
				e4, e2 := relRMS(got, want), relRMS(f2, want)
				require.Less(t, e4, 4e-2, "tiles of four (F(2,·): %.2e)", e2)
				require.Less(t, e4, 8*e2, "tiles of four against F(2,·) %.2e", e2)
			})
		}
	}
}

// TestWinograd4Compiled requires the layer's input transform to be the
// one the assembly has compiled (gemm.WinogradF4): another matrix would
// give the same bits from Go code, about 20 times slower.
func TestWinograd4Compiled(t *testing.T) {
	if !BF16Available() {
		t.Skip("no bfloat16 kernels on this machine")
	}
	x := NewTensor(16, 40, 40)
	src := sourceOf(x, tile4Geom(40, 40, 20, 20), 0)
	defer src.release()
	require.True(t, gemm.NewSep2Plan(tile4Sep(src.offsets(tile4Taps)), 64, src.geom().planes(), 8).Compiled())
}
