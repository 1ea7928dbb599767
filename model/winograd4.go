// This file implements the bfloat16 path of the analysis transform's
// largest 5×5, stride-2 convolution with larger Winograd tiles: F(4,3) for
// the even kernel taps and F(4,2) for the odd ones, so that one axis of a
// tile of 4 outputs takes 11 products instead of 14 (two tiles of
// winograd.go) and a 2-D tile of 16 outputs 121 instead of 196, 38 % fewer
// multiply-adds (docs/speed.md).
//
// The price is accuracy and locality. The points 0, ±1, ±2 and ∞ give
// transforms with coefficients up to 8, whose float32 sums, and the
// bfloat16 operands, carry 1.4 to 6 times the rounding error of F(2,·)
// (TestWinograd4MatchesReference); only an encoder's analysis uses the
// layer, where the error moves latents before quantisation (0.02 % of
// BD-rate on Kodak, docs/speed.md). And an output's rounding depends on every sample of its
// tile, not only on its receptive field, so the tile's whole window must
// hold the same samples whenever the same bits are wanted: tiles are
// aligned to multiples of 4 of the layer's output grid, and needRange and
// the codec's strips widen their input ranges to whole windows.

package model

import "github.com/aezip/aezip/internal/gemm"

// tile4Axis is the axis of a Conv2D with K=5, stride 2, padding 2 for
// tiles of four outputs: out[4T+v] = Σ_k w[k]·x[2v+k] with x[u] =
// in[8T−2+u], u < 11. The even taps (w0, w2, w4) see x0, x2, …, x10
// (F(4,3), products 0–5), the odd ones (w1, w3) x1, x3, …, x9 (F(4,2),
// products 6–10).
var tile4Axis = struct {
	p, step, d0 int
	bt          [11][11]float32
	g           [11][5]float64
	at          [tile4Q][11]float32
}{
	p: 11, step: 8, d0: -2,
	// Rows 0–5: F(4,3), points 0, 1, −1, 2, −2, ∞, on (x0, x2, …, x10);
	// rows 6–10: F(4,2), points 0, 1, −1, 2, ∞, on (x1, x3, …, x9).
	bt: gemm.WinogradF4(),
	g: [11][5]float64{
		{1.0 / 4, 0, 0, 0, 0},
		{-1.0 / 6, 0, -1.0 / 6, 0, -1.0 / 6},
		{-1.0 / 6, 0, 1.0 / 6, 0, -1.0 / 6},
		{1.0 / 24, 0, 1.0 / 12, 0, 1.0 / 6},
		{1.0 / 24, 0, -1.0 / 12, 0, 1.0 / 6},
		{0, 0, 0, 0, 1},
		{0, 1.0 / 2, 0, 0, 0},
		{0, -1.0 / 2, 0, -1.0 / 2, 0},
		{0, -1.0 / 6, 0, 1.0 / 6, 0},
		{0, 1.0 / 6, 0, 1.0 / 3, 0},
		{0, 0, 0, 1, 0},
	},
	at: [tile4Q][11]float32{
		{1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0, 0, 1, -1, 2, 0},
		{0, 1, 1, 4, 4, 0, 0, 1, 1, 4, 0},
		{0, 1, -1, 8, -8, 1, 0, 1, -1, 8, 1},
	},
}

// wino4Band is winoBand for wino4Layer: 64 tiles of 16 outputs. Its
// output tiles (512 KiB at 128 channels) stay in L2 while the 121
// products are added in. Like winoBand it does not change results.
var wino4Band = 1024

// tile4Q is the number of outputs of a tile along each axis.
const tile4Q = 4

// wino4Layer is a Conv2D computed with tile4Axis along both axes, in
// bfloat16 only.
type wino4Layer struct {
	in, out int
	bias    []float32
	kern    []*gemm.PackedBF16 // product a·11+b: its transformed kernel
	outs    [11][]winoTerm     // per product index: the outputs it feeds along one axis
	single  [11]int            // the one output a product feeds with coefficient 1, or −1
}

