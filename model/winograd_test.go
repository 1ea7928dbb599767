// This file tests the Winograd layers of winograd.go against the textbook
// convolutions, on odd and tiny sizes, and checks that band sizes, worker
// counts and tiling (with even origins) do not change their bits.

package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/aezip/aezip/internal/gemm"
	"github.com/stretchr/testify/require"
)

// winoSizes are input sizes whose outputs fill whole tiles, leave a partial
// last tile, or are smaller than one tile.
var winoSizes = [][2]int{{1, 1}, {2, 3}, {5, 2}, {7, 9}, {8, 8}, {13, 19}}

func TestWinogradConvMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(101, 102))
	for _, ch := range [][2]int{{16, 16}, {16, 21}, {33, 17}} {
		for _, sz := range winoSizes {
			t.Run(fmt.Sprintf("%d-%d_%dx%d", ch[0], ch[1], sz[0], sz[1]), func(t *testing.T) {
				w, b := randSlice(r, ch[1]*ch[0]*25), randSlice(r, ch[1])
				l, err := NewConv2D(ch[0], ch[1], 5, 2, 2, w, b)
				require.NoError(t, err)
				require.NotNil(t, l.wino, "layer does not use Winograd")
				x := randTensor(r, ch[0], sz[0], sz[1])
				requireClose(t, l.Forward(x), slowConv2D(x, w, b, ch[1], 5, 2, 2), 1e-4)
			})
		}
	}
}

func TestWinogradDeconvMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(103, 104))
	for _, ch := range [][2]int{{16, 16}, {24, 16}, {17, 33}} {
		for _, sz := range winoSizes {
			t.Run(fmt.Sprintf("%d-%d_%dx%d", ch[0], ch[1], sz[0], sz[1]), func(t *testing.T) {
				w, b := randSlice(r, ch[0]*ch[1]*25), randSlice(r, ch[1])
				l, err := NewConvTranspose2D(ch[0], ch[1], 5, 2, 2, 1, w, b)
				require.NoError(t, err)
				require.NotNil(t, l.wino, "layer does not use Winograd")
				x := randTensor(r, ch[0], sz[0], sz[1])
				requireClose(t, l.Forward(x), slowConvTranspose2D(x, w, b, ch[1], 5, 2, 2, 1), 1e-4)
			})
		}
	}
}

// TestWinogradNotForOtherLayers keeps the direct method for layers the
// transforms do not cover.
func TestWinogradNotForOtherLayers(t *testing.T) {
	r := rand.New(rand.NewPCG(105, 106))
	c, err := NewConv2D(16, 16, 3, 1, 1, randSlice(r, 16*16*9), randSlice(r, 16))
	require.NoError(t, err)
	require.Nil(t, c.wino)
	c, err = NewConv2D(3, 16, 5, 2, 2, randSlice(r, 16*3*25), randSlice(r, 16))
	require.NoError(t, err)
	require.Nil(t, c.wino, "3 input channels")
	d, err := NewConvTranspose2D(16, 3, 5, 2, 2, 1, randSlice(r, 16*3*25), randSlice(r, 3))
	require.NoError(t, err)
	require.Nil(t, d.wino, "3 output channels")
	d, err = NewConvTranspose2D(16, 16, 5, 2, 2, 0, randSlice(r, 16*16*25), randSlice(r, 16))
	require.NoError(t, err)
	require.Nil(t, d.wino, "output padding 0")
}

