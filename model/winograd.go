// This file implements the 5×5, stride-2 convolutions and transposed
// convolutions of g_a, g_s and h_a with Winograd's minimal filtering
// algorithms, which need about half the multiplications of the direct
// sum (docs/speed.md).
//
// Along one axis a stride-2 layer is two stride-1 convolutions: the even
// kernel taps (3 of them) and the odd ones (2) act on separate phases of
// the input (a convolution) or produce separate phases of the output (a
// transposed convolution). Each is computed for two neighbouring outputs
// with Winograd's F(2,3) (4 products instead of 6) and F(2,2) (3 instead of
// 4), so one axis of a tile takes 7 products instead of 10, and a 2-D tile
// 49 instead of 100. For each of the 49 products the tile's inputs are
// combined (input transform), multiplied by a transformed kernel as one
// GEMM over channels, and added into the tile's outputs (output
// transform). The transforms' coefficients are 0 and ±1, so they add
// without rounding error of their own; the transformed kernels hold
// halves.
//
// F(2,3) and F(2,2) with the points 0, ±1 and ∞ have a property the
// tiling relies on: each of a tile's outputs is computed only from the
// inputs in its own receptive field. Only the position of an output inside
// its tile changes its rounding, so tiles are aligned to even coordinates
// of the layer's grid (input grid for a transposed convolution, output
// grid for a convolution) and every tiling of a transform that keeps those
// origins even gives the same bits.

package model

import (
	"sync"

	"github.com/aezip/aezip/internal/gemm"
)

// winoMinChannels is the channel count below which a layer keeps the
// direct method: with fewer input or output channels the per-product GEMMs
// are too small to pay for the transforms.
const winoMinChannels = 16

// winoBand is the number of output positions per work item. The item's
// output tiles (Out×winoBand floats, 512 KiB at 128 channels) and one
// product's operands stay in a core's L2 cache while the 49 products are
// added in; the larger the band, the fewer times each transformed kernel is
// read from L3. Like bandCols it does not change results.
var winoBand = 1024

// winoStride returns the row stride for rows of n floats in the output
// tiles: a multiple of 8 floats plus 8, so that the rows of a GEMM tile
// written into them are never a multiple of 4 KiB apart, which would make
// them compete for the same L1 cache sets.
func winoStride(n int) int { return (n+7)&^7 + 8 }

// winoAxis is the one-dimensional algorithm of one layer type: a tile reads
// p input samples at step·T+d0+u (u < p) and produces q outputs at q·T+v
// (v < q); bt (7×p) transforms the inputs, g (7×5) the kernel taps and
// at (q×7) the products.
type winoAxis struct {
	p, q, step, d0 int
	bt             [7][]float32
	g              [7][5]float64
	at             [][7]float32
}

// convAxis is the axis of a Conv2D with K=5, stride 2, padding 2:
// out[2T+v] = Σ_k in[4T−2+2v+k]·w[k]. With x[u] = in[4T−2+u], the even
// taps (w0, w2, w4) see x0, x2, x4, x6 and the odd ones (w1, w3) x1, x3, x5.
var convAxis = winoAxis{
	p: 7, q: 2, step: 4, d0: -2,
	bt: [7][]float32{
		// F(2,3) on (x0, x2, x4, x6).
		{1, 0, 0, 0, -1, 0, 0},
		{0, 0, 1, 0, 1, 0, 0},
		{0, 0, -1, 0, 1, 0, 0},
		{0, 0, 1, 0, 0, 0, -1},
		// F(2,2) on (x1, x3, x5).
		{0, 1, 0, -1, 0, 0, 0},
		{0, 0, 0, 1, 0, 0, 0},
		{0, 0, 0, -1, 0, 1, 0},
	},
	g: [7][5]float64{
		{1, 0, 0, 0, 0},
		{0.5, 0, 0.5, 0, 0.5},
		{0.5, 0, -0.5, 0, 0.5},
		{0, 0, 0, 0, 1},
		{0, 1, 0, 0, 0},
		{0, 1, 0, 1, 0},
		{0, 0, 0, 1, 0},
	},
	at: [][7]float32{
		{1, 1, 1, 0, 1, 1, 0},
		{0, 1, -1, -1, 0, 1, 1},
	},
}

