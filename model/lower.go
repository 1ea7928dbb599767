// This file implements the lowering of convolutions to matrix products
// shared by Conv2D and ConvTranspose2D (docs/spec.md §4): the input is laid
// out once per layer so that every kernel tap reads one contiguous run of it
// for a run of output positions, and the product gathers those runs straight
// into the GEMM's packed panels, with no im2col matrix in between.

package model

import (
	"sync"

	"github.com/aezip/aezip/internal/gemm"
)

// bandCols is the number of output positions per work item. A band of the
// layer's output (Out×bandCols floats, 256 KiB at 128 channels) stays in a
// core's L2 cache from the product through the fused normalisation to the
// final store. It depends only on the layer shape, never on the number of
// goroutines, and the product sums every element in the same order whatever
// the band, so it does not change results either.
var bandCols = 512

// minItems is the number of work items a small layer is split into at
// least (h_a's layers, for one, have fewer positions than one band), so
// that both cores of a small machine get work; bands never shrink below
// minBand positions, one GEMM panel or two. Like the band size, the split
// depends only on the shape.
const (
	minItems = 4
	minBand  = 64
)

// bandSize returns the band size for a layer of total positions whose
// usual band is cols.
func bandSize(total, cols int) int {
	return max(min(cols, ceilDiv(total, minItems)), min(cols, minBand))
}

// tap is one row of the lowered matrix: input channel c, sampled at
// (y·step+dy, x·step+dx) for output position (y, x).
type tap struct{ c, dy, dx int }

// lowered is a convolution written as a GEMM:
// out[o][y][x] = Σ_r a[o][r] · in[taps[r].c][y·step+taps[r].dy][x·step+taps[r].dx],
// where input samples outside the image are zero.
type lowered struct {
	rows int           // output channels: GEMM m
	pa   *gemm.PackedA // rows × len(taps), packed once
	taps []tap
	step int

	// pa in bfloat16, for encoder-only layers (post.bf16); built on first
	// use. A pointer, so that copies of a lowered share it.
	pb *loweredBF16
}

type loweredBF16 struct {
	once sync.Once
	pa   *gemm.PackedBF16
	// scale multiplies the input before its rounding to bfloat16, and
	// divides the weights: 255 for g_a's first layer, whose 8-bit pixel
	// values k/255 then become the integers k, exact in bfloat16. 0 means 1.
	scale float32
}

func newLowered(rows int, a []float32, taps []tap, step int) lowered {
	return lowered{rows: rows, pa: gemm.PackA(rows, len(taps), a, len(taps)), taps: taps, step: step, pb: new(loweredBF16)}
}

// source is a layer input rearranged for lowered convolutions of one step
// s: for every channel c and phase (ry, rx) a plane of hp×wp values holds
// in[c][s·Y+ry−pad][s·X+rx−pad] at (Y, X), zero outside the input. Output
// position (y, x) of a lowered convolution is numbered y·wp+x, and tap
// (c, dy, dx) reads it at a fixed offset from that number (see offsets), so
// a band of consecutive positions is a band of every tap's plane. Positions
// with x ≥ the output width are computed and thrown away.
//
// A layer inside a transform writes its output straight into the source of
// the next layer (store), so the activations between two convolutions are
// never held in plain CHW layout. A plain tensor is a source with step 1,
// no padding and planes of its own size.
//
// The rows may have a step rs of their own (rstep, equal to step but for
// the sources of winograd4.go's larger tiles, which step by 8 rows and
// read columns in pairs of step 4): the planes of phase (ry, rx), ry < rs,
// hold in[c][rs·Y+ry−pad][s·X+rx−pad].
type source struct {
	data []float32
	// half, if set instead of data, holds the planes as bfloat16 values
	// (the upper halves of float32s): the input of a Winograd convolution
	// that rounds its operands to bfloat16 anyway, stored in half the
	// bytes. Only storeRows writes it (newHalfSource).
	half   []uint16
	pooled bool // data came from the pool
	// zeroPad: the padding is zero when the source is released (newSource).
	zeroPad   bool
	c, h, w   int // the input tensor's shape
	step, pad int
	rstep     int // the row step
	hp, wp    int
}

// geom is the layout of a source, without its storage.
type geom struct{ step, rstep, pad, hp, wp int }