// newWino4Layer transforms the kernel, as newWinoLayer does, and packs
// the 121 products for gemm.SgemmBF16Panels on up to workers goroutines.
func newWino4Layer(in, out int, bias []float32, w func(o, i int) []float32, workers int) *wino4Layer {
	ax := &tile4Axis
	l := &wino4Layer{in: in, out: out, bias: bias}
	for a := 0; a < ax.p; a++ {
		l.single[a] = -1
		for y := 0; y < tile4Q; y++ {
			if c := ax.at[y][a]; c != 0 {
				l.outs[a] = append(l.outs[a], winoTerm{idx: y, coef: c})
			}
		}
		if len(l.outs[a]) == 1 && l.outs[a][0].coef == 1 {
			l.single[a] = l.outs[a][0].idx
		}
	}
	const np = 11 * 11
	us := transformKernels(ax.g[:], in, out, w, workers)
	l.kern = make([]*gemm.PackedBF16, np)
	parallelFor(workers, np, 0, func(f int, _ []float32) {
		l.kern[f] = gemm.PackBF16(out, in, us[f], in)
		us[f] = nil
	})
	return l
}

// tile4Sep returns the input transform for gemm.Sum2DBF16Pairs, with the
// samples at tapOff (the source's offsets of tile4Taps).
func tile4Sep(tapOff []int) *gemm.Sep2 {
	ax := &tile4Axis
	s := &gemm.Sep2{}
	s.SetMatrix(ax.bt[:])
	for u := 0; u < ax.p; u++ {
		for v := 0; v < ax.p; v++ {
			s.Off[u][v] = tapOff[u*ax.p+v]
		}
	}
	return s
}

// tile4Taps are the 11×11 samples of a tile of tile4Axis, for channel 0.
var tile4Taps = func() []tap {
	ax := &tile4Axis
	var taps []tap
	for u := 0; u < ax.p; u++ {
		for v := 0; v < ax.p; v++ {
			taps = append(taps, tap{dy: ax.d0 + u, dx: ax.d0 + v})
		}
	}
	return taps
}()

// tile4Geom returns the source layout of a wino4Layer for an h×w input and
// an ho×wo output: rows in 8 phases, so that a row of tiles is one row of
// each plane, and columns in 4, the layout of the layers of winograd.go
// that the producer (g_a.0) stores fast; tile X reads columns 2X+k of a
// plane, and the transform loads the pairs of bfloat16 values as words
// (gemm.Sep2's Step 2). The width is even, so that tile (Y, X) is word
// Y·wp/2+X of every plane.
func tile4Geom(h, w, ho, wo int) geom {
	pad, rs := -tile4Axis.d0, tile4Axis.step
	th, tw := ceilDiv(ho, tile4Q), ceilDiv(wo, tile4Q)
	// The last tile reads rows up to 8·(th−1)+8 and columns up to
	// 8·(tw−1)+8 of the input, that is plane row th, column 2·tw.
	hp := max(th+1, ceilDiv(h+pad, rs))
	wp := max(2*tw+1, ceilDiv(w+pad, rs/2))
	return geom{step: rs / 2, rstep: rs, pad: pad, hp: hp, wp: wp + wp%2}
}

// scratchLen is the number of floats forward needs per worker for bands of
// n tiles: the output tiles, four partial rows of outputs, one product and
// pp's scratch.
func (l *wino4Layer) scratchLen(n int, pp post) int {
	on := winoStride(tile4Q * tile4Q * n)
	return l.out*on + tile4Q*l.out*n + l.out*n + pp.scratchLen(l.out, on)
}

