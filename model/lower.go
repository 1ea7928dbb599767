// This file implements the lowering of convolutions to matrix products
// shared by Conv2D and ConvTranspose2D (docs/spec.md §4): the input is laid
// out once per layer so that every kernel tap reads one contiguous run of it
// for a run of output positions, and the product gathers those runs straight
// into the GEMM's packed panels, with no im2col matrix in between.

package model

import "github.com/aezip/aezip/internal/gemm"

// bandCols is the number of output positions per work item. A band of the
// layer's output (Out×bandCols floats, 256 KiB at 128 channels) stays in a
// core's L2 cache from the product through the fused normalisation to the
// final store. It depends only on the layer shape, never on the number of
// goroutines, and the product sums every element in the same order whatever
// the band, so it does not change results either.
var bandCols = 512

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
}

func newLowered(rows int, a []float32, taps []tap, step int) lowered {
	return lowered{rows: rows, pa: gemm.PackA(rows, len(taps), a, len(taps)), taps: taps, step: step}
}

// source is a layer input rearranged for lowered convolutions of one step
// s: for every channel c and phase (ry, rx) a plane of hp×wp values holds
// in[c][s·Y+ry−pad][s·X+rx−pad] at (Y, X), zero outside the input. Output
// position (y, x) of a lowered convolution is numbered y·wp+x, and tap
// (c, dy, dx) reads it at a fixed offset from that number (see offsets), so
// a band of consecutive positions is a band of every tap's plane. Positions
// with x ≥ the output width are computed and thrown away.
type source struct {
	data      []float32
	pooled    bool
	step, pad int
	hp, wp    int
}

// sourceSize returns the padding and plane size that lowered convolutions
// of the given step need to produce ho×wo outputs from taps.
func sourceSize(step, ho, wo int, taps ...[]tap) (pad, hp, wp int) {
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
	return pad, ho + ey, wo + ex
}

// newSource lays out x for lowered convolutions. When the layout is x
// itself (step 1, no padding, planes of x's size) it uses x's storage;
// otherwise the planes come from the pool and must be released with
// release.
func newSource(x *Tensor, step, pad, hp, wp int) *source {
	src := &source{step: step, pad: pad, hp: hp, wp: wp}
	if step == 1 && pad == 0 && hp == x.H && wp == x.W {
		src.data = x.Data[:x.Len()]
		return src
	}
	s := step
	np := hp * wp
	src.data = getFloats(x.C * s * s * np)
	src.pooled = true
	hw := x.H * x.W
	parallelFor(x.C, 0, func(c int, _ []float32) {
		in := x.Data[c*hw : (c+1)*hw]
		for ry := 0; ry < s; ry++ {
			for rx := 0; rx < s; rx++ {
				plane := src.data[((c*s+ry)*s+rx)*np:][:np]
				// Columns X whose input column s·X+rx−pad is inside.
				xlo := min(max(ceilDiv(pad-rx, s), 0), wp)
				xhi := max(min(floorDiv(x.W-1+pad-rx, s)+1, wp), xlo)
				for y := 0; y < hp; y++ {
					row := plane[y*wp : (y+1)*wp]
					iy := s*y + ry - pad
					if iy < 0 || iy >= x.H || xlo >= xhi {
						clear(row)
						continue
					}
					clear(row[:xlo])
					clear(row[xhi:])
					d := row[xlo:xhi]
					from := in[iy*x.W+s*xlo+rx-pad:]
					if s == 1 {
						copy(d, from[:len(d)])
						continue
					}
					_ = from[(len(d)-1)*s]
					for i := range d {
						d[i] = from[i*s]
					}
				}
			}
		}
	})
	return src
}

func (src *source) release() {
	if src.pooled {
		putFloats(src.data)
	}
	src.data = nil
}

// offsets returns, for every tap, where its plane's value for output
// position 0 lies in src.data.
func (src *source) offsets(taps []tap) []int {
	s, np := src.step, src.hp*src.wp
	off := make([]int, len(taps))
	for r, t := range taps {
		u, v := t.dy+src.pad, t.dx+src.pad
		off[r] = ((t.c*s+u%s)*s+v%s)*np + u/s*src.wp + v/s
	}
	return off
}

// band adds the layer's product for output positions [q0, q1) (numbered
// y·wp+x) to c, whose rows (one per output channel) have stride ldc.
func (l *lowered) band(c []float32, ldc int, src *source, off []int, q0, q1 int) {
	gemm.SgemmRows(l.pa, q1-q0, src.data[q0:], off, c, ldc)
}

// post is what a layer applies to each band of its output before storing
// it: a GDN and then a LeakyReLU, either of them optional.
type post struct {
	gdn   *GDN
	leaky bool
}

// scratchLen is the number of floats post.apply needs for an n-column band
// of c channels.
func (p post) scratchLen(c, n int) int {
	if p.gdn == nil {
		return 0
	}
	return 2 * c * n
}

// apply runs the post-processing on the c×n band v (row stride n) in place.
func (p post) apply(v []float32, c, n int, scratch []float32) {
	if p.gdn != nil {
		p.gdn.band(v, n, n, scratch)
	}
	if p.leaky {
		leakyFloats(v[:c*n], LeakySlope)
	}
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
