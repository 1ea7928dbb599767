// This file implements the 2-D convolution (PyTorch Conv2d semantics) and the
// im2col + GEMM lowering shared with the transposed convolution, as specified
// in docs/spec.md §4.

package model

import (
	"fmt"
	"math"

	"github.com/aezip/aezip/internal/gemm"
)

// Work is split into bands of bandCols output positions and, within a band,
// into chunks of kChunk im2col rows, so that one im2col chunk (256×512
// floats, 512 KiB) stays in a core's L2 cache while the GEMM packs it, and the
// GEMM packs each weight block once per 512 columns. Both sizes depend only
// on the layer shape, never on the number of goroutines. kChunk is a
// multiple of the GEMM's k blocking, so chunking does not change the
// summation order either.
var (
	bandCols = 512
	kChunk   = 256
)

// tap is one row of an im2col matrix: input channel c, sampled at
// (y·step+dy, x·step+dx) for output position (y, x).
type tap struct{ c, dy, dx int }

// lowered is a convolution written as a GEMM:
// out[o][y][x] = Σ_r a[o][r] · in[taps[r].c][y·step+taps[r].dy][x·step+taps[r].dx],
// where input samples outside the image are zero.
type lowered struct {
	rows int       // output channels: GEMM m
	a    []float32 // rows × len(taps), row-major
	taps []tap
	step int
	// direct is set when the im2col matrix is the input itself wherever the
	// output grid matches the input grid (1×1 kernel, stride 1, no
	// padding), so the GEMM can read the input in place.
	direct bool
}

func newLowered(rows int, a []float32, taps []tap, step, in int) lowered {
	l := lowered{rows: rows, a: a, taps: taps, step: step}
	if step == 1 && len(taps) == in {
		l.direct = true
		for r, t := range taps {
			if t.c != r || t.dy != 0 || t.dx != 0 {
				l.direct = false
				break
			}
		}
	}
	return l
}

// scratchLen is the im2col chunk size for a band of n columns.
func (l *lowered) scratchLen(n int) int {
	return min(len(l.taps), kChunk) * n
}

// band adds the layer's GEMM result for output positions [q0, q1) of a
// grid wo wide (positions in raster order) to c, whose rows (one per output
// channel) have stride ldc.
func (l *lowered) band(c []float32, ldc int, x *Tensor, q0, q1, wo int, scratch []float32) {
	k, n := len(l.taps), q1-q0
	if k == 0 || n == 0 {
		return
	}
	if l.direct && wo == x.W && q1 <= x.H*x.W {
		gemm.Sgemm(l.rows, n, k, l.a, k, x.Data[q0:], x.H*x.W, c, ldc)
		return
	}
	for r0 := 0; r0 < k; r0 += kChunk {
		r1 := min(r0+kChunk, k)
		b := scratch[:(r1-r0)*n]
		l.im2col(b, x, l.taps[r0:r1], q0, q1, wo)
		gemm.Sgemm(l.rows, n, r1-r0, l.a[r0:], k, b, n, c, ldc)
	}
}

// im2col fills b (one row per tap, q1-q0 columns) with the input samples
// of output positions [q0, q1).
func (l *lowered) im2col(b []float32, x *Tensor, taps []tap, q0, q1, wo int) {
	n, s, hw := q1-q0, l.step, x.H*x.W
	for r, t := range taps {
		row := b[r*n : (r+1)*n]
		plane := x.Data[t.c*hw : (t.c+1)*hw]
		// Output columns whose input column t.dx + ox·s lies inside the image.
		xlo := max(ceilDiv(-t.dx, s), 0)
		xhi := min(floorDiv(x.W-1-t.dx, s)+1, wo)
		j := 0
		for q := q0; q < q1; {
			oy := q / wo
			ox0 := q - oy*wo
			ox1 := min(wo, ox0+q1-q)
			seg := row[j : j+ox1-ox0]
			j += ox1 - ox0
			q += ox1 - ox0
			iy := oy*s + t.dy
			lo, hi := max(ox0, xlo), min(ox1, xhi)
			if iy < 0 || iy >= x.H || lo >= hi {
				clear(seg)
				continue
			}
			clear(seg[:lo-ox0])
			clear(seg[hi-ox0:])
			d := seg[lo-ox0 : hi-ox0]
			src := plane[iy*x.W+lo*s+t.dx:]
			if s == 1 {
				copy(d, src[:len(d)])
				continue
			}
			_ = src[(len(d)-1)*s]
			for i := range d {
				d[i] = src[i*s]
			}
		}
	}
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func ceilDiv(a, b int) int { return -floorDiv(-a, b) }

// Conv2D is a PyTorch Conv2d with square kernel, equal stride and padding in
// both directions, dilation 1 and one group:
//
//	out[o][y][x] = Bias[o] + Σ_{i,ky,kx} Weight[o][i][ky][kx] · in[i][y·Stride−Pad+ky][x·Stride−Pad+kx]
//
// with zero padding outside the input.
type Conv2D struct {
	In, Out, K, Stride, Pad int
	Weight                  []float32 // [Out][In][K][K]
	Bias                    []float32 // [Out]

	low lowered
}

// NewConv2D returns a Conv2D over the given PyTorch-layout weight and bias,
// which it keeps (does not copy). It returns a *ParamError if a size is out of
// range or a slice does not match the shape.
func NewConv2D(in, out, k, stride, pad int, weight, bias []float32) (*Conv2D, error) {
	if err := checkLayerDims(in, out, k, stride, pad); err != nil {
		return nil, err
	}
	if err := checkLen("weight", weight, out, in, k, k); err != nil {
		return nil, err
	}
	if err := checkLen("bias", bias, out); err != nil {
		return nil, err
	}
	l := &Conv2D{In: in, Out: out, K: k, Stride: stride, Pad: pad, Weight: weight, Bias: bias}
	taps := make([]tap, 0, in*k*k)
	for i := 0; i < in; i++ {
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				taps = append(taps, tap{c: i, dy: ky - pad, dx: kx - pad})
			}
		}
	}
	l.low = newLowered(out, weight, taps, stride, in)
	return l, nil
}