// TestWinogradBandsAndWorkers requires the same bits whatever the band
// size (down to one tile, so that bands end inside rows) and GOMAXPROCS.
func TestWinogradBandsAndWorkers(t *testing.T) {
	defer func(n int) { winoBand = n }(winoBand)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	r := rand.New(rand.NewPCG(107, 108))
	conv, err := NewConv2D(16, 20, 5, 2, 2, randSlice(r, 20*16*25), randSlice(r, 20))
	require.NoError(t, err)
	deconv, err := NewConvTranspose2D(20, 16, 5, 2, 2, 1, randSlice(r, 20*16*25), randSlice(r, 16))
	require.NoError(t, err)
	x := randTensor(r, 16, 23, 37)
	y := randTensor(r, 20, 11, 17)
	wantC, wantD := conv.Forward(x), deconv.Forward(y)
	for _, band := range []int{1, 7, 64, 100000} {
		for _, procs := range []int{1, 3} {
			winoBand = band
			runtime.GOMAXPROCS(procs)
			require.True(t, equalBits(wantC.Data, conv.Forward(x).Data), "conv band %d procs %d", band, procs)
			require.True(t, equalBits(wantD.Data, deconv.Forward(y).Data), "deconv band %d procs %d", band, procs)
		}
	}
}

// TestWinogradTransforms runs whole transforms wide enough for Winograd
// against the reference, tiled, fused and on the pure-Go kernel.
func TestWinogradTransforms(t *testing.T) {
	const n, m = 16, 24
	ga, gs, ha := randomTransforms(t, 109, 110, n, m)
	for _, st := range append(ga.net.stages[2:], gs.net.stages[:5]...) {
		if st.conv != nil {
			require.NotNil(t, st.conv.wino)
		}
		if st.deconv != nil {
			require.NotNil(t, st.deconv.wino)
		}
	}
	requireTransformsMatchReference(t, ga, gs, ha, rand.New(rand.NewPCG(111, 112)), m, 45, 70, 5, 7)
	r := rand.New(rand.NewPCG(113, 114))
	y := randTensor(r, m, 9, 7)
	want := gs.Forward(y)
	for _, tile := range []int{1, 2, 3, 4} {
		require.True(t, equalBits(want.Data, gs.ForwardTiled(y, tile).Data), "g_s tile %d", tile)
	}
	x := randTensor(r, 3, 77, 100)
	wantA := ga.Forward(x)
	for _, tile := range []int{1, 2, 3} {
		require.True(t, equalBits(wantA.Data, ga.ForwardTiled(x, tile).Data), "g_a tile %d", tile)
	}
	defer gemm.SetKernel(gemm.SetKernel(gemm.Generic))
	requireTransformsMatchReference(t, ga, gs, ha, rand.New(rand.NewPCG(115, 116)), m, 35, 49, 3, 5)
}

// TestSourceStoreTileRows requires storeTileRows, which stores all
// channels of a row of tiles from a strided buffer, to give the planes that
// laying out the whole tensor gives, on every step and tile width (the
// layouts with assembly and, for step 2 with q 2 and step 4 with q 4, the
// generic path), with a row stride and a gap between the tile-column rows
// like the bands'.
func TestSourceStoreTileRows(t *testing.T) {
	r := rand.New(rand.NewPCG(121, 122))
	for _, step := range []int{1, 2, 4} {
		for _, q := range []int{2, 4} {
			for _, pad := range []int{0, 1, 2} {
				c, h, w := 3, 5, 4*q+q*r.IntN(3)
				var taps []tap
				for d := -pad; d <= 2; d++ {
					taps = append(taps, tap{dy: d, dx: d})
				}
				g := sourceGeom(step, h, w, h, w, taps)
				x := randTensor(r, c, h, w)
				want := sourceOf(x, g, 0)
				got := newSource(c, h, w, g, 1)
				for y := 0; y < h; y++ {
					for _, x0 := range []int{q, 0} {
						cnt := (w - x0) / q
						if x0 == 0 {
							cnt = 1
						}
						n := cnt + 3  // distance between the q rows of a channel
						ld := q*n + 5 // distance between channels
						from := make([]float32, c*ld)
						for o := 0; o < c; o++ {
							for xx := 0; xx < q; xx++ {
								for k := 0; k < cnt; k++ {
									from[o*ld+xx*n+k] = x.At(o, y, x0+q*k+xx)
								}
							}
						}
						got.storeTileRows(c, y, x0, q, from, ld, n, cnt)
					}
				}
				require.True(t, equalBits(want.data, got.data), "step %d q %d pad %d", step, q, pad)
				want.release()
				got.release()
			}
		}
	}
}

