// This file implements the strip drivers: the analysis, hyper-synthesis and
// synthesis transforms run over a tile one band of latent rows at a time,
// each band computed from the rows it depends on, so that no float plane of
// the whole tile ever exists and the peak memory of a large image is
// bounded, as specified in docs/spec.md §6 (bounded memory). The result is
// bit-identical to running each transform on the whole tile.

package codec

import (
	"image"

	"github.com/aezip/aezip/model"
)

// stripRows is the number of latent rows (16 pixel rows each) that one
// strip of g_a or g_s produces: 512 pixel rows, so that a strip of a tile
// 4096 pixels wide holds 25 MB of float RGB. hsStripRows is the number of
// rows of ẑ per strip of the integer h_s (4 rows of y each). They are
// variables so that tests can cut small images into many strips.
var (
	stripRows   = 32
	hsStripRows = 16
)

// Context rows that a strip of output rows [a, b) needs beyond itself, in
// rows of the transform's input grid scaled to the output's (latent rows for
// g_a and g_s, rows of ẑ for h_s). They follow from the layers of
// docs/architecture.md: an output row o of a 5×5, stride 2, padding 2
// convolution reads input rows 2o−2 … 2o+2, and one of the matching
// transposed convolution reads rows ⌈(o−2)/2⌉ … ⌊(o+2)/2⌋. Chained:
//   - g_a: latent rows [a, b) read pixel rows 16a−30 … 16b+14, so 2 latent
//     rows (32 pixels, keeping the stride-16 alignment) above and 1 below;
//     but in bfloat16 the tiles of four outputs of g_a.2 (model's
//     winograd4.go) round each output with every sample of the tile's
//     window, which reaches pixel rows 16a−38 … 16b+18: 3 latent rows above
//     and 2 below (gaContext);
//   - g_s: output pixel rows [16a, 16b) read ŷ rows a−1 … b+1;
//   - h_s: rows [4a, 4b) of y read ẑ rows a−1 … b+1 (two transposed
//     convolutions, then a 3×3 convolution that reads one row either side).
//
// Outside those rows an output row does not depend on the input, and every
// layer computes each position the same way wherever it lies in its input
// (the property model's ForwardTiled relies on too), so the rows a strip
// keeps equal those of an untiled run bit for bit. TestStripsBitIdentical
// checks it.
const (
	gsAbove, gsBelow = 1, 2
	hsAbove, hsBelow = 1, 2
)

// gaContext returns the latent rows above and below its own that a strip
// of g_a at precision prec reads: the float32 analysis (also BF16 where the
// processor lacks the bfloat16 kernels) computes every output from its
// receptive field only and needs fewer.
func gaContext(prec model.Precision) (above, below int) {
	if prec == model.BF16 && model.BF16Available() {
		return 3, 2
	}
	return 2, 1
}

// strip is one band: output rows [a, b) computed from input rows [lo, hi).
type strip struct{ a, b, lo, hi int }

// strips cuts n output rows into bands of size rows with the given context,
// clipped to the n input rows (input and output grids have the same row
// count after scaling). The first input row of a strip is even: the
// Winograd layers (model/winograd.go) compute tiles of two rows of their
// grid, so a strip must start on the whole image's tile boundaries to get
// its bits.
func strips(n, size, above, below int) []strip {
	var s []strip
	for a := 0; a < n; a += size {
		b := min(a+size, n)
		s = append(s, strip{a: a, b: b, lo: max(a-above, 0) &^ 1, hi: min(b+below, n)})
	}
	return s
}

// stripTile returns the tile size (in latent positions) with which a strip
// of a tile wy latent columns wide runs through model's ForwardTiled: at
// least the strip's whole height, so that the model cuts the strip into
// column tiles only and the rows above and below are computed once. Strips
// up to twice as wide as high run whole: on a 768×512 image (N=128) column
// tiles cost 6–8% more CPU time than none, and memory for such a strip is
// at most twice that of a square one.
func stripTile(wy, size, above, below int) int {
	t := size + above + below + 1 // +1: strips start on even rows
	if wy <= 2*t {
		return max(t, wy)
	}
	return t
}

// tileSource gives the padded planes of pixel rows of one tile of the
// source image (used by g_a and by PSNR rate control).
type tileSource struct {
	m       image.Image
	r       image.Rectangle // the tile, in m's coordinates
	pw, ph  int             // padded size
	workers int             // goroutines for the conversion
}

// rows returns the planes of padded rows [y0, y1) of the tile, padded on
// the right to pw and replicating the last image row below the image.
func (s *tileSource) rows(y0, y1 int) *planes {
	h := s.r.Dy()
	src := image.Rect(s.r.Min.X, s.r.Min.Y+min(y0, h-1), s.r.Max.X, s.r.Min.Y+min(max(y1, y0+1), h))
	return newPlanesPadded(s.m, src, s.pw, y1-y0, s.workers)
}

