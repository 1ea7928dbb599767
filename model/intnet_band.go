// This file implements the evaluation of the integer hyper-synthesis
// (docs/spec.md §5.4): every layer reads zero-padded int16 planes through
// a table of row offsets (no im2col copy), a stride-2 transposed layer runs
// as four stride-1 convolutions, one per output phase, and bands of output
// positions run on the workers, each with its own int64 accumulators.
// Integer sums are exact, so neither the band split nor the worker count
// changes a bit of the result.

package model

import (
	"runtime"
	"sync"

	"github.com/aezip/aezip/internal/gemm"
)

// intBand is the number of output positions (of the padded row-major grid)
// that one work item computes: a multiple of every kernel's tile width.
const intBand = 256

// intPhase is one output phase of a layer: a stride-1 convolution with
// taps at offsets (dy, dx) in {-1, 0, 1}² of the input whose outputs land
// at (2y+py, 2x+px) for a transposed layer and at (y, x) otherwise.
type intPhase struct {
	py, px int
	dy, dx []int // per tap
	pa     *gemm.PackedI16
}

// phases packs the layer's weights, one matrix [Out][In·taps] per phase
// with k index i·taps+t, so that each input group of groupSize channels is
// one contiguous k range (groupSize·taps values, exact in int32 by the
// accumulator bound on that phase).
func (l *IntLayer) phases() []intPhase {
	if !l.Transposed {
		p := intPhase{}
		var kt []int
		for ky := 0; ky < 3; ky++ {
			for kx := 0; kx < 3; kx++ {
				p.dy, p.dx = append(p.dy, ky-1), append(p.dx, kx-1)
				kt = append(kt, ky*3+kx)
			}
		}
		acol := make([]int, 0, l.In*9)
		for i := 0; i < l.In; i++ {
			for _, t := range kt {
				acol = append(acol, i*9+t)
			}
		}
		p.pa = gemm.PackI16Groups(l.Out, groupSize*9, l.Weight, l.In*9, acol)
		return []intPhase{p}
	}
	// Output 2y+py reads input y+dy through tap ky = py+2-2dy (ky ≡ py
	// mod 2, 0 ≤ ky < 5); likewise along x.
	ph := make([]intPhase, 0, 4)
	for py := 0; py < 2; py++ {
		for px := 0; px < 2; px++ {
			p := intPhase{py: py, px: px}
			var kt []int
			for ky := py; ky < 5; ky += 2 {
				for kx := px; kx < 5; kx += 2 {
					p.dy, p.dx = append(p.dy, (py+2-ky)/2), append(p.dx, (px+2-kx)/2)
					kt = append(kt, ky*5+kx)
				}
			}
			acol := make([]int, 0, l.In*len(kt))
			for i := 0; i < l.In; i++ {
				for _, t := range kt {
					acol = append(acol, i*l.Out*25+t)
				}
			}
			p.pa = gemm.PackI16Groups(l.Out, groupSize*len(kt), l.Weight, 25, acol)
			ph = append(ph, p)
		}
	}
	return ph
}

// phasesOf returns layer li's phases: those packed by check when they were
// packed for the kernel family active now, else new ones.
func (h *IntHyperSynthesis) phasesOf(li int) []intPhase {
	if p := h.packed[li]; len(p) > 0 && p[0].pa.Kernel() == gemm.ActiveKernel() {
		return p
	}
	return h.Layers[li].phases()
}