// TestWinogradAxes checks the one-dimensional algorithms in float64: the
// output transform of the products of the transformed inputs and taps must
// be the layer's own definition along one axis.
func TestWinogradAxes(t *testing.T) {
	r := rand.New(rand.NewPCG(119, 120))
	for _, tc := range []struct {
		name string
		ax   *winoAxis
		// want returns output v of the tile from x (the p input samples)
		// and w (the 5 taps).
		want func(x []float64, w []float64, v int) float64
	}{
		{"conv", &convAxis, func(x, w []float64, v int) float64 {
			// out[2T+v] = Σ_k in[4T−2+2v+k]·w[k], x[u] = in[4T−2+u].
			var s float64
			for k := 0; k < 5; k++ {
				s += x[2*v+k] * w[k]
			}
			return s
		}},
		{"deconv", &deconvAxis, func(x, w []float64, v int) float64 {
			// out[o] = Σ in[i]·w[o+2−2i] over the taps in range, with
			// o = 4T+v and x[u] = in[2T−1+u].
			var s float64
			for u := range x {
				if k := v + 2 - 2*(u-1); k >= 0 && k < 5 {
					s += x[u] * w[k]
				}
			}
			return s
		}},
	} {
		ax := tc.ax
		for trial := 0; trial < 20; trial++ {
			x := make([]float64, ax.p)
			w := make([]float64, 5)
			for i := range x {
				x[i] = r.NormFloat64()
			}
			for i := range w {
				w[i] = r.NormFloat64()
			}
			var m [7]float64
			for f := 0; f < 7; f++ {
				var bx, gw float64
				for u, c := range ax.bt[f] {
					bx += float64(c) * x[u]
				}
				for k, c := range ax.g[f] {
					gw += c * w[k]
				}
				m[f] = bx * gw
			}
			for v := 0; v < ax.q; v++ {
				var got float64
				for f, c := range ax.at[v] {
					got += float64(c) * m[f]
				}
				if want := tc.want(x, w, v); math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
					t.Fatalf("%s output %d: %v, want %v", tc.name, v, got, want)
				}
			}
		}
	}
}

// TestWinogradSepRows requires the separable form of the conv axis, which
// the bfloat16 path relies on, to be its input transform exactly, and
// refuses rows that the form cannot express.
func TestWinogradSepRows(t *testing.T) {
	rows, ok := convAxis.sepRows()
	require.True(t, ok, "the conv axis must be separable")
	for a, r := range rows {
		got := make([]float32, convAxis.p)
		got[r.u1] = 1
		if r.c != 0 {
			got[r.u2] += r.c
		}
		require.Equal(t, convAxis.bt[a], got, "row %d", a)
	}
	for _, bad := range [][]float32{{1, 1, 1, 0}, {-1, 0, 0, 0}, {-1, 0, 0, -1}, {1, 0.5, 0, 0}, {0, 0, 0, 0}} {
		ax := convAxis
		ax.bt[3] = bad
		_, ok := ax.sepRows()
		require.False(t, ok, "row %v", bad)
	}
}

