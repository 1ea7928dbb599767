// This file tests the source layout of lower.go: a layer's output stored
// element by element must give the planes that laying out the whole tensor
// gives.

package model

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSourceStoreMatchesLayout(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	for trial := 0; trial < 200; trial++ {
		c, h, w := 1+r.IntN(3), 1+r.IntN(9), 1+r.IntN(11)
		if trial%20 == 0 {
			w = 500 + r.IntN(700) // rows longer than the chunks of store
		}
		step := 1 + r.IntN(4)
		k := 1 + r.IntN(5)
		taps := []tap{}
		pad := r.IntN(3)
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				taps = append(taps, tap{c: 0, dy: ky - pad, dx: kx - pad})
			}
		}
		ho, wo := 1+r.IntN(h), 1+r.IntN(w)
		g := sourceGeom(step, h, w, ho, wo, taps)
		x := randTensor(r, c, h, w)
		want := sourceOf(x, g, 0)
		got := newSource(c, h, w, g, 2)
		for i := range got.data {
			if i%3 == 0 {
				got.data[i] = 7 // the pool gives undefined contents
			}
		}
		got.each(nil, 1)
		// Store each row as runs of every xs-th column, as the layers do.
		xs := 1 + r.IntN(3)
		for o := 0; o < c; o++ {
			for y := 0; y < h; y++ {
				for x0 := 0; x0 < xs && x0 < w; x0++ {
					var vals []float32
					for xx := x0; xx < w; xx += xs {
						vals = append(vals, x.At(o, y, xx))
					}
					got.store(o, y, x0, xs, vals)
				}
			}
		}
		name := fmt.Sprintf("%d×%d×%d step %d pad %d k %d xs %d", c, h, w, step, pad, k, xs)
		require.True(t, equalBits(want.data, got.data), name)
		if step == 1 {
			// The two column phases of a stride-2 layer, stored together.
			got.each(nil, 0)
			for o := 0; o < c; o++ {
				for y := 0; y < h; y++ {
					var a, b []float32
					for xx := 0; xx < w; xx++ {
						if xx%2 == 0 {
							a = append(a, x.At(o, y, xx))
						} else {
							b = append(b, x.At(o, y, xx))
						}
					}
					got.store2(o, y, 0, a, b)
				}
			}
			require.True(t, equalBits(want.data, got.data), "store2 "+name)
		}
		want.release()
		got.release()
	}
}

// drainPools empties the buffer pools, so that the next run gets fresh
// buffers.
func drainPools() {
	for i := range floatPools {
		for floatPools[i].Get() != nil {
		}
		for halfPools[i].Get() != nil {
		}
	}
}

// TestZeroPadReuse requires planes recycled with their padding (a pooled
// buffer remembers the layout whose padding is zero) to give the bits of
// fresh ones: every transform, both
// precisions, sizes with partial tiles, run on fresh planes and then again
// on the recycled ones. A layer that wrote into the padding would change
// the second run.
func TestZeroPadReuse(t *testing.T) {
	const n, m = 16, 24
	ga, gs, ha := randomTransforms(t, 135, 136, n, m)
	r := rand.New(rand.NewPCG(137, 138))
	for _, sz := range [][2]int{{77, 100}, {64, 64}, {35, 131}} {
		x := randTensor(r, 3, sz[0], sz[1])
		for _, prec := range []Precision{Float32, BF16} {
			run := func() [][]float32 {
				y := ga.ForwardPrecision(x, 0, 0, prec)
				z := ha.ForwardPrecision(y, 0, prec)
				return [][]float32{y.Data, z.Data, gs.Forward(y).Data}
			}
			drainPools()
			fresh := run()
			for range 2 {
				again := run()
				for i := range fresh {
					require.True(t, equalBits(fresh[i], again[i]), "size %v, %v, output %d", sz, prec, i)
				}
			}
		}
	}
}