// sourceGeom returns the layout that lowered convolutions of the given step
// need to produce ho×wo outputs from taps reading an h×w input: every tap
// offset is made non-negative by padding, and the planes hold every input
// element, so that a producer can store its whole output.
func sourceGeom(step, h, w, ho, wo int, taps ...[]tap) geom {
	pad := 0
	for _, ts := range taps {
		for _, t := range ts {
			pad = max(pad, -t.dy, -t.dx)
		}
	}
	ey, ex := 0, 0
	for _, ts := range taps {
		for _, t := range ts {
			ey, ex = max(ey, (t.dy+pad)/step), max(ex, (t.dx+pad)/step)
		}
	}
	return geom{step: step, rstep: step, pad: pad,
		hp: max(ho+ey, ceilDiv(h+pad, step)),
		wp: max(wo+ex, ceilDiv(w+pad, step))}
}

// plain reports whether the layout is a c×h×w tensor's own.
func (g geom) plain(h, w int) bool {
	return g.step == 1 && g.rstep == 1 && g.pad == 0 && g.hp == h && g.wp == w
}

// plainSource returns x viewed as a source; it does not own x's storage.
func plainSource(x *Tensor) *source {
	return &source{data: x.Data[:x.Len()], c: x.C, h: x.H, w: x.W, step: 1, rstep: 1, hp: x.H, wp: x.W}
}

// newSource returns pooled planes of layout g for a c×h×w input whose
// padding is zero; the input positions are left for the caller to fill.
// Release it with release. workers is as for parallelFor.
func newSource(c, h, w int, g geom, workers int) *source {
	return newPadded(c, h, w, g, workers, false)
}

// newHalfSource is newSource with bfloat16 planes (source.half).
func newHalfSource(c, h, w int, g geom, workers int) *source {
	return newPadded(c, h, w, g, workers, true)
}

// newPadded is newSource with float32 or, with half, bfloat16 planes.
func newPadded(c, h, w int, g geom, workers int, half bool) *source {
	src := &source{pooled: true, zeroPad: true, c: c, h: h, w: w, step: g.step, rstep: g.rstep, pad: g.pad, hp: g.hp, wp: g.wp}
	n := c * g.planes()
	var zero bool
	if half {
		src.half, zero = getPooled[uint16](&halfPools, n, src.key())
	} else {
		src.data, zero = getPooled[float32](&floatPools, n, src.key())
	}
	if !zero {
		src.each(nil, workers)
	}
	return src
}

// padKey is a layout of planes for a c×h×w input (float32 and bfloat16
// planes have pools of their own).
type padKey struct {
	c, h, w int
	g       geom
}

// key returns src's layout. The layers store input positions only, so
// the planes of newSource keep their padding zero through their use; the
// pool remembers the layout, and the next source of that layout that gets
// the buffer (the same layer of the next image of the size) skips clearing
// the padding, which touched a cache line of every row of every plane (5 ms
// of CPU time per 768×512 encode, most of it cache misses).
func (src *source) key() padKey {
	return padKey{src.c, src.h, src.w, src.geom()}
}

// geom returns src's layout.
func (src *source) geom() geom { return geom{src.step, src.rstep, src.pad, src.hp, src.wp} }

// planes returns the number of values per channel: rstep·step planes of
// hp×wp.
func (g geom) planes() int { return g.rstep * g.step * g.hp * g.wp }

// sourceOf returns x laid out as g: x itself when g is its own layout, or
// else a pooled copy.
func sourceOf(x *Tensor, g geom, workers int) *source {
	if g.plain(x.H, x.W) {
		return plainSource(x)
	}
	src := &source{data: getFloats(x.C * g.planes()), pooled: true, c: x.C, h: x.H, w: x.W,
		step: g.step, rstep: g.rstep, pad: g.pad, hp: g.hp, wp: g.wp}
	src.each(x, workers)
	return src
}

// each clears the padding of every plane and, if x is not nil, copies x
// into the rest.
func (src *source) each(x *Tensor, workers int) {
	if src.half != nil {
		eachPlane(src, src.half, nil, workers)
		return
	}
	eachPlane(src, src.data, x, workers)
}

