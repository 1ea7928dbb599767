// This file implements the float transforms g_a (Analysis), g_s (Synthesis)
// and h_a (HyperAnalysis) built from named parameters, as specified in
// docs/spec.md §4.

package model

import (
	"fmt"
	"strconv"
)

// ParamError reports a missing or malformed parameter tensor, or layer
// sizes out of range.
type ParamError struct {
	Name   string // tensor name, such as "g_s.0.weight"; empty for layer sizes
	Reason string
}

func (e *ParamError) Error() string {
	if e.Name == "" {
		return "model: bad parameters: " + e.Reason
	}
	return "model: parameter " + strconv.Quote(e.Name) + ": " + e.Reason
}

// maxWidth bounds N and M.
const maxWidth = 4096

// stage is one layer of a transform. Exactly one of conv, deconv and gdn is
// set; leaky applies LeakyReLU(LeakySlope) after it.
type stage struct {
	conv   *Conv2D
	deconv *ConvTranspose2D
	gdn    *GDN
	leaky  bool
}

func (s *stage) outShape(c, h, w int) (int, int, int) {
	switch {
	case s.conv != nil:
		h, w = s.conv.OutputSize(h, w)
		return s.conv.Out, h, w
	case s.deconv != nil:
		h, w = s.deconv.OutputSize(h, w)
		return s.deconv.Out, h, w
	}
	return c, h, w
}

// net is a chain of stages with the input channel count it expects.
type net struct {
	in     int
	stages []stage
}

// forward runs the chain on up to workers goroutines (runtime.GOMAXPROCS
// when workers ≤ 0). Intermediate activations come from the pool and go
// back to it; the result is a fresh tensor owned by the caller.
func (n *net) forward(x *Tensor, name string, workers int, prec Precision) *Tensor {
	if x.C != n.in {
		panic(fmt.Sprintf("model: %s input has %d channels, want %d", name, x.C, n.in))
	}
	c, h, w := x.C, x.H, x.W
	for i := range n.stages {
		c, h, w = n.stages[i].outShape(c, h, w)
		if h <= 0 || w <= 0 {
			panic(fmt.Sprintf("model: %s input %d×%d too small", name, x.H, x.W))
		}
	}
	// Each convolution reads a source (lower.go). It stores its output
	// straight into the source of the next convolution when that one reads
	// sources, and into a plain tensor otherwise. Exactly one of t (plain)
	// and src holds the current activation.
	t, pooled := x, false
	var src *source
	c, h, w = x.C, x.H, x.W
	for i := 0; i < len(n.stages); i++ {
		st := &n.stages[i]
		if st.gdn != nil {
			if !pooled {
				next := newPooledTensor(t.C, t.H, t.W)
				st.gdn.forward(next, t, workers)
				t, pooled = next, true
			} else {
				st.gdn.forward(t, t, workers)
			}
			if st.leaky {
				LeakyReLU(t, LeakySlope)
			}
			continue
		}
		// A GDN right after a convolution runs on each band of its output
		// while the band is in cache, as does a LeakyReLU.
		pp := post{leaky: st.leaky, bf16: prec.bf16()}
		if i+1 < len(n.stages) && n.stages[i+1].gdn != nil && !st.leaky {
			i++
			pp.gdn, pp.leaky = n.stages[i].gdn, n.stages[i].leaky
		}
		oc, oh, ow := st.outShape(c, h, w)
		last := i == len(n.stages)-1
		newPlain := func() *Tensor {
			if last {
				return NewTensor(oc, oh, ow)
			}
			return newPooledTensor(oc, oh, ow)
		}
		if !st.readsSource() {
			next := newPlain()
			st.deconv.forwardTaps(next, t, workers)
			if pp.gdn != nil {
				pp.gdn.forward(next, next, workers)
			}
			if pp.leaky {
				LeakyReLU(next, LeakySlope)
			}
			if pooled {
				releaseTensor(t)
			}
			t, pooled = next, !last
			c, h, w = oc, oh, ow
			continue
		}
		if src == nil {
			src = sourceOf(t, st.geom(h, w, pp.bf16), workers)
			if !src.pooled {
				src.pooled = pooled // src is t itself
			} else if pooled {
				releaseTensor(t)
			}
			t = nil
		}
		var next *Tensor
		var dst *source
		if !last && n.stages[i+1].readsSource() {
			g := n.stages[i+1].geom(oh, ow, pp.bf16)
			if st.storesHalf(&n.stages[i+1], g, pp) {
				dst = newHalfSource(oc, oh, ow, g, workers)
			} else {
				dst = newSource(oc, oh, ow, g, workers)
			}
		} else {
			next = newPlain()
			dst = plainSource(next)
		}
		if st.conv != nil {
			st.conv.forward(dst, src, pp, workers)
		} else {
			st.deconv.forward(dst, src, pp, workers)
		}
		src.release()
		src = nil
		if next != nil {
			t, pooled = next, !last
		} else {
			src = dst
		}
		c, h, w = oc, oh, ow
	}
	if pooled {
		// The chain ended with an in-place stage; hand out exact-size storage.
		out := t.Clone()
		releaseTensor(t)
		t = out
	}
	return t
}