// TestWinogradTileError measures, in float32, the error of 2-D Winograd
// tiles against direct sums (both against float64) on 128-channel random
// tiles: F(2,3) at the points 0, ±1, ∞ (what winograd.go uses) and F(4,3)
// with ±2 added (what it does not use, for its larger error), and the same
// with the products' operands in bfloat16 against a direct bfloat16 sum
// (the encoder's BF16 precision). It requires F(2,3) to stay within 4× the
// direct error both ways; `go test -v -run WinogradTileError ./model`
// prints the ratios (docs/speed.md quotes them).
func TestWinogradTileError(t *testing.T) {
	type alg struct {
		name      string
		m         int
		bt, g, at [][]float64
	}
	algs := []alg{
		{"F(2,3)", 2,
			[][]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
			[][]float64{{1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}},
			[][]float64{{1, 1, 1, 0}, {0, 1, -1, -1}}},
		{"F(4,3)", 4,
			[][]float64{{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}},
			[][]float64{{1. / 4, 0, 0}, {-1. / 6, -1. / 6, -1. / 6}, {-1. / 6, 1. / 6, -1. / 6}, {1. / 24, 1. / 12, 1. / 6}, {1. / 24, -1. / 12, 1. / 6}, {0, 0, 1}},
			[][]float64{{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}}},
	}
	// sandwich returns L·X·Lᵀ in float32 arithmetic (each product and sum
	// rounded), or in float64 with round=false.
	sandwich := func(l [][]float64, x [][]float64, round bool) [][]float64 {
		r := func(v float64) float64 {
			if round {
				return float64(float32(v))
			}
			return v
		}
		mul := func(a, b [][]float64) [][]float64 {
			out := make([][]float64, len(a))
			for i := range a {
				out[i] = make([]float64, len(b[0]))
				for j := range b[0] {
					var s float64
					for k := range b {
						s = r(s + r(a[i][k]*b[k][j]))
					}
					out[i][j] = s
				}
			}
			return out
		}
		lt := make([][]float64, len(l[0]))
		for i := range lt {
			lt[i] = make([]float64, len(l))
			for j := range l {
				lt[i][j] = l[j][i]
			}
		}
		return mul(mul(l, x), lt)
	}
	// bf16 rounds to bfloat16 as the encoder's bfloat16 products do.
	bf16 := func(v float64) float64 {
		return float64(math.Float32frombits(uint32(gemm.RoundBF16(float32(v))) << 16))
	}
	const c = 128
	r := rand.New(rand.NewPCG(121, 122))
	for _, a := range algs {
		n := a.m + 2
		var worstW, worstD, worstWB, worstDB float64
		for trial := 0; trial < 50; trial++ {
			acc := make([][]float64, len(a.bt))  // Σ over channels of U⊙V, float32
			accB := make([][]float64, len(a.bt)) // the same with U and V in bfloat16
			for i := range acc {
				acc[i] = make([]float64, len(a.bt))
				accB[i] = make([]float64, len(a.bt))
			}
			exact := make([]float64, a.m*a.m)
			direct := make([]float64, a.m*a.m)  // float32 running sums
			directB := make([]float64, a.m*a.m) // of bfloat16 operands
			for ch := 0; ch < c; ch++ {
				d := make([][]float64, n)
				for i := range d {
					d[i] = make([]float64, n)
					for j := range d[i] {
						d[i][j] = float64(float32(r.NormFloat64()))
					}
				}
				g := make([][]float64, 3)
				for i := range g {
					g[i] = make([]float64, 3)
					for j := range g[i] {
						g[i][j] = float64(float32(0.05 * r.NormFloat64()))
					}
				}
				u := sandwich(a.g, g, false) // kernels: float64, rounded once
				v := sandwich(a.bt, d, true)
				for i := range acc {
					for j := range acc[i] {
						p := float64(float32(float64(float32(u[i][j])) * v[i][j]))
						acc[i][j] = float64(float32(acc[i][j] + p))
						accB[i][j] = float64(float32(accB[i][j] + bf16(u[i][j])*bf16(v[i][j])))
					}
				}
				for y := 0; y < a.m; y++ {
					for x := 0; x < a.m; x++ {
						for ky := 0; ky < 3; ky++ {
							for kx := 0; kx < 3; kx++ {
								p := d[y+ky][x+kx] * g[ky][kx]
								exact[y*a.m+x] += p
								direct[y*a.m+x] = float64(float32(direct[y*a.m+x] + float64(float32(p))))
								directB[y*a.m+x] = float64(float32(directB[y*a.m+x] + bf16(d[y+ky][x+kx])*bf16(g[ky][kx])))
							}
						}
					}
				}
			}
			w := sandwich(a.at, acc, true)
			wb := sandwich(a.at, accB, true)
			for y := 0; y < a.m; y++ {
				for x := 0; x < a.m; x++ {
					worstW = math.Max(worstW, math.Abs(w[y][x]-exact[y*a.m+x]))
					worstD = math.Max(worstD, math.Abs(direct[y*a.m+x]-exact[y*a.m+x]))
					worstWB = math.Max(worstWB, math.Abs(wb[y][x]-exact[y*a.m+x]))
					worstDB = math.Max(worstDB, math.Abs(directB[y*a.m+x]-exact[y*a.m+x]))
				}
			}
		}
		t.Logf("%s: max error %.2g, direct float32 %.2g, ratio %.1f", a.name, worstW, worstD, worstW/worstD)
		t.Logf("%s with bfloat16 operands: max error %.2g, direct bfloat16 %.2g, ratio %.1f", a.name, worstWB, worstDB, worstWB/worstDB)
		if a.name == "F(2,3)" && worstW > 4*worstD {
			t.Errorf("F(2,3) error %.2g more than 4× the direct %.2g", worstW, worstD)
		}
		// The encoder's bfloat16 Winograd products (precision.go) rely on
		// F(2,3) staying close to a direct bfloat16 sum.
		if a.name == "F(2,3)" && worstWB > 4*worstDB {
			t.Errorf("F(2,3) bfloat16 error %.2g more than 4× the direct %.2g", worstWB, worstDB)
		}
	}
}