// eachPlane is each for planes of either element type; x, if not nil,
// needs float32 planes.
func eachPlane[T float32 | uint16](src *source, data []T, x *Tensor, workers int) {
	s, rs, pad, hp, wp := src.step, src.rstep, src.pad, src.hp, src.wp
	np, hw := hp*wp, src.h*src.w
	parallelFor(workers, src.c, 0, func(c int, _ []float32) {
		for ry := 0; ry < rs; ry++ {
			for rx := 0; rx < s; rx++ {
				plane := data[((c*rs+ry)*s+rx)*np:][:np]
				// Columns X whose input column s·X+rx−pad is inside.
				xlo := min(max(ceilDiv(pad-rx, s), 0), wp)
				xhi := max(min(floorDiv(src.w-1+pad-rx, s)+1, wp), xlo)
				// The padding of one row and the next is contiguous, as
				// are whole padding rows: clear each run of it at once.
				z := 0 // start of the padding not cleared yet
				for y := 0; y < hp; y++ {
					iy := rs*y + ry - pad
					if iy < 0 || iy >= src.h || xlo >= xhi {
						continue
					}
					clear(plane[z : y*wp+xlo])
					z = y*wp + xhi
					if x == nil {
						continue
					}
					d := any(plane[y*wp+xlo : y*wp+xhi]).([]float32)
					from := x.Data[c*hw+iy*src.w+s*xlo+rx-pad:]
					if s == 1 {
						copy(d, from[:len(d)])
						continue
					}
					_ = from[(len(d)-1)*s]
					for i := range d {
						d[i] = from[i*s]
					}
				}
				clear(plane[z:])
			}
		}
	})
}

// rowAt returns where row y of channel o starts in src.data, in the plane
// of column phase 0 (plane (o, u mod rs, 0), row u/rs for the padded row
// u), and the padded column of input column x0.
func (src *source) rowAt(o, y, x0 int) (base, v0 int) {
	s, rs, u := src.step, src.rstep, y+src.pad
	return (o*rs+u%rs)*s*src.hp*src.wp + u/rs*src.wp, x0 + src.pad
}

// store writes vals[k] to input element (o, y, x0+k·xs).
func (src *source) store(o, y, x0, xs int, vals []float32) {
	if len(vals) == 0 {
		return
	}
	s, np := src.step, src.hp*src.wp
	base, v0 := src.rowAt(o, y, x0)
	if src.half != nil {
		// Single values only: the edges of a band of Winograd tiles.
		for k, v := range vals {
			w := v0 + k*xs
			src.half[base+w%s*np+w/s] = gemm.RoundBF16(v)
		}
		return
	}
	switch {
	case s == 1 && xs == 1:
		copy(src.data[base+v0:][:len(vals)], vals)
	case s == 1:
		d := src.data[base+v0:]
		_ = d[(len(vals)-1)*xs]
		for k, v := range vals {
			d[k*xs] = v
		}
	case xs%s == 0:
		// Every element falls in the same column phase.
		d := src.data[base+v0%s*np+v0/s:]
		st := xs / s
		_ = d[(len(vals)-1)*st]
		for k, v := range vals {
			d[k*st] = v
		}
	case xs == 1 && s == 2:
		// Even input columns go to column phase 0, odd ones to phase 1.
		if v0%2 == 1 {
			src.data[base+np+v0/2] = vals[0]
			vals, v0 = vals[1:], v0+1
		}
		n := len(vals)
		d0 := src.data[base+v0/2:][:(n+1)/2]
		d1 := src.data[base+np+v0/2:][:n/2]
		gemm.Deinterleave2(d0, d1, vals)
	case xs == 1 && s == 4:
		// Element k goes to column phase (v0+k) mod 4.
		var ph [4][]float32
		for k := range ph {
			w := v0 + k
			ph[k] = src.data[base+w%4*np+w/4:][:(len(vals)-k+3)/4]
		}
		gemm.Deinterleave4(ph[0], ph[1], ph[2], ph[3], vals)
	case xs == 1:
		// Column phase r takes every s-th element.
		for r := 0; r < s; r++ {
			k0 := ((r-v0)%s + s) % s
			if k0 >= len(vals) {
				continue
			}
			d := src.data[base+r*np+(v0+k0)/s:]
			for i, k := 0, k0; k < len(vals); i, k = i+1, k+s {
				d[i] = vals[k]
			}
		}
	default:
		for k, v := range vals {
			w := v0 + k*xs
			src.data[base+w%s*np+w/s] = v
		}
	}
}

