// This file implements the 2-D convolution (PyTorch Conv2d semantics), as
// specified in docs/spec.md §4, lowered to a GEMM by lower.go.

package model

import (
	"fmt"
	"math"
	"sync"
)

// Conv2D is a PyTorch Conv2d with square kernel, equal stride and padding in
// both directions, dilation 1 and one group:
//
//	out[o][y][x] = Bias[o] + Σ_{i,ky,kx} Weight[o][i][ky][kx] · in[i][y·Stride−Pad+ky][x·Stride−Pad+kx]
//
// with zero padding outside the input. A 5×5, stride-2, padding-2 layer
// with at least 16 input and output channels is computed with Winograd
// tiles (winograd.go), any other one as a GEMM over its taps (lower.go).
type Conv2D struct {
	In, Out, K, Stride, Pad int
	Weight                  []float32 // [Out][In][K][K]
	Bias                    []float32 // [Out]

	low  lowered
	wino *winoLayer // set when the layer is computed with winograd.go

	// tile4 marks a Winograd layer whose bfloat16 products use the larger
	// tiles of winograd4.go (g_a.2 of an analysis); w4 builds them once.
	tile4 bool
	w4    struct {
		once sync.Once
		l    *wino4Layer
	}
}

// useTile4 reports whether the layer computes with winograd4.go when its
// products run in bfloat16 (bf16): tile4 layers with pairs of input
// channels.
func (l *Conv2D) useTile4(bf16 bool) bool {
	return bf16 && l.tile4 && l.wino != nil && l.In%2 == 0
}

// wino4 returns the layer's wino4Layer, building it on up to workers
// goroutines the first time.
func (l *Conv2D) wino4(workers int) *wino4Layer {
	l.w4.once.Do(func() {
		l.w4.l = newWino4Layer(l.In, l.Out, l.Bias, func(o, i int) []float32 {
			return l.Weight[(o*l.In+i)*25 : (o*l.In+i+1)*25]
		}, workers)
	})
	return l.w4.l
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
	if k == 5 && stride == 2 && pad == 2 && min(in, out) >= winoMinChannels {
		l.wino = newWinoLayer(&convAxis, in, out, bias, func(o, i int) []float32 {
			return weight[(o*in+i)*25 : (o*in+i+1)*25]
		})
		return l, nil
	}
	taps := make([]tap, 0, in*k*k)
	for i := 0; i < in; i++ {
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				taps = append(taps, tap{c: i, dy: ky - pad, dx: kx - pad})
			}
		}
	}
	l.low = newLowered(out, weight, taps, stride)
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
	src := sourceOf(x, l.geom(x.H, x.W, false), 0)
	l.forward(plainSource(dst), src, post{}, 0)
	src.release()
}

// geom returns the source layout the layer reads for an h×w input, with
// products in bfloat16 if bf16.
func (l *Conv2D) geom(h, w int, bf16 bool) geom {
	ho, wo := l.OutputSize(h, w)
	if l.useTile4(bf16) {
		return tile4Geom(h, w, ho, wo)
	}
	if l.wino != nil {
		return l.wino.geom(h, w, ho, wo)
	}
	return sourceGeom(l.Stride, h, w, ho, wo, l.low.taps)
}

// forward computes the layer on src, laid out as geom gives, applies pp
// and stores the result into dst, whose padding must be zero, on up to
// workers goroutines (see parallelFor).
func (l *Conv2D) forward(dst, src *source, pp post, workers int) {
	ho, wo := l.OutputSize(src.h, src.w)
	if l.useTile4(pp.bf16) {
		l.wino4(workers).forward(dst, src, ho, wo, pp, workers)
		return
	}
	if l.wino != nil {
		l.wino.forward(dst, src, ho, wo, pp, workers)
		return
	}
	wp := src.wp
	off := src.offsets(l.low.taps)
	// Positions are numbered y·wp+x; the last one needed is the last
	// column of the last row.
	total := (ho-1)*wp + wo
	cols := bandSize(total, bandCols)
	nb := ceilDiv(total, cols)
	parallelFor(workers, nb, l.Out*cols+pp.scratchLen(l.Out, cols), func(i int, buf []float32) {
		q0, q1 := i*cols, min((i+1)*cols, total)
		n := q1 - q0
		c := buf[:l.Out*n]
		fillBias(c, l.Bias, n)
		if pp.bf16 {
			l.low.bandBF16(c, n, src, off, q0, q1)
		} else {
			l.low.band(c, n, src, off, q0, q1)
		}
		pp.apply(c, l.Out, n, buf[l.Out*n:])
		// Store the positions inside the output, row segment by segment.
		for q := q0; q < q1; {
			y := q / wp
			x0 := q - y*wp
			x1 := min(wp, x0+q1-q)
			if w := min(x1, wo); x0 < w {
				dst.storeRows(l.Out, y, x0, c[q-q0:], n, w-x0)
			}
			q += x1 - x0
		}
	})
}

func checkAlias(dst, x *Tensor) {
	if len(dst.Data) > 0 && len(x.Data) > 0 && &dst.Data[:cap(dst.Data)][cap(dst.Data)-1] == &x.Data[:cap(x.Data)][cap(x.Data)-1] {
		panic("model: destination shares storage with the input")
	}
}
