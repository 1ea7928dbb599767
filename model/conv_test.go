package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func randSlice(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func randTensor(r *rand.Rand, c, h, w int) *Tensor {
	return &Tensor{C: c, H: h, W: w, Data: randSlice(r, c*h*w)}
}

// slowConv2D is the textbook definition of PyTorch Conv2d: a gather over the
// kernel window with zero padding, accumulated in float64.
func slowConv2D(x *Tensor, weight, bias []float32, out, k, s, p int) *Tensor {
	ho := (x.H+2*p-k)/s + 1
	wo := (x.W+2*p-k)/s + 1
	y := NewTensor(out, ho, wo)
	for o := 0; o < out; o++ {
		for oy := 0; oy < ho; oy++ {
			for ox := 0; ox < wo; ox++ {
				acc := float64(bias[o])
				for i := 0; i < x.C; i++ {
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							iy, ix := oy*s-p+ky, ox*s-p+kx
							if iy < 0 || iy >= x.H || ix < 0 || ix >= x.W {
								continue
							}
							acc += float64(weight[((o*x.C+i)*k+ky)*k+kx]) * float64(x.At(i, iy, ix))
						}
					}
				}
				y.Set(o, oy, ox, float32(acc))
			}
		}
	}
	return y
}

// slowConvTranspose2D is the textbook definition of PyTorch ConvTranspose2d:
// every input element scatters weight·value onto a (H−1)s+k grid, from which
// the output window starting at p is kept (output padding extends it).
func slowConvTranspose2D(x *Tensor, weight, bias []float32, out, k, s, p, op int) *Tensor {
	ho := (x.H-1)*s - 2*p + k + op
	wo := (x.W-1)*s - 2*p + k + op
	acc := make([]float64, out*ho*wo)
	for i := 0; i < x.C; i++ {
		for iy := 0; iy < x.H; iy++ {
			for ix := 0; ix < x.W; ix++ {
				v := float64(x.At(i, iy, ix))
				for o := 0; o < out; o++ {
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							oy, ox := iy*s-p+ky, ix*s-p+kx
							if oy < 0 || oy >= ho || ox < 0 || ox >= wo {
								continue
							}
							acc[(o*ho+oy)*wo+ox] += v * float64(weight[((i*out+o)*k+ky)*k+kx])
						}
					}
				}
			}
		}
	}
	y := NewTensor(out, ho, wo)
	for o := 0; o < out; o++ {
		for j := 0; j < ho*wo; j++ {
			y.Data[o*ho*wo+j] = float32(acc[o*ho*wo+j] + float64(bias[o]))
		}
	}
	return y
}

// requireClose checks |a−b| ≤ tol·(1+|b|) element-wise.
func requireClose(t *testing.T, got, want *Tensor, tol float64) {
	t.Helper()
	require.Equal(t, [3]int{want.C, want.H, want.W}, [3]int{got.C, got.H, got.W}, "shape")
	require.Len(t, got.Data, want.Len())
	worst := 0.0
	for i, w := range want.Data {
		d := math.Abs(float64(got.Data[i]-w)) / (1 + math.Abs(float64(w)))
		if d > worst || math.IsNaN(d) {
			worst = d
		}
		if !(d <= tol) {
			c := i / (want.H * want.W)
			r := i % (want.H * want.W)
			t.Fatalf("element (%d,%d,%d): got %g want %g", c, r/want.W, r%want.W, got.Data[i], w)
		}
	}
}

func TestConv2DMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tests := []struct{ in, out, k, s, p, h, w int }{
		{3, 8, 5, 2, 2, 17, 23},
		{3, 8, 5, 2, 2, 16, 16},
		{5, 7, 3, 1, 1, 9, 13},
		{4, 6, 1, 1, 0, 7, 5},
		{4, 6, 1, 2, 0, 7, 5},
		{2, 3, 5, 1, 0, 6, 11},
		{6, 4, 3, 2, 1, 1, 1},
		{3, 5, 5, 2, 2, 2, 3},
		{2, 2, 5, 2, 0, 5, 5},
		{8, 12, 5, 2, 2, 33, 47},
		{7, 3, 3, 1, 2, 4, 6},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d-%d_k%d_s%d_p%d_%dx%d", tc.in, tc.out, tc.k, tc.s, tc.p, tc.h, tc.w), func(t *testing.T) {
			w := randSlice(r, tc.out*tc.in*tc.k*tc.k)
			b := randSlice(r, tc.out)
			x := randTensor(r, tc.in, tc.h, tc.w)
			l, err := NewConv2D(tc.in, tc.out, tc.k, tc.s, tc.p, w, b)
			require.NoError(t, err)
			requireClose(t, l.Forward(x), slowConv2D(x, w, b, tc.out, tc.k, tc.s, tc.p), 1e-5)
		})
	}
}