// analyseTile runs g_a at precision prec over the tile strip by strip and returns y
// (M × ph/16 × pw/16); visit sees the planes of each strip's own rows
// inside the image (for the alpha plane and the colour type).
func analyseTile(mdl *model.Model, s *tileSource, workers int, prec model.Precision, visit func(p *planes, y0 int)) *model.Tensor {
	hy, wy := s.ph/16, s.pw/16
	y := model.NewTensor(mdl.Arch.M, hy, wy)
	above, below := gaContext(prec)
	tile := stripTile(wy, stripRows, above, below)
	for _, st := range strips(hy, stripRows, above, below) {
		p := s.rows(16*st.lo, 16*st.hi)
		if visit != nil && 16*st.a < s.r.Dy() {
			visit(p, 16*st.lo)
		}
		x := &model.Tensor{C: 3, H: p.ph, W: p.pw, Data: p.rgb}
		out := mdl.Analysis.ForwardPrecision(x, tile, workers, prec)
		putRGB(p.rgb)
		p.rgb = nil
		copyRows(y, out, st.a, st.b, st.lo)
	}
	return y
}

// copyRows copies rows [a, b) of dst from src, whose row 0 is dst's row lo.
func copyRows(dst, src *model.Tensor, a, b, lo int) {
	n := (b - a) * dst.W
	for c := 0; c < dst.C; c++ {
		copy(dst.Data[(c*dst.H+a)*dst.W:][:n], src.Data[(c*src.H+a-lo)*src.W:][:n])
	}
}

// hyperSynthesisStrips runs the integer h_s over ẑ (N × hz × wz) in strips
// of hsStripRows rows and returns the means and the scale indices (as the
// rANS coder's table indices) of the M × 4hz × 4wz elements of y. Integer
// arithmetic makes every strip exact; the strips only bound the memory of
// h_s's accumulators.
func hyperSynthesisStrips(mdl *model.Model, zhat []int32, hz, wz, workers int) ([]int32, []uint16) {
	M, N := mdl.Arch.M, mdl.Arch.N
	hy, wy := 4*hz, 4*wz
	if hz <= hsStripRows {
		mean, sidx := mdl.HyperSynthesis.ForwardWorkers(zhat, hz, wz, workers)
		return mean, widen(sidx)
	}
	mean := make([]int32, M*hy*wy)
	idx := make([]uint16, M*hy*wy)
	part := make([]int32, N*min(hz, hsStripRows+hsAbove+hsBelow+1)*wz) // +1: strips start on even rows
	for _, st := range strips(hz, hsStripRows, hsAbove, hsBelow) {
		rows := st.hi - st.lo
		p := part[:N*rows*wz]
		for c := 0; c < N; c++ {
			copy(p[c*rows*wz:][:rows*wz], zhat[(c*hz+st.lo)*wz:][:rows*wz])
		}
		mq, sidx := mdl.HyperSynthesis.ForwardWorkers(p, rows, wz, workers)
		ph := 4 * rows
		n := 4 * (st.b - st.a) * wy
		for c := 0; c < M; c++ {
			src := (c*ph + 4*(st.a-st.lo)) * wy
			dst := (c*hy + 4*st.a) * wy
			copy(mean[dst:][:n], mq[src:][:n])
			for i, k := range sidx[src:][:n] {
				idx[dst+i] = uint16(k)
			}
		}
	}
	return mean, idx
}

func widen(s []uint8) []uint16 {
	out := make([]uint16, len(s))
	for i, v := range s {
		out[i] = uint16(v)
	}
	return out
}

// synthesiseTile runs g_s strip by strip on ŷ' = (sym + μ) ⊙ invGain and
// hands each strip's output to put: rows [first, first+n) of out are the
// tile's padded pixel rows [y0, y0+n). No plane of the whole tile is held.
func (lc *latentCoder) synthesiseTile(sym, mean []int32, invGain []float32, workers int, put func(out *model.Tensor, first, n, y0 int)) {
	M, hy, wy := lc.m.Arch.M, lc.hy, lc.wy
	tile := stripTile(wy, stripRows, gsAbove, gsBelow)
	for _, st := range strips(hy, stripRows, gsAbove, gsBelow) {
		rows := st.hi - st.lo
		part := model.NewTensor(M, rows, wy)
		for c := 0; c < M; c++ {
			off := (c*hy + st.lo) * wy
			reconstructInto(part.Data[c*rows*wy:][:rows*wy], sym[off:][:rows*wy], mean[off:][:rows*wy], invGain[c], lc.m.Arch.MeanBits)
		}
		out := lc.m.Synthesis.ForwardTiledWorkers(part, tile, workers)
		put(out, 16*(st.a-st.lo), 16*(st.b-st.a), 16*st.a)
	}
}