// storeRows writes a row segment of channels 0 … c−1: from[o·ld+k] goes to
// input element (o, y, x0+k) for k < n. A step-4 source (the input of a
// stride-2 Winograd convolution, of row step 4 or 8) takes all channels in
// one assembly call.
func (src *source) storeRows(c, y, x0 int, from []float32, ld, n int) {
	if c <= 0 || n <= 0 {
		return
	}
	np := src.hp * src.wp
	base, v0 := src.rowAt(0, y, x0)
	if src.step != 4 {
		if src.half != nil {
			panic("model: bfloat16 planes need column step 4")
		}
		for o := 0; o < c; o++ {
			src.store(o, y, x0, 1, from[o*ld:][:n])
		}
		return
	}
	// Element k goes to column phase (v0+k) mod 4, position (v0+k)/4.
	var off [4]int
	for k := range off {
		w := v0 + k
		off[k] = base + w%4*np + w/4
	}
	cs := src.geom().planes() // channel stride
	if src.half != nil {
		gemm.Deinterleave4RowsBF16(src.half, &off, cs, from, ld, n, c)
		return
	}
	gemm.Deinterleave4Rows(src.data, &off, cs, from, ld, n, c)
}

// storeTileRows writes the outputs of a row of Winograd tiles for channels
// 0 … c−1: for xx < q and k < cnt, from[o·ld+xx·n+k] goes to input element
// (o, y, x0+q·k+xx). A band of tiles stores a few dozen values per channel
// and row, so the layouts the layers use find the first channel's row once
// and run one many-row assembly call for all channels.
func (src *source) storeTileRows(c, y, x0, q int, from []float32, ld, n, cnt int) {
	if c <= 0 || cnt <= 0 {
		return
	}
	s, np := src.step, src.hp*src.wp
	cs := src.geom().planes() // channel stride
	base, v0 := src.rowAt(0, y, x0)
	_ = from[(c-1)*ld+(q-1)*n+cnt-1]
	switch {
	case s == 1 && q == 4:
		gemm.Interleave4Rows(src.data[base+v0:], cs, from, ld, n, cnt, c)
	case s == 1 && q == 2:
		gemm.Interleave2Rows(src.data[base+v0:], cs, from, ld, n, cnt, c)
	case s == 2 && q == 4:
		// Columns v0+xx and v0+xx+2 are neighbours in column phase
		// (v0+xx) mod 2.
		for xx := 0; xx < 2; xx++ {
			v := v0 + xx
			gemm.Interleave2Rows(src.data[base+v%2*np+v/2:], cs, from[xx*n:], ld, 2*n, cnt, c)
		}
	case s == 4 && q == 4:
		// Columns v0+xx+4k all lie in column phase (v0+xx) mod 4, one
		// after the other.
		for xx := 0; xx < 4; xx++ {
			v := v0 + xx
			at := base + v%4*np + v/4
			if src.half != nil {
				gemm.RoundRowsBF16(src.half[at:], cs, from[xx*n:], ld, cnt, c)
				continue
			}
			for o := 0; o < c; o++ {
				copy(src.data[at+o*cs:][:cnt], from[o*ld+xx*n:][:cnt])
			}
		}
	case s == 4 && q == 2:
		// Column v0+xx+2k alternates between phases (v0+xx) mod 4 and
		// (v0+xx+2) mod 4.
		for xx := 0; xx < 2; xx++ {
			v, w := v0+xx, v0+xx+2
			gemm.Deinterleave2Rows(src.data[base+v%4*np+v/4:], src.data[base+w%4*np+w/4:], cs, from[xx*n:], ld, cnt, c)
		}
	default:
		for o := 0; o < c; o++ {
			for xx := 0; xx < q; xx++ {
				src.store(o, y, x0+xx, q, from[o*ld+xx*n:][:cnt])
			}
		}
	}
}

// store2 writes a[k] to input element (o, y, x0+2k) and b[k] to
// (o, y, x0+2k+1) of a step-1 source; b has len(a) or len(a)−1 elements.
func (src *source) store2(o, y, x0 int, a, b []float32) {
	if len(a) == 0 {
		return
	}
	d := src.data[(o*src.hp+y+src.pad)*src.wp+x0+src.pad:]
	gemm.Interleave2(d[:len(a)+len(b)], a, b)
}