// TestConv2DSmallBands forces many narrow work items so that band edges fall
// inside rows.
func TestConv2DSmallBands(t *testing.T) {
	defer func(n int) { bandCols = n }(bandCols)
	bandCols = 7
	r := rand.New(rand.NewPCG(3, 4))
	x := randTensor(r, 3, 37, 101)
	w, b := randSlice(r, 4*3*25), randSlice(r, 4)
	l, err := NewConv2D(3, 4, 5, 1, 2, w, b)
	require.NoError(t, err)
	requireClose(t, l.Forward(x), slowConv2D(x, w, b, 4, 5, 1, 2), 1e-5)
}

func TestConvTranspose2DMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	tests := []struct{ in, out, k, s, p, op, h, w int }{
		{6, 4, 5, 2, 2, 1, 7, 9},
		{6, 4, 5, 2, 2, 1, 1, 1},
		{3, 5, 5, 2, 2, 0, 8, 5},
		{4, 3, 3, 2, 1, 1, 5, 6},
		{4, 3, 3, 1, 1, 0, 5, 6},
		{2, 3, 1, 1, 0, 0, 4, 7},
		{2, 3, 1, 2, 0, 1, 4, 7},
		{3, 2, 5, 1, 2, 0, 9, 3},
		{3, 2, 4, 2, 1, 0, 6, 5},
		{2, 2, 2, 3, 0, 2, 4, 5},
		{5, 3, 5, 3, 1, 1, 4, 4},
		{12, 8, 5, 2, 2, 1, 13, 19},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d-%d_k%d_s%d_p%d_op%d_%dx%d", tc.in, tc.out, tc.k, tc.s, tc.p, tc.op, tc.h, tc.w), func(t *testing.T) {
			w := randSlice(r, tc.in*tc.out*tc.k*tc.k)
			b := randSlice(r, tc.out)
			x := randTensor(r, tc.in, tc.h, tc.w)
			l, err := NewConvTranspose2D(tc.in, tc.out, tc.k, tc.s, tc.p, tc.op, w, b)
			require.NoError(t, err)
			requireClose(t, l.Forward(x), slowConvTranspose2D(x, w, b, tc.out, tc.k, tc.s, tc.p, tc.op), 1e-5)
		})
	}
}

// TestConvTranspose2DTapsPath runs the reference cases through the
// per-tap path (used for few output channels) and the phase path, with
// small bands so that band edges and shared input rows are exercised.
func TestConvTranspose2DTapsPath(t *testing.T) {
	defer func(a, b, c int) { tapsMaxOut, tapsRows, tapsChunk = a, b, c }(tapsMaxOut, tapsRows, tapsChunk)
	r := rand.New(rand.NewPCG(13, 14))
	tests := []struct{ in, out, k, s, p, op, h, w int }{
		{6, 3, 5, 2, 2, 1, 7, 9},
		{6, 3, 5, 2, 2, 1, 1, 1},
		{3, 5, 5, 2, 2, 0, 8, 5},
		{4, 3, 3, 2, 1, 1, 5, 6},
		{4, 3, 3, 1, 1, 0, 5, 6},
		{2, 3, 2, 3, 0, 2, 4, 5},
		{5, 3, 5, 3, 1, 1, 4, 4},
		{12, 3, 5, 2, 2, 1, 13, 19},
	}
	for _, rc := range [][2]int{{1, 1}, {2, 7}, {3, 30}, {32, 1024}} {
		for _, tc := range tests {
			w := randSlice(r, tc.in*tc.out*tc.k*tc.k)
			b := randSlice(r, tc.out)
			x := randTensor(r, tc.in, tc.h, tc.w)
			want := slowConvTranspose2D(x, w, b, tc.out, tc.k, tc.s, tc.p, tc.op)
			tapsMaxOut, tapsRows, tapsChunk = 1000, rc[0], rc[1]
			l, err := NewConvTranspose2D(tc.in, tc.out, tc.k, tc.s, tc.p, tc.op, w, b)
			require.NoError(t, err)
			requireClose(t, l.Forward(x), want, 1e-5)
			tapsMaxOut = 0
			requireClose(t, l.Forward(x), want, 1e-5)
		}
	}
}

