// This file implements the transposed 2-D convolution (PyTorch
// ConvTranspose2d semantics) as Stride² sub-pixel convolutions on the input
// grid, as specified in docs/spec.md §4.

package model

import "fmt"

// ConvTranspose2D is a PyTorch ConvTranspose2d with square kernel, equal
// stride, padding and output padding in both directions, dilation 1 and one
// group. Every input element scatters into the output:
//
//	out[o][y·Stride−Pad+ky][x·Stride−Pad+kx] += in[i][y][x] · Weight[i][o][ky][kx]
//
// keeping only positions inside the Hout×Wout output, where
// Hout = (H−1)·Stride − 2·Pad + K + OutPad; Bias[o] is added once.
//
// It is computed without a zero-upsampled grid: output positions of one
// phase (y mod Stride, x mod Stride) form an ordinary stride-1 convolution
// of the input with a sub-kernel of taps K[phase + n·Stride].
type ConvTranspose2D struct {
	In, Out, K, Stride, Pad, OutPad int
	Weight                          []float32 // [In][Out][K][K]
	Bias                            []float32 // [Out]

	phases []deconvPhase
}

// deconvPhase is the convolution producing output rows py+Stride·j and
// columns px+Stride·i.
type deconvPhase struct {
	py, px int
	low    lowered
}

// NewConvTranspose2D returns a ConvTranspose2D over the given PyTorch-layout
// weight and bias, which it keeps. It returns a *ParamError if a size is out
// of range (including outPad ≥ stride, which PyTorch rejects too) or a slice
// does not match the shape.
func NewConvTranspose2D(in, out, k, stride, pad, outPad int, weight, bias []float32) (*ConvTranspose2D, error) {
	if err := checkLayerDims(in, out, k, stride, pad); err != nil {
		return nil, err
	}
	if outPad < 0 || outPad >= stride {
		return nil, &ParamError{Reason: fmt.Sprintf("output padding %d not in [0, stride %d)", outPad, stride)}
	}
	if err := checkLen("weight", weight, in, out, k, k); err != nil {
		return nil, err
	}
	if err := checkLen("bias", bias, out); err != nil {
		return nil, err
	}
	l := &ConvTranspose2D{In: in, Out: out, K: k, Stride: stride, Pad: pad, OutPad: outPad, Weight: weight, Bias: bias}
	for py := 0; py < stride; py++ {
		for px := 0; px < stride; px++ {
			l.phases = append(l.phases, l.newPhase(py, px))
		}
	}
	return l, nil
}

// newPhase packs the sub-kernel of phase (py, px). Output row
// oy = py + s·j receives kernel rows ky ≡ py+p (mod s), ky = ky0 + s·t, from
// input rows iy = (oy+p−ky)/s = j + (py+p−ky0)/s − t.
func (l *ConvTranspose2D) newPhase(py, px int) deconvPhase {
	s, p, k := l.Stride, l.Pad, l.K
	ky0, kx0 := (py+p)%s, (px+p)%s
	dy, dx := (py+p-ky0)/s, (px+p-kx0)/s
	ty, tx := ceilDiv(k-ky0, s), ceilDiv(k-kx0, s)
	ty, tx = max(ty, 0), max(tx, 0)
	kd := l.In * ty * tx
	taps := make([]tap, 0, kd)
	a := make([]float32, l.Out*kd)
	for i := 0; i < l.In; i++ {
		for a1 := 0; a1 < ty; a1++ {
			for b1 := 0; b1 < tx; b1++ {
				r := len(taps)
				taps = append(taps, tap{c: i, dy: dy - a1, dx: dx - b1})
				ky, kx := ky0+s*a1, kx0+s*b1
				for o := 0; o < l.Out; o++ {
					a[o*kd+r] = l.Weight[((i*l.Out+o)*k+ky)*k+kx]
				}
			}
		}
	}
	return deconvPhase{py: py, px: px, low: newLowered(l.Out, a, taps, 1, l.In)}
}

