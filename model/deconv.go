// This file implements the transposed 2-D convolution (PyTorch
// ConvTranspose2d semantics) as Stride² sub-pixel convolutions on the input
// grid, as specified in docs/spec.md §4.

package model

import (
	"fmt"

	"github.com/aezip/aezip/internal/gemm"
)

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
// of the input with a sub-kernel of taps K[phase + n·Stride]. The 5×5,
// stride-2 layers of g_s (padding 2, output padding 1, at least 16 input
// and output channels) compute those sub-kernels with Winograd tiles
// (winograd.go); layers with few output channels use forwardTaps.
type ConvTranspose2D struct {
	In, Out, K, Stride, Pad, OutPad int
	Weight                          []float32 // [In][Out][K][K]
	Bias                            []float32 // [Out]

	phases []deconvPhase
	// tapW holds the weights as an (Out·K·K)×In matrix for layers with few
	// output channels (see forwardTaps); nil otherwise.
	tapW []float32
	tapA *gemm.PackedA // tapW packed
	wino *winoLayer    // set when the layer is computed with winograd.go
}

// tapsMaxOut is the output channel count below which a transposed
// convolution is computed per kernel tap (forwardTaps) instead of per
// phase: a phase GEMM with so few rows (3 for the last layer of g_s) leaves
// most of the GEMM kernel's registers idle.
var tapsMaxOut = 16

// forwardTaps works on items of tapsRows input rows (plus the few rows it
// shares with the next item), and multiplies at most tapsChunk input
// positions at a time, so that its product (Out·K² rows, 300 KiB for the
// last layer of g_s) stays in L2 until it is gathered.
var (
	tapsRows  = 32
	tapsChunk = 1024
)

// tapsSplitColumns enables gatherRow's stride-2 path (contiguous adds on
// the even and odd columns); a test turns it off to compare the bits with
// the strided loop.
var tapsSplitColumns = true

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
	if k == 5 && stride == 2 && pad == 2 && outPad == 1 && min(in, out) >= max(winoMinChannels, tapsMaxOut) {
		l.wino = newWinoLayer(&deconvAxis, in, out, bias, func(o, i int) []float32 {
			return weight[(i*out+o)*25 : (i*out+o+1)*25]
		})
		return l, nil
	}
	for py := 0; py < stride; py++ {
		for px := 0; px < stride; px++ {
			l.phases = append(l.phases, l.newPhase(py, px))
		}
	}
	if out < tapsMaxOut {
		kk := k * k
		l.tapW = make([]float32, out*kk*in)
		for i := 0; i < in; i++ {
			for o := 0; o < out; o++ {
				for t := 0; t < kk; t++ {
					l.tapW[(o*kk+t)*in+i] = weight[(i*out+o)*kk+t]
				}
			}
		}
		l.tapA = gemm.PackA(out*kk, in, l.tapW, in)
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
	return deconvPhase{py: py, px: px, low: newLowered(l.Out, a, taps, 1)}
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
	if l.usesTaps() {
		l.forwardTaps(dst, x, 0)
		return
	}
	src := sourceOf(x, l.geom(x.H, x.W), 0)
	l.forward(plainSource(dst), src, post{}, 0)
	src.release()
}

// usesTaps reports whether the layer is computed by forwardTaps, from a
// plain input into a plain output, instead of by phases.
func (l *ConvTranspose2D) usesTaps() bool { return l.tapA != nil && l.Out < tapsMaxOut }

// geom returns the source layout the phases read for an h×w input: one
// source serves every phase, padded for the union of their taps and sized
// for the largest phase grid.
func (l *ConvTranspose2D) geom(h, w int) geom {
	s := l.Stride
	ho, wo := l.OutputSize(h, w)
	if l.wino != nil {
		return l.wino.geom(h, w, ho, wo)
	}
	taps := make([][]tap, len(l.phases))
	for i := range l.phases {
		taps[i] = l.phases[i].low.taps
	}
	return sourceGeom(1, h, w, ceilDiv(ho, s), ceilDiv(wo, s), taps...)
}

// deconvItem is one work item: a band of positions, numbered j·wp+i for
// grid row j and column i, of the phases of one output row parity py.
type deconvItem struct {
	py     int
	q0, q1 int
}

// forward computes the layer by phases on src, laid out as geom gives,
// applies pp and stores the result into dst, whose padding must be zero, on
// up to workers goroutines (see parallelFor).
func (l *ConvTranspose2D) forward(dst, src *source, pp post, workers int) {
	s := l.Stride
	ho, wo := l.OutputSize(src.h, src.w)
	if l.wino != nil {
		l.wino.forward(dst, src, ho, wo, pp, workers)
		return
	}
	wp := src.wp
	off := make([][]int, len(l.phases))
	for i := range l.phases {
		off[i] = src.offsets(l.phases[i].low.taps)
	}
	// Phase column grids: phase px covers output columns px+s·i, i < gw[px].
	gw := make([]int, s)
	for px := range gw {
		gw[px] = max(ceilDiv(wo-px, s), 0)
	}
	// An item computes every column phase of a band of one row phase, so
	// that each output row is written whole while it is in cache.
	var items []deconvItem
	cols := bandCols
	for py := 0; py < s; py++ {
		gh := ceilDiv(ho-py, s)
		if gh <= 0 {
			continue
		}
		total := (gh-1)*wp + gw[0]
		for q0 := 0; q0 < total; q0 += cols {
			items = append(items, deconvItem{py: py, q0: q0, q1: min(q0+cols, total)})
		}
	}
	band := l.Out * cols
	parallelFor(workers, len(items), s*band+pp.scratchLen(l.Out, cols), func(i int, buf []float32) {
		it := &items[i]
		n := it.q1 - it.q0
		for px := 0; px < s; px++ {
			if gw[px] == 0 {
				continue
			}
			c := buf[px*band : px*band+l.Out*n]
			fillBias(c, l.Bias, n)
			ph := &l.phases[it.py*s+px]
			ph.low.band(c, n, src, off[it.py*s+px], it.q0, it.q1)
			pp.apply(c, l.Out, n, buf[s*band:])
		}
		// Interleave the column phases into output rows py+s·j.
		for q := it.q0; q < it.q1; {
			j := q / wp
			i0 := q - j*wp
			i1 := min(wp, i0+it.q1-q)
			for o := 0; o < l.Out; o++ {
				if s == 2 && dst.step == 1 && gw[1] > 0 {
					// Both column phases at once, in vector registers.
					w0, w1 := max(min(i1, gw[0])-i0, 0), max(min(i1, gw[1])-i0, 0)
					a := buf[o*n+q-it.q0:][:w0]
					b := buf[band+o*n+q-it.q0:][:w1]
					dst.store2(o, it.py+2*j, 2*i0, a, b)
					continue
				}
				for px := 0; px < s; px++ {
					if w := min(i1, gw[px]); i0 < w {
						dst.store(o, it.py+s*j, px+s*i0, s, buf[px*band+o*n+q-it.q0:][:w-i0])
					}
				}
			}
			q += i1 - i0
		}
	})
}