// TestConvTranspose2DTapsSplitColumnsBits requires the stride-2 gather on
// split columns to give the bits of the strided loop, which adds each
// output's taps in the same order, on even and odd output widths.
func TestConvTranspose2DTapsSplitColumnsBits(t *testing.T) {
	defer func(a bool) { tapsSplitColumns = a }(tapsSplitColumns)
	r := rand.New(rand.NewPCG(15, 16))
	for _, tc := range []struct{ in, out, k, p, op, h, w int }{
		{12, 3, 5, 2, 1, 13, 19}, {6, 3, 5, 2, 0, 8, 5}, {4, 3, 3, 1, 1, 5, 6}, {16, 3, 5, 2, 1, 40, 33},
	} {
		w := randSlice(r, tc.in*tc.out*tc.k*tc.k)
		b := randSlice(r, tc.out)
		x := randTensor(r, tc.in, tc.h, tc.w)
		l, err := NewConvTranspose2D(tc.in, tc.out, tc.k, 2, tc.p, tc.op, w, b)
		require.NoError(t, err)
		require.True(t, l.usesTaps())
		tapsSplitColumns = true
		got := l.Forward(x)
		tapsSplitColumns = false
		want := l.Forward(x)
		require.True(t, equalBits(got.Data, want.Data), "%+v", tc)
	}
}

func TestConvTranspose2DSmallBands(t *testing.T) {
	defer func(n int) { bandCols = n }(bandCols)
	bandCols = 7
	r := rand.New(rand.NewPCG(7, 8))
	x := randTensor(r, 3, 21, 67)
	w, b := randSlice(r, 3*4*25), randSlice(r, 4)
	l, err := NewConvTranspose2D(3, 4, 5, 2, 2, 1, w, b)
	require.NoError(t, err)
	requireClose(t, l.Forward(x), slowConvTranspose2D(x, w, b, 4, 5, 2, 2, 1), 1e-5)
}

// TestOutputSizes checks the sizes against PyTorch's documented formulas by
// hand-computed cases: Conv2d H_out = ⌊(H+2p−k)/s⌋+1, ConvTranspose2d
// H_out = (H−1)·s − 2p + k + op.
func TestOutputSizes(t *testing.T) {
	one := func(n int) []float32 { return make([]float32, n) }
	c, err := NewConv2D(1, 1, 5, 2, 2, one(25), one(1))
	require.NoError(t, err)
	for _, tc := range [][2]int{{64, 32}, {65, 33}, {1, 1}, {2, 1}, {3, 2}, {512, 256}} {
		h, w := c.OutputSize(tc[0], tc[0])
		require.Equal(t, tc[1], h, "conv k5 s2 p2 of %d", tc[0])
		require.Equal(t, tc[1], w)
	}
	d, err := NewConvTranspose2D(1, 1, 5, 2, 2, 1, one(25), one(1))
	require.NoError(t, err)
	for _, tc := range [][2]int{{1, 2}, {32, 64}, {33, 66}} {
		h, _ := d.OutputSize(tc[0], tc[0])
		require.Equal(t, tc[1], h, "deconv k5 s2 p2 op1 of %d", tc[0])
	}
	d, err = NewConvTranspose2D(1, 1, 3, 2, 1, 0, one(9), one(1))
	require.NoError(t, err)
	h, _ := d.OutputSize(4, 4)
	require.Equal(t, 7, h) // (4−1)·2 − 2 + 3 + 0
}

// TestConvTranspose2DIndexing checks by hand one input impulse: with k=5,
// s=2, p=2 the input pixel (1,1) lands on output rows 2·1−2+ky for
// ky = 0..4, that is rows 0..4, weighted by weight[ky][kx].
func TestConvTranspose2DIndexing(t *testing.T) {
	w := make([]float32, 25)
	for i := range w {
		w[i] = float32(i + 1)
	}
	d, err := NewConvTranspose2D(1, 1, 5, 2, 2, 1, w, []float32{0})
	require.NoError(t, err)
	x := NewTensor(1, 3, 3)
	x.Set(0, 1, 1, 1)
	y := d.Forward(x)
	require.Equal(t, 6, y.H)
	for oy := 0; oy < 6; oy++ {
		for ox := 0; ox < 6; ox++ {
			want := float32(0)
			if oy < 5 && ox < 5 {
				want = w[oy*5+ox]
			}
			require.Equal(t, want, y.At(0, oy, ox), "(%d,%d)", oy, ox)
		}
	}
	// And Conv2D: output (0,0) of a k3 s1 p1 conv sees input (0,0) through
	// weight[1][1] and input (1,1) through weight[2][2].
	c, err := NewConv2D(1, 1, 3, 1, 1, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, []float32{0.5})
	require.NoError(t, err)
	x = NewTensor(1, 2, 2)
	x.Set(0, 0, 0, 1)
	x.Set(0, 1, 1, 10)
	require.Equal(t, float32(0.5+5+90), c.Forward(x).At(0, 0, 0))
}