// maxLayerDim bounds channel counts, kernel sizes, strides and padding so
// that products of them cannot overflow and absurd models fail early.
const maxLayerDim = 1 << 14

func checkLayerDims(in, out, k, stride, pad int) error {
	switch {
	case in <= 0 || in > maxLayerDim || out <= 0 || out > maxLayerDim:
		return &ParamError{Reason: fmt.Sprintf("channel counts %d→%d out of range", in, out)}
	case k <= 0 || k > 64:
		return &ParamError{Reason: fmt.Sprintf("kernel size %d out of range", k)}
	case stride <= 0 || stride > 64:
		return &ParamError{Reason: fmt.Sprintf("stride %d out of range", stride)}
	case pad < 0 || pad > 64:
		return &ParamError{Reason: fmt.Sprintf("padding %d out of range", pad)}
	}
	return nil
}

func checkLen(name string, v []float32, shape ...int) error {
	n := int64(1) // int64: the product of four dimensions overflows int on 32-bit platforms
	for _, d := range shape {
		n *= int64(d)
	}
	if int64(len(v)) != n {
		return &ParamError{Name: name, Reason: fmt.Sprintf("%d values, want shape %v", len(v), shape)}
	}
	for _, f := range v {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return &ParamError{Name: name, Reason: "not finite"}
		}
	}
	return nil
}

// OutputSize returns the output height and width for an h×w input,
// ⌊(h+2·Pad−K)/Stride⌋+1 (and likewise for w), or zero when the padded
// input is smaller than the kernel.
func (l *Conv2D) OutputSize(h, w int) (int, int) {
	return convOut(h, l.K, l.Stride, l.Pad), convOut(w, l.K, l.Stride, l.Pad)
}

func convOut(n, k, s, p int) int {
	if n+2*p < k {
		return 0
	}
	return (n+2*p-k)/s + 1
}

// Forward returns the convolution of x in a new tensor.
func (l *Conv2D) Forward(x *Tensor) *Tensor {
	dst := &Tensor{}
	l.ForwardTo(dst, x)
	return dst
}

// ForwardTo writes the convolution of x to dst, reshaping dst with
// [Tensor.Reset] when its shape differs. dst must not share storage with x.
// It panics with a "model: " message if x does not have In channels or is
// smaller than the kernel.
func (l *Conv2D) ForwardTo(dst, x *Tensor) {
	if x.C != l.In {
		panic(fmt.Sprintf("model: Conv2D input has %d channels, want %d", x.C, l.In))
	}
	ho, wo := l.OutputSize(x.H, x.W)
	if ho <= 0 || wo <= 0 {
		panic(fmt.Sprintf("model: Conv2D input %d×%d smaller than kernel %d", x.H, x.W, l.K))
	}
	checkAlias(dst, x)
	if !dst.sameShape(l.Out, ho, wo) {
		dst.Reset(l.Out, ho, wo)
	}
	l.forward(dst, x)
}

// forward computes into a dst of the right shape whose contents are
// overwritten.
func (l *Conv2D) forward(dst, x *Tensor) {
	hw := dst.H * dst.W
	cols := bandCols
	nb := (hw + cols - 1) / cols
	parallelFor(nb, l.low.scratchLen(cols), func(i int, scratch []float32) {
		q0, q1 := i*cols, min((i+1)*cols, hw)
		for o := 0; o < l.Out; o++ {
			seg := dst.Data[o*hw+q0 : o*hw+q1]
			for j := range seg {
				seg[j] = l.Bias[o]
			}
		}
		l.low.band(dst.Data[q0:], hw, x, q0, q1, dst.W, scratch)
	})
}

func checkAlias(dst, x *Tensor) {
	if len(dst.Data) > 0 && len(x.Data) > 0 && &dst.Data[:cap(dst.Data)][cap(dst.Data)-1] == &x.Data[:cap(x.Data)][cap(x.Data)-1] {
		panic("model: destination shares storage with the input")
	}
}