// deconvAxis is the axis of a ConvTranspose2D with K=5, stride 2, padding
// 2, output padding 1: out[2i] = in[i−1]·w4 + in[i]·w2 + in[i+1]·w0 and
// out[2i+1] = in[i]·w3 + in[i+1]·w1. A tile covers inputs 2T and 2T+1
// and outputs 4T … 4T+3; with x[u] = in[2T−1+u] the even outputs are
// F(2,3) of x0…x3 with (w4, w2, w0), the odd ones F(2,2) of x1…x3 with
// (w3, w1).
var deconvAxis = winoAxis{
	p: 4, q: 4, step: 2, d0: -1,
	bt: [7][]float32{
		{1, 0, -1, 0},
		{0, 1, 1, 0},
		{0, -1, 1, 0},
		{0, 1, 0, -1},
		{0, 1, -1, 0},
		{0, 0, 1, 0},
		{0, 0, -1, 1},
	},
	g: [7][5]float64{
		{0, 0, 0, 0, 1},
		{0.5, 0, 0.5, 0, 0.5},
		{0.5, 0, -0.5, 0, 0.5},
		{1, 0, 0, 0, 0},
		{0, 0, 0, 1, 0},
		{0, 1, 0, 1, 0},
		{0, 1, 0, 0, 0},
	},
	at: [][7]float32{
		{1, 1, 1, 0, 0, 0, 0},
		{0, 0, 0, 0, 1, 1, 0},
		{0, 1, -1, -1, 0, 0, 0},
		{0, 0, 0, 0, 0, 1, 1},
	},
}

// winoTerm is an input sample of a tile (index u·p+v) with its coefficient
// in one transformed input, or an output (index yy·q+xx) with its
// coefficient from one product.
type winoTerm struct {
	idx  int
	coef float32
}

// winoProduct is one of the 49 products: its transformed kernel (Out×In,
// packed), the input samples it combines and the outputs it feeds.
type winoProduct struct {
	pa   *gemm.PackedA
	ins  []winoTerm // at most 4
	outs []winoTerm
}

// winoLayer is a Conv2D or ConvTranspose2D computed with winoAxis along
// both axes.
type winoLayer struct {
	ax       *winoAxis
	in, out  int
	bias     []float32
	taps     []tap // the p×p samples of a tile, for channel 0
	products []winoProduct

	// The transformed kernels rounded to bfloat16, for post.bf16; built
	// on first use, since only encoders use them.
	bf16Once sync.Once
	bf16PA   []*gemm.PackedBF16
}

// bf16Kernels returns the products' transformed kernels packed for
// gemm.SgemmBF16Panels, packing them on up to workers goroutines the first
// time.
func (l *winoLayer) bf16Kernels(workers int) []*gemm.PackedBF16 {
	l.bf16Once.Do(func() {
		l.bf16PA = make([]*gemm.PackedBF16, len(l.products))
		parallelFor(workers, len(l.products), 0, func(f int, _ []float32) {
			l.bf16PA[f] = gemm.PackBF16(l.out, l.in, l.products[f].pa.Unpack(), l.in)
		})
	})
	return l.bf16PA
}

// usesBF16 reports whether forward computes the products in bfloat16 for
// pp: only convolutions (encoder-only layers, whose input transform is
// separable) with pairs of input channels.
func (l *winoLayer) usesBF16(pp post) bool {
	return pp.bf16 && l.ax == &convAxis && l.in%2 == 0
}