func TestLayerErrors(t *testing.T) {
	z := func(n int) []float32 { return make([]float32, n) }
	_, err := NewConv2D(2, 3, 3, 1, 1, z(17), z(3))
	require.ErrorAs(t, err, new(*ParamError))
	_, err = NewConv2D(2, 3, 3, 0, 1, z(54), z(3))
	require.ErrorAs(t, err, new(*ParamError))
	_, err = NewConvTranspose2D(2, 3, 5, 2, 2, 2, z(150), z(3))
	require.ErrorAs(t, err, new(*ParamError))
	nan := z(3)
	nan[1] = float32(math.NaN())
	_, err = NewConvTranspose2D(2, 3, 5, 2, 2, 1, z(150), nan)
	require.ErrorAs(t, err, new(*ParamError))
	_, err = NewGDN(2, []float32{1, 0}, z(4), false)
	require.ErrorAs(t, err, new(*ParamError))
	_, err = NewGDN(2, []float32{1, 1}, []float32{0, -1, 0, 0}, false)
	require.ErrorAs(t, err, new(*ParamError))
}

func TestConvPanicsOnMisuse(t *testing.T) {
	l, err := NewConv2D(2, 3, 5, 1, 0, make([]float32, 150), make([]float32, 3))
	require.NoError(t, err)
	require.PanicsWithValue(t, "model: Conv2D input has 1 channels, want 2", func() { l.Forward(NewTensor(1, 8, 8)) })
	require.Panics(t, func() { l.Forward(NewTensor(2, 4, 8)) })
	x := NewTensor(2, 8, 8)
	require.Panics(t, func() { l.ForwardTo(x, x) })
}

// TestConvIndependentOfGOMAXPROCS requires bit-identical results for 1 and
// several goroutines.
func TestConvIndependentOfGOMAXPROCS(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	x := randTensor(r, 16, 45, 71)
	c, err := NewConv2D(16, 16, 5, 2, 2, randSlice(r, 16*16*25), randSlice(r, 16))
	require.NoError(t, err)
	d, err := NewConvTranspose2D(16, 8, 5, 2, 2, 1, randSlice(r, 16*8*25), randSlice(r, 8))
	require.NoError(t, err)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var ref [2]*Tensor
	for _, procs := range []int{1, 2, 3, 8} {
		runtime.GOMAXPROCS(procs)
		got := [2]*Tensor{c.Forward(x), d.Forward(x)}
		if ref[0] == nil {
			ref = got
			continue
		}
		require.Equal(t, ref[0].Data, got[0].Data, "conv, GOMAXPROCS=%d", procs)
		require.Equal(t, ref[1].Data, got[1].Data, "deconv, GOMAXPROCS=%d", procs)
	}
}

func TestForwardToReusesDestination(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	l, err := NewConv2D(3, 4, 3, 1, 1, randSlice(r, 108), randSlice(r, 4))
	require.NoError(t, err)
	dst := NewTensor(4, 10, 10)
	for i := range dst.Data {
		dst.Data[i] = 99
	}
	p := &dst.Data[0]
	x := randTensor(r, 3, 10, 10)
	l.ForwardTo(dst, x)
	require.Same(t, p, &dst.Data[0])
	requireClose(t, dst, slowConv2D(x, l.Weight, l.Bias, 4, 3, 1, 1), 1e-5)
	l.ForwardTo(dst, randTensor(r, 3, 5, 6))
	require.Equal(t, [3]int{4, 5, 6}, [3]int{dst.C, dst.H, dst.W})
}

// TestTapsPathIndependentOfSplit requires the per-tap path to give the same
// bits whatever its item and chunk sizes, as the tiled transforms rely on.
func TestTapsPathIndependentOfSplit(t *testing.T) {
	defer func(a, b, c int) { tapsMaxOut, tapsRows, tapsChunk = a, b, c }(tapsMaxOut, tapsRows, tapsChunk)
	r := rand.New(rand.NewPCG(15, 16))
	w := randSlice(r, 9*3*25)
	b := randSlice(r, 3)
	x := randTensor(r, 9, 23, 17)
	l, err := NewConvTranspose2D(9, 3, 5, 2, 2, 1, w, b)
	require.NoError(t, err)
	want := l.Forward(x)
	for _, rc := range [][2]int{{1, 1}, {2, 17}, {3, 40}, {5, 1000}, {100, 1}} {
		tapsRows, tapsChunk = rc[0], rc[1]
		require.True(t, equalBits(want.Data, l.Forward(x).Data), "rows %d, chunk %d", rc[0], rc[1])
	}
}