// release returns pooled planes to the pool.
func (src *source) release() {
	if src.pooled {
		k := src.key()
		if src.half != nil {
			putPooled(&halfPools, src.half, k, src.zeroPad)
		} else {
			putPooled(&floatPools, src.data, k, src.zeroPad)
		}
	}
	src.data, src.half = nil, nil
}

// halfCopy returns src's values rounded to bfloat16 in new bfloat16 planes
// of the same layout.
func (src *source) halfCopy(workers int) *source {
	h := newHalfSource(src.c, src.h, src.w, src.geom(), workers)
	n := src.geom().planes()
	parallelFor(workers, src.c, 0, func(c int, _ []float32) {
		for i, v := range src.data[c*n : (c+1)*n] {
			h.half[c*n+i] = gemm.RoundBF16(v)
		}
	})
	return h
}

// tensor returns the plain source as a tensor sharing its storage.
func (src *source) tensor() *Tensor {
	return &Tensor{C: src.c, H: src.h, W: src.w, Data: src.data}
}

// offsets returns, for every tap, where its plane's value for output
// position 0 lies in src.data.
func (src *source) offsets(taps []tap) []int {
	s, rs, np := src.step, src.rstep, src.hp*src.wp
	off := make([]int, len(taps))
	for r, t := range taps {
		u, v := t.dy+src.pad, t.dx+src.pad
		off[r] = ((t.c*rs+u%rs)*s+v%s)*np + u/rs*src.wp + v/s
	}
	return off
}

// band adds the layer's product for output positions [q0, q1) (numbered
// y·wp+x) to c, whose rows (one per output channel) have stride ldc.
func (l *lowered) band(c []float32, ldc int, src *source, off []int, q0, q1 int) {
	gemm.SgemmRows(l.pa, q1-q0, src.data[q0:], off, c, ldc)
}

// bf16 returns the lowered weights rounded to bfloat16 and packed for
// gemm.SgemmBF16Panels, packing them the first time.
func (l *lowered) bf16() *gemm.PackedBF16 {
	l.pb.once.Do(func() {
		a := l.pa.Unpack()
		if s := l.pb.scale; s != 0 {
			for i, v := range a {
				a[i] = float32(float64(v) / float64(s))
			}
		}
		l.pb.pa = gemm.PackBF16(l.rows, len(l.taps), a, len(l.taps))
	})
	return l.pb.pa
}

// bandBF16 is band with the product's operands rounded to bfloat16: the
// taps' rows are gathered into pair panels first.
func (l *lowered) bandBF16(c []float32, ldc int, src *source, off []int, q0, q1 int) {
	const w = gemm.BF16PanelWidth
	n := q1 - q0
	kp := (len(off) + 1) / 2
	scale := l.pb.scale
	if scale == 0 {
		scale = 1
	}
	b := getWords(kp * ceilDiv(n, w) * w)
	defer words.Put(b)
	for j := 0; j*w < n; j++ {
		gemm.GatherPairsBF16((*b)[j*kp*w:], w, src.data[q0+j*w:], off, min(w, n-j*w), scale)
	}
	gemm.SgemmBF16Panels(l.bf16(), n, *b, c, ldc)
}

// post is what a layer applies to each band of its output before storing
// it: a GDN and then a LeakyReLU, either of them optional.
type post struct {
	gdn   *GDN
	leaky bool
	// bf16 lets the layer's convolution products and its GDN round their
	// operands to bfloat16 (precision.go); only encoder-only transforms
	// set it, and only where gemm.BF16Available.
	bf16 bool
}

// scratchLen is the number of floats post.apply needs for an n-column band
// of c channels.
func (p post) scratchLen(c, n int) int {
	if p.gdn == nil {
		return 0
	}
	return gdnScratch(c, n)
}

// apply runs the post-processing on the c×n band v (row stride n) in place.
func (p post) apply(v []float32, c, n int, scratch []float32) {
	if p.gdn != nil {
		p.gdn.band(v, n, n, scratch, p.bf16)
	}
	if p.leaky {
		leakyFloats(v[:c*n], LeakySlope)
	}
}

// panelCols returns n rounded up to whole GEMM panels (gemm.PanelWidth).
func panelCols(n int) int {
	w := gemm.PanelWidth()
	return (n + w - 1) / w * w
}

// fillBias sets row o of the c×n band v to bias[o].
func fillBias(v []float32, bias []float32, n int) {
	for o, b := range bias {
		gemm.Fill(v[o*n:(o+1)*n], b)
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