// storesHalf reports whether the stage may store its output for next in
// bfloat16 planes (source.half): next is a Winograd convolution that rounds
// its operands to bfloat16 anyway, on planes of column step 4, and the
// stage a lowered convolution (which stores with storeRows) or one with
// the tiles of four of winograd4.go (whose rows of tiles are whole rows
// of next's planes).
func (s *stage) storesHalf(next *stage, g geom, pp post) bool {
	return pp.bf16 && s.conv != nil && (s.conv.wino == nil || s.conv.useTile4(pp.bf16)) && g.step == 4 &&
		next.conv != nil && next.conv.wino != nil && next.conv.wino.usesBF16(pp)
}

// readsSource reports whether the stage is a convolution that reads its
// input as a source.
func (s *stage) readsSource() bool {
	return s.conv != nil || (s.deconv != nil && !s.deconv.usesTaps())
}

// geom returns the source layout of a stage that reads sources, with
// products in bfloat16 if bf16.
func (s *stage) geom(h, w int, bf16 bool) geom {
	if s.conv != nil {
		return s.conv.geom(h, w, bf16)
	}
	return s.deconv.geom(h, w)
}

// builder reads layers from Params, recording the first error.
type builder struct {
	p   Params
	err error
}

// tensor returns the data of name, checking its shape. Alternative shapes
// (such as [N][N][1][1] for a GDN gamma) are accepted when they have the
// same element order.
func (b *builder) tensor(name string, shapes ...[]int) []float32 {
	if b.err != nil {
		return nil
	}
	v, ok := b.p[name]
	if !ok {
		b.err = &ParamError{Name: name, Reason: "missing"}
		return nil
	}
	for _, s := range shapes {
		if equalShape(v.Shape, s) {
			n := 1
			for _, d := range s {
				n *= d
			}
			if len(v.Data) != n {
				b.err = &ParamError{Name: name, Reason: fmt.Sprintf("%d values for shape %v", len(v.Data), v.Shape)}
				return nil
			}
			return v.Data
		}
	}
	b.err = &ParamError{Name: name, Reason: fmt.Sprintf("shape %v, want %v", v.Shape, shapes[0])}
	return nil
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wrap prefixes a layer constructor's error with the layer name.
func (b *builder) wrap(prefix string, err error) {
	if err == nil || b.err != nil {
		return
	}
	if pe, ok := err.(*ParamError); ok {
		name := prefix
		if pe.Name != "" {
			name += "." + pe.Name
		}
		err = &ParamError{Name: name, Reason: pe.Reason}
	}
	b.err = err
}

func (b *builder) conv(prefix string, in, out, k, stride, pad int, leaky bool) stage {
	w := b.tensor(prefix+".weight", []int{out, in, k, k})
	bias := b.tensor(prefix+".bias", []int{out})
	if b.err != nil {
		return stage{}
	}
	l, err := NewConv2D(in, out, k, stride, pad, w, bias)
	b.wrap(prefix, err)
	return stage{conv: l, leaky: leaky}
}

func (b *builder) deconv(prefix string, in, out int, leaky bool) stage {
	w := b.tensor(prefix+".weight", []int{in, out, 5, 5})
	bias := b.tensor(prefix+".bias", []int{out})
	if b.err != nil {
		return stage{}
	}
	l, err := NewConvTranspose2D(in, out, 5, 2, 2, 1, w, bias)
	b.wrap(prefix, err)
	return stage{deconv: l, leaky: leaky}
}

func (b *builder) gdn(prefix string, n int, inverse bool) stage {
	beta := b.tensor(prefix+".beta", []int{n})
	gamma := b.tensor(prefix+".gamma", []int{n, n}, []int{n, n, 1, 1})
	if b.err != nil {
		return stage{}
	}
	l, err := NewGDN(n, beta, gamma, inverse)
	b.wrap(prefix, err)
	return stage{gdn: l}
}

func checkWidths(n, m int) error {
	if n <= 0 || n > maxWidth || m <= 0 || m > maxWidth {
		return &ParamError{Reason: fmt.Sprintf("widths N=%d M=%d out of range [1, %d]", n, m, maxWidth)}
	}
	return nil
}

// Analysis is the analysis transform g_a: an RGB image (3×H×W, values in
// [0,1]) to the latent y (M×H/16×W/16, rounded up).
type Analysis struct {
	N, M int
	net  net
}

// NewAnalysis builds g_a from the tensors g_a.0 … g_a.6 of p with widths n
// and m. It returns a *ParamError if a tensor is missing, has the wrong shape
// or holds invalid values.
func NewAnalysis(p Params, n, m int) (*Analysis, error) {
	if err := checkWidths(n, m); err != nil {
		return nil, err
	}
	b := &builder{p: p}
	stages := []stage{
		b.conv("g_a.0", 3, n, 5, 2, 2, false),
		b.gdn("g_a.1", n, false),
		b.conv("g_a.2", n, n, 5, 2, 2, false),
		b.gdn("g_a.3", n, false),
		b.conv("g_a.4", n, n, 5, 2, 2, false),
		b.gdn("g_a.5", n, false),
		b.conv("g_a.6", n, m, 5, 2, 2, false),
	}
	if b.err != nil {
		return nil, b.err
	}
	if c := stages[0].conv; c.wino == nil {
		// The image's 8-bit values k/255 are exact in bfloat16 as k.
		c.low.pb.scale = 255
	}
	// g_a.2, the largest layer, takes the larger bfloat16 tiles
	// (winograd4.go); the others keep F(2,·), whose outputs depend on
	// their receptive fields only (g_a.6's tiles of four would also break
	// the codec's strips, which start on even latent rows).
	stages[2].conv.tile4 = true
	return &Analysis{N: n, M: m, net: net{in: 3, stages: stages}}, nil
}

// Forward returns g_a(x) for a 3-channel image x. Every size works; the codec
// pads images to a multiple of [PadMultiple] first. It panics with a
// "model: " message if x does not have 3 channels.
func (a *Analysis) Forward(x *Tensor) *Tensor { return a.net.forward(x, "Analysis", 0, Float32) }

// Synthesis is the synthesis transform g_s: a latent (M×h×w) to an RGB
// image (3×16h×16w), not clamped.
type Synthesis struct {
	N, M int
	net  net
}

// NewSynthesis builds g_s from the tensors g_s.0 … g_s.6 of p with widths n
// and m. It returns a *ParamError if a tensor is missing, has the wrong shape
// or holds invalid values.
func NewSynthesis(p Params, n, m int) (*Synthesis, error) {
	if err := checkWidths(n, m); err != nil {
		return nil, err
	}
	b := &builder{p: p}
	stages := []stage{
		b.deconv("g_s.0", m, n, false),
		b.gdn("g_s.1", n, true),
		b.deconv("g_s.2", n, n, false),
		b.gdn("g_s.3", n, true),
		b.deconv("g_s.4", n, n, false),
		b.gdn("g_s.5", n, true),
		b.deconv("g_s.6", n, 3, false),
	}
	if b.err != nil {
		return nil, b.err
	}
	return &Synthesis{N: n, M: m, net: net{in: m, stages: stages}}, nil
}

// Forward returns g_s(x) for an M-channel latent x. It panics with a
// "model: " message if x does not have M channels or is empty.
func (s *Synthesis) Forward(x *Tensor) *Tensor { return s.net.forward(x, "Synthesis", 0, Float32) }

// HyperAnalysis is the hyper-analysis transform h_a: the scaled latent
// (M×h×w) to the hyper-latent z (N×h/4×w/4, rounded up).
type HyperAnalysis struct {
	N, M int
	net  net
}

// NewHyperAnalysis builds h_a from the tensors h_a.0, h_a.2 and h_a.4 of p
// with widths n and m. It returns a *ParamError if a tensor is missing, has
// the wrong shape or holds invalid values.
func NewHyperAnalysis(p Params, n, m int) (*HyperAnalysis, error) {
	if err := checkWidths(n, m); err != nil {
		return nil, err
	}
	b := &builder{p: p}
	stages := []stage{
		b.conv("h_a.0", m, n, 3, 1, 1, true),
		b.conv("h_a.2", n, n, 5, 2, 2, true),
		b.conv("h_a.4", n, n, 5, 2, 2, false),
	}
	if b.err != nil {
		return nil, b.err
	}
	return &HyperAnalysis{N: n, M: m, net: net{in: m, stages: stages}}, nil
}

// Forward returns h_a(x) for an M-channel latent x. It panics with a
// "model: " message if x does not have M channels or is empty.
func (h *HyperAnalysis) Forward(x *Tensor) *Tensor {
	return h.net.forward(x, "HyperAnalysis", 0, Float32)
}

// ForwardWorkers is [HyperAnalysis.Forward] on at most workers goroutines
// (runtime.GOMAXPROCS when workers ≤ 0). The result does not depend on
// workers.
func (h *HyperAnalysis) ForwardWorkers(x *Tensor, workers int) *Tensor {
	return h.net.forward(x, "HyperAnalysis", workers, Float32)
}

// ForwardPrecision is [HyperAnalysis.ForwardWorkers] with the products
// computed at precision p. The result does not depend on workers.
func (h *HyperAnalysis) ForwardPrecision(x *Tensor, workers int, p Precision) *Tensor {
	return h.net.forward(x, "HyperAnalysis", workers, p)
}

// ForwardTiled returns g_s(x) bit for bit as [Synthesis.Forward] does, but
// computes it tile by tile: the latent is cut into tiles of at most
// tile×tile positions, each extended by the halo its outputs depend on, so
// the intermediate activations are bounded by the tile size instead of the
// image size. A tile of 32 (512×512 output pixels) keeps the largest
// intermediate under about 45 MB at N = 128. tile ≤ 0 means no tiling. It
// panics with a "model: " message if x does not have M channels or is empty.
func (s *Synthesis) ForwardTiled(x *Tensor, tile int) *Tensor {
	return s.net.forwardTiled(x, tile, "Synthesis", 0, Float32)
}

// ForwardTiledWorkers is [Synthesis.ForwardTiled] on at most workers
// goroutines (runtime.GOMAXPROCS when workers ≤ 0). The result does not
// depend on workers.
func (s *Synthesis) ForwardTiledWorkers(x *Tensor, tile, workers int) *Tensor {
	return s.net.forwardTiled(x, tile, "Synthesis", workers, Float32)
}

// ForwardTiled returns g_a(x) bit for bit as [Analysis.Forward] does, but
// computes it tile by tile: the latent is cut into tiles of at most
// tile×tile positions and each is computed from the part of the image it
// depends on, so the intermediate activations are bounded by the tile size
// instead of the image size (tile 32: 512×512 image pixels and a largest
// intermediate of about 45 MB at N = 128). tile ≤ 0 means no tiling. It panics
// with a "model: " message if x does not have 3 channels or is too small.
func (a *Analysis) ForwardTiled(x *Tensor, tile int) *Tensor {
	return a.net.forwardTiled(x, tile, "Analysis", 0, Float32)
}

// ForwardTiledWorkers is [Analysis.ForwardTiled] on at most workers
// goroutines (runtime.GOMAXPROCS when workers ≤ 0). The result does not
// depend on workers.
func (a *Analysis) ForwardTiledWorkers(x *Tensor, tile, workers int) *Tensor {
	return a.net.forwardTiled(x, tile, "Analysis", workers, Float32)
}

// ForwardPrecision is [Analysis.ForwardTiledWorkers] with the products
// computed at precision p. For every p the result is the same bits for
// every tile size and worker count.
func (a *Analysis) ForwardPrecision(x *Tensor, tile, workers int, p Precision) *Tensor {
	return a.net.forwardTiled(x, tile, "Analysis", workers, p)
}

// forwardTiled computes the chain on tiles of the coarser of its input and
// output grids (tile positions there) and assembles the output. It relies on
// every stage being shift-equivariant: moving the input by a multiple of
// the chain's total down-sampling moves the output by the scaled amount,
// and each output position depends only on the input range that needRange
// derives. The chain must consist of convolutions only or transposed
// convolutions only (plus pointwise stages).
func (n *net) forwardTiled(x *Tensor, tile int, name string, workers int, prec Precision) *Tensor {
	if x.C != n.in {
		panic(fmt.Sprintf("model: %s input has %d channels, want %d", name, x.C, n.in))
	}
	st := n.stages
	// Sizes along each axis at the input of every stage, the total up- and
	// down-sampling, and the output shape.
	hs, ws := []int{x.H}, []int{x.W}
	up, down := 1, 1
	oc := x.C
	for i := range st {
		c, h, w := st[i].outShape(oc, hs[i], ws[i])
		if h <= 0 || w <= 0 {
			panic(fmt.Sprintf("model: %s input %d×%d too small", name, x.H, x.W))
		}
		oc = c
		hs, ws = append(hs, h), append(ws, w)
		switch {
		case st[i].deconv != nil:
			up *= st[i].deconv.Stride
		case st[i].conv != nil:
			down *= st[i].conv.Stride
		}
	}
	out := NewTensor(oc, hs[len(st)], ws[len(st)])
	step := tile * up // output positions per tile
	if tile <= 0 || (out.H <= step && out.W <= step) {
		return n.forward(x, name, workers, prec)
	}
	for oy0 := 0; oy0 < out.H; oy0 += step {
		oy1 := min(oy0+step, out.H)
		l0, l1 := needRange(st, hs, oy0, oy1, 2*down, prec.bf16())
		for ox0 := 0; ox0 < out.W; ox0 += step {
			ox1 := min(ox0+step, out.W)
			m0, m1 := needRange(st, ws, ox0, ox1, 2*down, prec.bf16())
			part := newPooledTensor(x.C, l1-l0, m1-m0)
			for c := 0; c < x.C; c++ {
				for y := l0; y < l1; y++ {
					copy(part.Data[(c*part.H+y-l0)*part.W:][:part.W], x.Data[(c*x.H+y)*x.W+m0:][:part.W])
				}
			}
			res := n.forward(part, name, workers, prec)
			releaseTensor(part)
			// The part's output starts at absolute position (l0, m0)·up/down.
			dy, dx := oy0-l0*up/down, ox0-m0*up/down
			for c := 0; c < oc; c++ {
				for y := oy0; y < oy1; y++ {
					copy(out.Data[(c*out.H+y)*out.W+ox0:][:ox1-ox0], res.Data[(c*res.H+y-oy0+dy)*res.W+dx:][:ox1-ox0])
				}
			}
		}
	}
	return out
}

// needRange walks the stages backwards and returns the input rows [lo, hi)
// that output rows [lo, hi) depend on, with lo rounded down to a multiple
// of align; sizes[i] is the extent at the input of stage i. forwardTiled
// aligns to twice the chain's down-sampling, so that every stage's grid
// starts on an even row and its Winograd tiles (winograd.go) coincide with
// those of the whole image. A convolution
// output o reads input rows o·Stride−Pad … o·Stride−Pad+K−1; a transposed
// convolution output o receives input rows (o+Pad−ky)/Stride for the kernel
// rows ky that divide evenly. A layer with the larger tiles of
// winograd4.go (bfloat16 products, bf16) rounds an output's bits with
// every sample of its tile, so its range first grows to whole tiles.
func needRange(st []stage, sizes []int, lo, hi, align int, bf16 bool) (int, int) {
	for i := len(st) - 1; i >= 0; i-- {
		switch c, d := st[i].conv, st[i].deconv; {
		case c != nil:
			if c.useTile4(bf16) {
				lo, hi = lo/tile4Q*tile4Q, min(ceilDiv(hi, tile4Q)*tile4Q, sizes[i+1])
			}
			lo = max(lo*c.Stride-c.Pad, 0)
			hi = min((hi-1)*c.Stride-c.Pad+c.K, sizes[i])
		case d != nil:
			lo = max(ceilDiv(lo+d.Pad-d.K+1, d.Stride), 0)
			hi = min(floorDiv(hi-1+d.Pad, d.Stride)+1, sizes[i])
		}
	}
	return lo / align * align, hi
}