// run evaluates h_s on up to workers goroutines and returns the last
// layer's int32 outputs (M planes of scales, then M of means) and, if
// withIdx, the scale index of every scale.
func (h *IntHyperSynthesis) run(zhat []int32, hz, wz, workers int, withIdx bool) ([]int32, []uint8) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	in := make([]int16, h.N*(hz+2)*(wz+2))
	pw := wz + 2
	for c := 0; c < h.N; c++ {
		for y := 0; y < hz; y++ {
			dst := in[(c*(hz+2)+y+1)*pw+1:][:wz]
			for x, v := range zhat[(c*hz+y)*wz:][:wz] {
				dst[x] = clamp16(int64(v))
			}
		}
	}
	hi, wi := hz, wz
	for li := 0; li < 2; li++ {
		l := &h.Layers[li]
		ho, wo := 2*hi, 2*wi
		next := make([]int16, l.Out*(ho+2)*(wo+2))
		slope := h.SlopeQ16
		l.run(h.phasesOf(li), in, hi, wi, workers, func(o, oy, ox, step int, v []int64) {
			dst := next[(o*(ho+2)+oy+1)*(wo+2)+ox+1:]
			gemm.RequantI16(dst, step, v, l.Mult[o], l.Shift[o], l.Leaky, slope)
		})
		in, hi, wi = next, ho, wo
	}
	l := &h.Layers[2]
	plane := hi * wi
	raw := make([]int32, l.Out*plane)
	var idx []uint8
	var si *scaleIndexer
	if withIdx {
		idx = make([]uint8, h.M*plane)
		si = h.indexer()
	}
	l.run(h.phasesOf(2), in, hi, wi, workers, func(o, oy, ox, step int, v []int64) {
		j0 := o*plane + oy*wi + ox
		dst := raw[j0 : j0+len(v)]
		gemm.RequantI32(dst, v, l.Mult[o], l.Shift[o])
		if withIdx && o < h.M {
			for j, r := range dst {
				idx[j0+j] = uint8(si.index(r))
			}
		}
	})
	return raw, idx
}

// run computes the layer, whose phases are ph, on the padded int16 input (l.In planes of
// (hi+2)×(wi+2), zero border) and hands the outputs' exact accumulators,
// bias included, to store: v[j] is output (oy, ox+j·step) of channel o.
// Each output is stored exactly once, from one goroutine.
func (l *IntLayer) run(ph []intPhase, in []int16, hi, wi, workers int, store func(o, oy, ox, step int, v []int64)) {
	pw := wi + 2
	plane := (hi + 2) * pw
	// Position q = y·pw + x of the input grid; the last one needed is the
	// last column of the last row. Tap (dy, dx) of input i reads position
	// q at in[i·plane + (dy+1)·pw + dx+1 + q].
	total := (hi-1)*pw + wi
	nb := (total + intBand - 1) / intBand
	brows := make([][]int, len(ph))
	for pi := range ph {
		p := &ph[pi]
		taps := len(p.dy)
		br := make([]int, l.In*taps)
		for i := 0; i < l.In; i++ {
			for t := 0; t < taps; t++ {
				br[i*taps+t] = i*plane + (p.dy[t]+1)*pw + p.dx[t] + 1
			}
		}
		brows[pi] = br
	}
	parallelInt(workers, len(ph)*nb, l.Out*intBand, func(item int, c []int64) {
		p := &ph[item/nb]
		b := item % nb
		q0, q1 := b*intBand, min((b+1)*intBand, total)
		n := q1 - q0
		c = c[:l.Out*n]
		for o := 0; o < l.Out; o++ {
			// Doubling copies: vector stores, unlike a loop of scalar ones.
			row := c[o*n : (o+1)*n]
			row[0] = int64(l.Bias[o])
			for k := 1; k < n; k *= 2 {
				copy(row[k:], row[:k])
			}
		}
		gemm.DotI16Groups(p.pa, n, in[q0:], brows[item/nb], c, n)
		// Hand over the positions inside the output, row segment by
		// segment; an input x of the grid gives output x·s+px.
		s := 1
		if l.Transposed {
			s = 2
		}
		for q := q0; q < q1; {
			y, x0 := q/pw, q%pw
			x1 := min(pw, x0+q1-q)
			if w := min(x1, wi); x0 < w {
				for o := 0; o < l.Out; o++ {
					store(o, y*s+p.py, x0*s+p.px, s, c[o*n+q-q0:][:w-x0])
				}
			}
			q += x1 - x0
		}
	})
}

// parallelInt calls fn(i, scratch) for every i in [0, n) on up to workers
// goroutines, each with its own scratch of scratchLen int64s (from a pool:
// 0.8 MB per worker and layer, allocated and cleared anew for every
// image before; the items fill what they use first). Items write disjoint
// outputs, so the result does not depend on the scheduling.
func parallelInt(workers, n, scratchLen int, fn func(i int, scratch []int64)) {
	get := func() *[]int64 {
		if p, ok := intScratch.Get().(*[]int64); ok && cap(*p) >= scratchLen {
			*p = (*p)[:scratchLen]
			return p
		}
		s := make([]int64, scratchLen)
		return &s
	}
	parallelItems(max(workers, 1), n, get, func(p *[]int64) { intScratch.Put(p) },
		func(i int, p *[]int64) { fn(i, *p) })
}

// intScratch pools parallelInt's scratch buffers.
var intScratch sync.Pool