// newWinoLayer transforms the kernel; w(o, i) returns the 5×5 kernel from
// input channel i to output channel o, row-major.
func newWinoLayer(ax *winoAxis, in, out int, bias []float32, w func(o, i int) []float32) *winoLayer {
	l := &winoLayer{ax: ax, in: in, out: out, bias: bias}
	for u := 0; u < ax.p; u++ {
		for v := 0; v < ax.p; v++ {
			l.taps = append(l.taps, tap{dy: ax.d0 + u, dx: ax.d0 + v})
		}
	}
	us := transformKernels(ax.g[:], in, out, w, 0)
	for a := 0; a < 7; a++ {
		for b := 0; b < 7; b++ {
			u := us[a*7+b]
			us[a*7+b] = nil // only the packed copy stays
			var pr winoProduct
			for y, cy := range ax.bt[a] {
				for x, cx := range ax.bt[b] {
					if cy != 0 && cx != 0 {
						pr.ins = append(pr.ins, winoTerm{idx: y*ax.p + x, coef: cy * cx})
					}
				}
			}
			for yy := range ax.at {
				for xx := range ax.at {
					if c := ax.at[yy][a] * ax.at[xx][b]; c != 0 {
						pr.outs = append(pr.outs, winoTerm{idx: yy*ax.q + xx, coef: c})
					}
				}
			}
			if len(pr.outs) == 1 && pr.outs[0].coef == -1 {
				// A product that feeds one output is added straight
				// into it; its sign goes into the kernel (exactly).
				for i := range u {
					u[i] = -u[i]
				}
				pr.outs[0].coef = 1
			}
			pr.pa = gemm.PackACopy(out, in, u, in)
			l.products = append(l.products, pr)
		}
	}
	return l
}

// sepRow is a row of an axis's input transform in the form the separable
// transform takes: sample u1 with coefficient 1 plus c times sample u2.
type sepRow struct {
	u1, u2 int
	c      float32
}

// sepRows returns ax's input transform as sepRows, or false if a row has
// more than two samples, no coefficient 1 or another coefficient than
// ±1.
func (ax *winoAxis) sepRows() (rows [7]sepRow, ok bool) {
	for a, bt := range ax.bt {
		var us []int
		for u, c := range bt {
			if c != 0 {
				us = append(us, u)
			}
		}
		if len(us) == 0 || len(us) > 2 {
			return rows, false
		}
		if bt[us[0]] != 1 {
			us[0], us[len(us)-1] = us[len(us)-1], us[0]
		}
		r := sepRow{u1: us[0], u2: us[len(us)-1]}
		if len(us) == 2 {
			r.c = bt[r.u2]
		}
		if bt[r.u1] != 1 || (r.c != 1 && r.c != -1 && r.c != 0) {
			return rows, false
		}
		rows[a] = r
	}
	return rows, true
}

// separable returns the input transforms of the seven rows of products
// (a, ·) for gemm.SumSepBF16, with the samples at tapOff (the source's
// offsets of l.taps), or nil if the axis does not allow it.
func (l *winoLayer) separable(tapOff []int) []gemm.Sep {
	rows, ok := l.ax.sepRows()
	if !ok || l.ax.p != 7 {
		return nil
	}
	p := l.ax.p
	seps := make([]gemm.Sep, 7)
	for a, ra := range rows {
		s := &seps[a]
		s.C1 = ra.c
		for v := 0; v < p; v++ {
			s.Off[v] = [2]int{tapOff[ra.u1*p+v], tapOff[ra.u2*p+v]}
		}
		for b, rb := range rows {
			s.Cols[b] = [2]int{rb.u1, rb.u2}
			s.C2[b] = rb.c
		}
	}
	return seps
}

// tiles returns the tile grid for an h×w input: enough tiles to cover the
// ho×wo output.
func (l *winoLayer) tiles(ho, wo int) (int, int) {
	return ceilDiv(ho, l.ax.q), ceilDiv(wo, l.ax.q)
}

// geom returns the source layout for an h×w input and an ho×wo output.
func (l *winoLayer) geom(h, w, ho, wo int) geom {
	th, tw := l.tiles(ho, wo)
	return sourceGeom(l.ax.step, h, w, th, tw, l.taps)
}

// scratchLen is the number of floats forward needs per worker for bands of
// n tiles: transformed inputs, one product, the output tiles and pp's
// scratch.
func (l *winoLayer) scratchLen(n int, pp post) int {
	qq := l.ax.q * l.ax.q
	on := winoStride(qq * n)
	return l.in*panelCols(n) + l.out*n + l.out*on + pp.scratchLen(l.out, on)
}