// TestSourceStoreRows requires storeRows, which stores a row segment of
// every channel from a strided band, to give the planes that laying out the
// whole tensor gives, on every step (step 4 in one assembly call) and pad,
// for segments that start at every column phase and end anywhere.
func TestSourceStoreRows(t *testing.T) {
	r := rand.New(rand.NewPCG(123, 124))
	for _, step := range []int{1, 2, 4} {
		for _, pad := range []int{0, 1, 2} {
			c, h, w := 3, 4, 41+r.IntN(30)
			var taps []tap
			for d := -pad; d <= 2; d++ {
				taps = append(taps, tap{dy: d, dx: d})
			}
			g := sourceGeom(step, h, w, h, w, taps)
			x := randTensor(r, c, h, w)
			want := sourceOf(x, g, 0)
			got := newSource(c, h, w, g, 1)
			var half *source // bfloat16 planes, for step 4
			if step == 4 {
				half = newHalfSource(c, h, w, g, 1)
			}
			for y := 0; y < h; y++ {
				// Segments [0, a), [a, b), [b, w) with a and b at every phase.
				a, b := 1+y, 1+y+13+r.IntN(w-20)
				for _, seg := range [][2]int{{0, a}, {a, b}, {b, w}} {
					n := seg[1] - seg[0]
					ld := n + 7
					from := make([]float32, c*ld)
					for o := 0; o < c; o++ {
						for k := 0; k < n; k++ {
							from[o*ld+k] = x.At(o, y, seg[0]+k)
						}
					}
					got.storeRows(c, y, seg[0], from, ld, n)
					if half != nil {
						half.storeRows(c, y, seg[0], from, ld, n)
					}
				}
			}
			require.True(t, equalBits(want.data, got.data), "step %d pad %d", step, pad)
			if half != nil {
				for i, v := range want.data {
					require.Equal(t, gemm.RoundBF16(v), half.half[i], "bfloat16 planes, pad %d, element %d", pad, i)
				}
				half.release()
			}
			want.release()
			got.release()
		}
	}
}