// forwardTaps computes the layer as GEMMs over chunks of input rows,
// giving the product of every kernel tap with every input pixel,
// T[(o,ky,kx)][iy][ix] = Σ_i Weight[i][o][ky][kx]·in[i][iy][ix], followed by
// a gather that adds, for each output pixel, the taps that land on it in
// (ky, kx) order: input rows are visited from the bottom up, because a
// larger ky reaches the same output row from a smaller iy. Work items are
// bands of output rows; each recomputes the few input rows it shares with
// its neighbours, so no two items write the same output and the sums do not
// depend on the split.
func (l *ConvTranspose2D) forwardTaps(dst, x *Tensor, workers int) {
	s, p, k := l.Stride, l.Pad, l.K
	rows := l.Out * k * k
	rowsOut := max(1, tapsRows) * s
	chunk := max(1, tapsChunk/x.W) // input rows per product
	nb := ceilDiv(dst.H, rowsOut)
	hw, ohw := x.H*x.W, dst.H*dst.W
	planes := make([]int, l.In)
	for i := range planes {
		planes[i] = i * hw
	}
	parallelFor(workers, nb, rows*chunk*x.W+dst.W+1, func(b int, buf []float32) {
		buf, rowBuf := buf[:rows*chunk*x.W], buf[rows*chunk*x.W:]
		v0, v1 := b*rowsOut, min((b+1)*rowsOut, dst.H)
		for o := 0; o < l.Out; o++ {
			gemm.Fill(dst.Data[o*ohw+v0*dst.W:o*ohw+v1*dst.W], l.Bias[o])
		}
		// Input rows whose taps reach output rows [v0, v1).
		i0 := max(ceilDiv(v0+p-k+1, s), 0)
		i1 := min(floorDiv(v1-1+p, s)+1, x.H)
		for c1 := i1; c1 > i0; c1 -= chunk {
			c0 := max(c1-chunk, i0)
			n := (c1 - c0) * x.W
			t := buf[:rows*n]
			clear(t)
			gemm.SgemmRows(l.tapA, n, x.Data[c0*x.W:], planes, t, n)
			for iy := c1 - 1; iy >= c0; iy-- {
				l.gatherRow(dst, x.W, t, n, (iy-c0)*x.W, iy, v0, v1, rowBuf)
			}
		}
	})
}

// gatherRow adds the taps of input row iy, held in t (rows of n values,
// the row starting at offset r), to the output rows in [v0, v1). With
// stride 2 an output row is split into its even and odd columns (in buf,
// at least dst.W+1 floats), where each tap is a contiguous vector add,
// and put back together; every output still receives its taps one by
// one in the same order (kx ascending), so the sums have the same bits as
// the strided loop.
func (l *ConvTranspose2D) gatherRow(dst *Tensor, w int, t []float32, n, r, iy, v0, v1 int, buf []float32) {
	s, p, k := l.Stride, l.Pad, l.K
	ohw := dst.H * dst.W
	split := s == 2 && tapsSplitColumns
	even, odd := buf[:(dst.W+1)/2], buf[(dst.W+1)/2:][:dst.W/2]
	for o := 0; o < l.Out; o++ {
		plane := dst.Data[o*ohw : (o+1)*ohw]
		for ky := 0; ky < k; ky++ {
			v := iy*s - p + ky
			if v < v0 || v >= v1 {
				continue
			}
			row := plane[v*dst.W : (v+1)*dst.W]
			if split {
				gemm.Deinterleave2(even, odd, row)
			}
			for kx := 0; kx < k; kx++ {
				// Input columns whose output column ix·s−p+kx is inside.
				x0 := max(ceilDiv(p-kx, s), 0)
				x1 := min(floorDiv(dst.W-1+p-kx, s)+1, w)
				if x0 >= x1 {
					continue
				}
				src := t[((o*k+ky)*k+kx)*n+r:][x0:x1]
				c0 := x0*s - p + kx
				if split {
					half := even
					if c0%2 == 1 {
						half = odd
					}
					gemm.AddScaledRows(half[c0/2:], len(src), src, len(src), 1, 1, len(src))
					continue
				}
				out := row[c0:]
				_ = out[(len(src)-1)*s]
				for j, val := range src {
					out[j*s] += val
				}
			}
			if split {
				gemm.Interleave2(row, even, odd)
			}
		}
	}
}