// forward computes the ho×wo output of the layer on src, laid out as geom
// gives, applies pp and stores the result into dst, on up to workers
// goroutines (see parallelFor).
func (l *winoLayer) forward(dst, src *source, ho, wo int, pp post, workers int) {
	ax := l.ax
	q, qq := ax.q, ax.q*ax.q
	th, tw := l.tiles(ho, wo)
	wp := src.wp
	tapOff := src.offsets(l.taps)
	cs := src.geom().planes() // channel stride
	type prodOff struct {
		off  [4]int
		coef [4]float32
	}
	po := make([]prodOff, len(l.products))
	for f, pr := range l.products {
		for k := range 4 {
			// Unused terms read the first sample with coefficient 0.
			t := pr.ins[min(k, len(pr.ins)-1)]
			po[f].off[k] = tapOff[t.idx]
			if k < len(pr.ins) {
				po[f].coef[k] = t.coef
			}
		}
	}
	// Tiles are numbered Y·wp+X like the positions of lower.go; those with
	// X ≥ tw are computed and thrown away.
	total := (th-1)*wp + tw
	cols := bandSize(total, max(1, winoBand/qq))
	nb := ceilDiv(total, cols)
	w := gemm.PanelWidth()
	var pbs []*gemm.PackedBF16
	var seps []gemm.Sep
	if l.usesBF16(pp) {
		// convAxis is separable (TestWinogradAxes); were it not, the
		// layer would run in float32.
		if seps = l.separable(tapOff); seps != nil {
			pbs = l.bf16Kernels(workers)
		}
	}
	const wb = gemm.BF16PanelWidth
	parallelFor(workers, nb, l.scratchLen(cols, pp), func(item int, buf []float32) {
		q0, q1 := item*cols, min((item+1)*cols, total)
		n := q1 - q0
		// The transformed inputs are the B of the products, written
		// straight into GEMM panels.
		on := winoStride(qq * n) // row stride of obuf: every output of a tile for n tiles
		vbuf := buf[:l.in*panelCols(n)]
		mbuf := buf[len(vbuf):][:l.out*n]
		obuf := buf[len(vbuf)+len(mbuf):][:l.out*on]
		scratch := buf[len(vbuf)+len(mbuf)+len(obuf):]
		fillBias(obuf, l.bias, on)
		if pbs == nil {
			clear(mbuf) // and the last AddScaledRowsClear of each product
		}
		// The bfloat16 panels hold a pair of input channels per word, for
		// the seven products of a row at once.
		var vb *[]uint32
		stride := l.in / 2 * ceilDiv(n, wb) * wb
		if pbs != nil {
			vb = getWords(7 * stride)
			defer words.Put(vb)
		}
		// mul adds product f's GEMM into c (row stride ldc); in bfloat16
		// its transformed inputs are in bv.
		var bv []uint32
		mul := func(f int, c []float32, ldc int, set bool) {
			if set {
				gemm.SgemmBF16PanelsSet(pbs[f], n, bv, c, ldc)
				return
			}
			if pbs != nil {
				gemm.SgemmBF16Panels(pbs[f], n, bv, c, ldc)
				return
			}
			for j := 0; j*w < n; j++ {
				gemm.SumTerms(vbuf[j*l.in*w:], w, src.data[q0+j*w:], cs, &po[f].off, &po[f].coef, l.in, min(w, n-j*w))
			}
			gemm.SgemmPanels(l.products[f].pa, n, vbuf, c, ldc)
		}
		// product adds product f into its outputs.
		product := func(f int) {
			pr := &l.products[f]
			if len(pr.outs) == 1 {
				mul(f, obuf[pr.outs[0].idx*n:], on, false)
				return
			}
			// In bfloat16 the product is stored into mbuf, which then
			// needs no clearing; in float32 it is added to zeros (the
			// bits the conformance vectors pin).
			mul(f, mbuf, n, pbs != nil)
			// Two outputs per pass over mbuf; the last pass clears it in
			// float32.
			outs, clearLast := pr.outs, pbs == nil
			for len(outs) >= 2 {
				t1, t2 := outs[0], outs[1]
				outs = outs[2:]
				gemm.AddScaledRows2(obuf[t1.idx*n:], obuf[t2.idx*n:], on, mbuf, n, t1.coef, t2.coef, l.out, n, clearLast && len(outs) == 0)
			}
			if len(outs) == 1 {
				t := outs[0]
				if clearLast {
					gemm.AddScaledRowsClear(obuf[t.idx*n:], on, mbuf, n, t.coef, l.out, n)
				} else {
					gemm.AddScaledRows(obuf[t.idx*n:], on, mbuf, n, t.coef, l.out, n)
				}
			}
		}
		if pbs != nil {
			for a := range seps {
				if src.half != nil {
					gemm.SumSepBF16Half(*vb, stride, src.half[q0:], cs, &seps[a], l.in/2, n)
				} else {
					gemm.SumSepBF16(*vb, stride, src.data[q0:], cs, &seps[a], l.in/2, n)
				}
				for b := range 7 {
					bv = (*vb)[b*stride:]
					product(7*a + b)
				}
			}
		} else {
			for f := range l.products {
				product(f)
			}
		}
		pp.apply(obuf, l.out, on, scratch)
		storeTiles(dst, obuf, on, n, q0, q1, wp, q, tw, ho, wo, l.out)
	})
}