// OutputSize returns the output height and width for an h×w input,
// (h−1)·Stride − 2·Pad + K + OutPad (and likewise for w), or zero when that
// is not positive.
func (l *ConvTranspose2D) OutputSize(h, w int) (int, int) {
	return deconvOut(h, l.K, l.Stride, l.Pad, l.OutPad), deconvOut(w, l.K, l.Stride, l.Pad, l.OutPad)
}

func deconvOut(n, k, s, p, op int) int {
	if n <= 0 {
		return 0
	}
	return max((n-1)*s-2*p+k+op, 0)
}

// Forward returns the transposed convolution of x in a new tensor.
func (l *ConvTranspose2D) Forward(x *Tensor) *Tensor {
	dst := &Tensor{}
	l.ForwardTo(dst, x)
	return dst
}

// ForwardTo writes the transposed convolution of x to dst, reshaping dst
// with [Tensor.Reset] when its shape differs. dst must not share storage with
// x. It panics with a "model: " message if x does not have In channels or the
// output would be empty.
func (l *ConvTranspose2D) ForwardTo(dst, x *Tensor) {
	if x.C != l.In {
		panic(fmt.Sprintf("model: ConvTranspose2D input has %d channels, want %d", x.C, l.In))
	}
	ho, wo := l.OutputSize(x.H, x.W)
	if ho <= 0 || wo <= 0 {
		panic(fmt.Sprintf("model: ConvTranspose2D input %d×%d gives an empty output", x.H, x.W))
	}
	checkAlias(dst, x)
	if !dst.sameShape(l.Out, ho, wo) {
		dst.Reset(l.Out, ho, wo)
	}
	l.forward(dst, x)
}

// deconvItem is one work item: a band of positions of one phase grid.
type deconvItem struct {
	ph         *deconvPhase
	gh, gw     int // phase grid size
	q0, q1     int
	scratchLen int
}

func (l *ConvTranspose2D) forward(dst, x *Tensor) {
	s := l.Stride
	var items []deconvItem
	scratch := 0
	for i := range l.phases {
		ph := &l.phases[i]
		gh, gw := ceilDiv(dst.H-ph.py, s), ceilDiv(dst.W-ph.px, s)
		if gh <= 0 || gw <= 0 {
			continue
		}
		cols := bandCols
		for q0 := 0; q0 < gh*gw; q0 += cols {
			it := deconvItem{ph: ph, gh: gh, gw: gw, q0: q0, q1: min(q0+cols, gh*gw)}
			n := it.q1 - it.q0
			it.scratchLen = ph.low.scratchLen(n) + l.Out*n
			scratch = max(scratch, it.scratchLen)
			items = append(items, it)
		}
	}
	hw := dst.H * dst.W
	parallelFor(len(items), scratch, func(i int, buf []float32) {
		it := &items[i]
		n := it.q1 - it.q0
		c := buf[:l.Out*n]
		for o := 0; o < l.Out; o++ {
			row := c[o*n : (o+1)*n]
			for j := range row {
				row[j] = l.Bias[o]
			}
		}
		it.ph.low.band(c, n, x, it.q0, it.q1, it.gw, buf[l.Out*n:])
		// Scatter the phase grid back to every Stride-th output position.
		for o := 0; o < l.Out; o++ {
			row := c[o*n : (o+1)*n]
			plane := dst.Data[o*hw : (o+1)*hw]
			for q := it.q0; q < it.q1; {
				j := q / it.gw
				i0 := q - j*it.gw
				i1 := min(it.gw, i0+it.q1-q)
				out := plane[(it.ph.py+s*j)*dst.W+it.ph.px:]
				src := row[q-it.q0 : q-it.q0+i1-i0]
				_ = out[(i1-1)*s]
				for k, v := range src {
					out[(i0+k)*s] = v
				}
				q += i1 - i0
			}
		}
	})
}