// forward computes the ho×wo output of the layer on src (laid out as geom
// gives, with pairs of channels), applies pp and stores the result into
// dst, on up to workers goroutines.
//
// For each row a of products the 11 products (a, b) are added along the
// columns into four partial outputs T(x) = Σ_b Aᵀ[x][b]·M(a, b), which
// are then added into the outputs (y, x) with Aᵀ[y][a]: 480 additions of a
// product's size per tile instead of the 1024 of adding every product to
// every output it feeds. A row or column that feeds one output with
// coefficient 1 goes there directly.
func (l *wino4Layer) forward(dst, src *source, ho, wo int, pp post, workers int) {
	const q, qq = tile4Q, tile4Q * tile4Q
	if src.half == nil {
		// Only the codec's path stores bfloat16 planes for this layer;
		// others (a layer's own Forward, benchmarks) get them here.
		src = src.halfCopy(workers)
		defer src.release()
	}
	th, tw := ceilDiv(ho, q), ceilDiv(wo, q)
	wp := src.wp / 2 // tiles per row of the numbering: words per plane row
	sep := tile4Sep(src.offsets(tile4Taps))
	cs := src.geom().planes() // channel stride
	total := (th-1)*wp + tw
	cols := bandSize(total, max(1, wino4Band/qq))
	nb := ceilDiv(total, cols)
	const wb = gemm.BF16PanelWidth
	pairs := l.in / 2
	plan := func(n int) *gemm.Sep2Plan {
		return gemm.NewSep2Plan(sep, pairs*ceilDiv(n, wb)*wb, cs, pairs)
	}
	full := plan(cols) // a shorter last band has its own
	parallelFor(workers, nb, l.scratchLen(cols, pp), func(item int, buf []float32) {
		q0, q1 := item*cols, min((item+1)*cols, total)
		n := q1 - q0
		on := winoStride(qq * n)
		obuf := buf[:l.out*on]
		tbuf := buf[len(obuf):][:q*l.out*n]
		mbuf := buf[len(obuf)+len(tbuf):][:l.out*n]
		scratch := buf[len(obuf)+len(tbuf)+len(mbuf):]
		fillBias(obuf, l.bias, on)
		pl := full
		if n != cols {
			pl = plan(n)
		}
		stride := pairs * ceilDiv(n, wb) * wb
		// The inputs of all 121 products first: each sample is loaded once.
		vb := getWords(11 * 11 * stride)
		defer words.Put(vb)
		gemm.Sum2DBF16Pairs(*vb, src.half[2*q0:], pl, 0, pairs, n)
		for a := range tile4Axis.p {
			// t[x] receives T(x): the outputs (y, x) themselves when row a
			// feeds output row y alone, else partial rows in tbuf, which
			// the first product into them sets.
			var t [q][]float32
			ldt := n
			var fresh [q]bool
			if y := l.single[a]; y >= 0 {
				for x := range t {
					t[x] = obuf[(y*q+x)*n:]
				}
				ldt = on
			} else {
				for x := range t {
					t[x], fresh[x] = tbuf[x*l.out*n:], true
				}
			}
			// Columns that feed one partial output first, so that they
			// can set it.
			for b := range tile4Axis.p {
				x := l.single[b]
				if x < 0 {
					continue
				}
				bv := (*vb)[(a*11+b)*stride:]
				if fresh[x] {
					gemm.SgemmBF16PanelsSet(l.kern[a*11+b], n, bv, t[x], ldt)
					fresh[x] = false
				} else {
					gemm.SgemmBF16Panels(l.kern[a*11+b], n, bv, t[x], ldt)
				}
			}
			for x := range fresh {
				if fresh[x] {
					clearRows(t[x], ldt, l.out, n)
				}
			}
			for b := range tile4Axis.p {
				if l.single[b] >= 0 {
					continue
				}
				gemm.SgemmBF16PanelsSet(l.kern[a*11+b], n, (*vb)[(a*11+b)*stride:], mbuf, n)
				addScaled(&t, ldt, l.outs[b], mbuf, n, l.out)
			}
			if l.single[a] >= 0 {
				continue
			}
			for x := range t {
				var o [q][]float32
				for y := range o {
					o[y] = obuf[(y*q+x)*n:]
				}
				addScaled(&o, on, l.outs[a], t[x], n, l.out)
			}
		}
		pp.apply(obuf, l.out, on, scratch)
		storeTiles(dst, obuf, on, n, q0, q1, wp, q, tw, ho, wo, l.out)
	})
}

// addScaled adds coef·src (rows×n, row stride n) to dst[idx] (row stride
// ldd) for every output term, two outputs per pass over src.
func addScaled(dst *[tile4Q][]float32, ldd int, outs []winoTerm, src []float32, n, rows int) {
	for ; len(outs) >= 2; outs = outs[2:] {
		t1, t2 := outs[0], outs[1]
		gemm.AddScaledRows2(dst[t1.idx], dst[t2.idx], ldd, src, n, t1.coef, t2.coef, rows, n, false)
	}
	if len(outs) == 1 {
		gemm.AddScaledRows(dst[outs[0].idx], ldd, src, n, outs[0].coef, rows, n)
	}
}

// clearRows zeroes rows rows of n floats, row stride ld.
func clearRows(v []float32, ld, rows, n int) {
	for r := 0; r < rows; r++ {
		clear(v[r*ld:][:n])
	}
}