// storeTiles stores output (q·Y+yy, q·X+xx) of every tile of a band into
// dst: the band's tiles are q0 … q1−1 (numbered Y·wp+X, those with X ≥ tw
// thrown away), and output (yy, xx) of tile t of channel o is
// obuf[o·on + (yy·q+xx)·n + t−q0].
func storeTiles(dst *source, obuf []float32, on, n, q0, q1, wp, q, tw, ho, wo, out int) {
	for t := q0; t < q1; {
		y := t / wp
		x0 := t - y*wp
		x1 := min(wp, x0+q1-t)
		for yy := 0; yy < q && q*y+yy < ho; yy++ {
			// Tiles X in [x0, xe) have all q columns inside; the
			// last one may have fewer.
			xe := min(x1, tw, wo/q)
			if xe > x0 {
				dst.storeTileRows(out, q*y+yy, q*x0, q, obuf[yy*q*n+t-q0:], on, n, xe-x0)
			}
			if x0 <= xe && xe < min(x1, tw) {
				for o := 0; o < out; o++ {
					row := obuf[o*on+yy*q*n+t-q0:]
					for xx := 0; xx < q && q*xe+xx < wo; xx++ {
						dst.store(o, q*y+yy, q*xe+xx, 1, row[xx*n+xe-x0:][:1])
					}
				}
			}
		}
		t += x1 - x0
	}
}

// transformKernels returns the transformed kernels U[a·P+b] = G·W·Gᵀ of
// every 5×5 kernel W (w(o, i), row-major) for the P×5 matrix g, as P²
// matrices Out×In, in float64 rounded once (products by halves are
// exact), on up to workers goroutines over the output channels (loading a
// model builds every layer).
func transformKernels(g [][5]float64, in, out int, w func(o, i int) []float32, workers int) [][]float32 {
	p := len(g)
	us := make([][]float32, p*p)
	for f := range us {
		us[f] = make([]float32, out*in)
	}
	parallelFor(workers, out, 0, func(o int, _ []float32) {
		t := make([][5]float64, p)
		for i := 0; i < in; i++ {
			k := w(o, i)
			for a := range t {
				for kx := 0; kx < 5; kx++ {
					var s float64
					for ky := 0; ky < 5; ky++ {
						s += g[a][ky] * float64(k[ky*5+kx])
					}
					t[a][kx] = s
				}
			}
			for a := range t {
				for b := range t {
					var s float64
					for kx := 0; kx < 5; kx++ {
						s += t[a][kx] * g[b][kx]
					}
					us[a*p+b][o*in+i] = float32(s)
				}
			}
		}
	})
	return us
}
