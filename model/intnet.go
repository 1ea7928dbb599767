// This file implements the integer hyper-synthesis h_s (int16 activations and
// weights, exact accumulation: int32 within groups of 16 input channels,
// int64 across them, per-channel requantisation), as specified
// in docs/spec.md §5.4. Its output decides the entropy-coding tables, so it is
// integer-only and bit-identical on every platform.

package model

import (
	"fmt"
	"math/bits"
)

// The accumulation of one output is split into groups of groupSize
// consecutive input channels. The importer guarantees, for every output
// channel, group and (transposed) tap phase, Σ|w_q|·32768 < accBound: each
// group's sum is then exact in int32, whatever the order (int32 addition
// wraps modulo 2^32, so SIMD pairwise sums give the same bits), and the
// group sums and the bias add up exactly in int64. Groups let the weights
// use steps about In/groupSize times finer than one int32 bound per channel
// would allow.
const (
	groupSize = 16
	accBound  = 1 << 31
	multBits  = 24 // Mult < 2^24, so |acc·Mult| < 2^38·2^24 fits int64
)

// IntLayer is one integer layer of the hyper-synthesis: a stride-2
// ConvTranspose2d (k5, p2, op1) or a stride-1 Conv2d (k3, p1), followed by
// per-output-channel requantisation and an optional integer LeakyReLU.
type IntLayer struct {
	In, Out    int
	Transposed bool // ConvTranspose2d k5 s2 p2 op1; else Conv2d k3 s1 p1
	Leaky      bool // apply the integer LeakyReLU after requantisation

	// Weight is in PyTorch layout: [Out][In][3][3] for Conv2d,
	// [In][Out][5][5] for ConvTranspose2d.
	Weight []int16
	Bias   []int32 // [Out], in accumulator units
	Mult   []int32 // [Out], in [0, 2^24)
	Shift  []int32 // [Out], in [1, 62]
}

// kernel returns the kernel size of the layer.
func (l *IntLayer) kernel() int {
	if l.Transposed {
		return 5
	}
	return 3
}

// weightAt returns w_q for output o, input i, tap (ky, kx).
func (l *IntLayer) weightAt(o, i, ky, kx int) int16 {
	k := l.kernel()
	if l.Transposed {
		return l.Weight[((i*l.Out+o)*k+ky)*k+kx]
	}
	return l.Weight[((o*l.In+i)*k+ky)*k+kx]
}

// check verifies shapes, multiplier and shift ranges and the accumulator
// bound of every output channel.
func (l *IntLayer) check(name string) error {
	k := l.kernel()
	switch {
	case l.In <= 0 || l.Out <= 0:
		return FormatError(name + ": empty layer")
	case len(l.Weight) != l.In*l.Out*k*k, len(l.Bias) != l.Out, len(l.Mult) != l.Out, len(l.Shift) != l.Out:
		return FormatError(name + ": tensor sizes do not match the architecture")
	}
	for o := 0; o < l.Out; o++ {
		if l.Mult[o] < 0 || l.Mult[o] >= 1<<multBits {
			return FormatError(fmt.Sprintf("%s: multiplier out of [0,2^%d) in channel %d", name, multBits, o))
		}
		if l.Shift[o] < 1 || l.Shift[o] > 62 {
			return FormatError(fmt.Sprintf("%s: shift %d out of [1,62] in channel %d", name, l.Shift[o], o))
		}
	}
	for o := 0; o < l.Out; o++ {
		for g := 0; g*groupSize < l.In; g++ {
			if v := l.groupSum(o, g) * 32768; v >= accBound {
				return &BoundError{Layer: name, Channel: o, Group: g, Sum: v}
			}
		}
	}
	return nil
}

// phase returns the output phase of tap t: a stride-2 transposed conv adds
// tap (ky, kx) only to outputs (y, x) with y ≡ ky and x ≡ kx (mod 2), so
// the taps fall into four disjoint groups and one output sums one group. A
// Conv2d has one group.
func (l *IntLayer) phase(t int) int {
	if !l.Transposed {
		return 0
	}
	k := l.kernel()
	return (t/k)%2*2 + (t%k)%2
}

// groupSum returns the largest Σ|w_q| over the weights of input group g
// that one output of channel o adds up (the largest phase).
func (l *IntLayer) groupSum(o, g int) int64 {
	k := l.kernel()
	var ph [4]int64
	for i := g * groupSize; i < min((g+1)*groupSize, l.In); i++ {
		for t := 0; t < k*k; t++ {
			ph[l.phase(t)] += abs64(int64(l.weightAt(o, i, t/k, t%k)))
		}
	}
	return max(ph[0], ph[1], ph[2], ph[3])
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func clamp32(v int64) int32 {
	if v > 1<<31-1 {
		return 1<<31 - 1
	}
	if v < -1<<31 {
		return -1 << 31
	}
	return int32(v)
}

func clamp16(v int64) int16 {
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return int16(v)
}

// IntHyperSynthesis is the integer hyper-synthesis h_s: ẑ (N channels) in,
// for every element of y (M channels, 4× the size of ẑ) a mean μq (the
// value is μq / 2^MeanBits) and a scale index in [0, K) out.
type IntHyperSynthesis struct {
	N, M int
	// Layers are h_s.0 (transposed, N→M), h_s.2 (transposed, M→3M/2) and
	// h_s.4 (Conv2d 3M/2→2M: channels 0..M-1 scales, M..2M-1 means).
	Layers   [3]IntLayer
	SlopeQ16 int32 // LeakyReLU slope in Q16
	MeanBits int   // F: the last layer's outputs are in units of 2^-F
	// Thresholds has K-1 non-decreasing entries: the scale index of an output
	// s is the number of thresholds that s exceeds.
	Thresholds []int32

	// packed holds each layer's phases with the weights packed, made by
	// check (the weights must not change afterwards); Forward packs them
	// itself for a network that was not checked or for another kernel
	// family.
	packed [3][]intPhase
	scales *scaleIndexer // made by check from Thresholds, which must not change afterwards either
}

// layerNames are the tensor prefixes of the three integer layers.
var layerNames = [3]string{"h_s.0", "h_s.2", "h_s.4"}

// check verifies that the network is consistent with N and M and that every
// layer satisfies the accumulator bound.
func (h *IntHyperSynthesis) check() error {
	want := [3][2]int{{h.N, h.M}, {h.M, 3 * h.M / 2}, {3 * h.M / 2, 2 * h.M}}
	for i := range h.Layers {
		l := &h.Layers[i]
		if l.In != want[i][0] || l.Out != want[i][1] || l.Transposed != (i < 2) || l.Leaky != (i < 2) {
			return FormatError(layerNames[i] + ": layer shape does not match the architecture")
		}
		if err := l.check(layerNames[i]); err != nil {
			return err
		}
	}
	if h.SlopeQ16 < 0 || h.SlopeQ16 > 1<<16 {
		return FormatError("LeakyReLU slope out of range")
	}
	if len(h.Thresholds) == 0 || len(h.Thresholds) > 255 {
		return FormatError("scale threshold count out of range")
	}
	for i := 1; i < len(h.Thresholds); i++ {
		if h.Thresholds[i] < h.Thresholds[i-1] {
			return FormatError("scale thresholds decrease")
		}
	}
	for i := range h.Layers {
		h.packed[i] = h.Layers[i].phases()
	}
	h.scales = newScaleIndexer(h.Thresholds)
	return nil
}

// Forward runs h_s on ẑ (N channels of h×w values, channel-major raster
// order; each value is clamped to int16) and returns, for the M×4h×4w
// elements of y in the same order, the means μq and the scale indices. It
// panics if len(zhat) != N·h·w. It uses up to runtime.GOMAXPROCS(0)
// goroutines.
func (h *IntHyperSynthesis) Forward(zhat []int32, hz, wz int) (meanQ []int32, scaleIdx []uint8) {
	return h.ForwardWorkers(zhat, hz, wz, 0)
}

// ForwardWorkers is [IntHyperSynthesis.Forward] on at most workers
// goroutines (runtime.GOMAXPROCS(0) when workers ≤ 0). The result is the
// same for every worker count.
func (h *IntHyperSynthesis) ForwardWorkers(zhat []int32, hz, wz, workers int) (meanQ []int32, scaleIdx []uint8) {
	if hz <= 0 || wz <= 0 || len(zhat) != h.N*hz*wz {
		panic(fmt.Sprintf("model: IntHyperSynthesis.Forward: len(zhat)=%d, want %d×%d×%d", len(zhat), h.N, hz, wz))
	}
	raw, idx := h.run(zhat, hz, wz, workers, true)
	return raw[len(raw)/2:], idx
}

// raw returns the last layer's int32 outputs: M planes of scales, then M
// planes of means, in units of 2^-MeanBits.
func (h *IntHyperSynthesis) raw(zhat []int32, hz, wz int) []int32 {
	r, _ := h.run(zhat, hz, wz, 0, false)
	return r
}

// scaleIndexer finds the scale index of an output: the number of
// thresholds it exceeds. A table keyed on the value's binary magnitude
// (scaleKey) gives the few thresholds that can lie between the value and
// its bucket's edges, so most lookups take no search step: log-spaced
// scale tables put about one threshold in each sixteenth of an octave.
type scaleIndexer struct {
	t     []int32
	start [scaleKeys + 1]uint8 // start[k]: thresholds whose key is below k
}

// scaleKeys is the number of buckets of scaleKey.
const scaleKeys = 1 + 31*16

// scaleKey maps v to its bucket, non-decreasing in v: 0 for v ≤ 0, else
// 16 buckets per power of two, split on the 4 bits after the leading one.
// A threshold in a lower bucket is below v and one in a higher bucket is
// above it.
func scaleKey(v int32) int {
	if v <= 0 {
		return 0
	}
	l := bits.Len32(uint32(v))
	m := uint32(v) << (32 - l) >> 27 & 15
	return 1 + (l-1)*16 + int(m)
}

// newScaleIndexer builds the table of the non-decreasing thresholds t
// (at most 255 of them).
func newScaleIndexer(t []int32) *scaleIndexer {
	s := &scaleIndexer{t: t}
	i := 0
	for k := range s.start {
		for i < len(t) && scaleKey(t[i]) < k {
			i++
		}
		s.start[k] = uint8(i)
	}
	return s
}

// index returns the number of thresholds that v exceeds.
func (s *scaleIndexer) index(v int32) int {
	k := scaleKey(v)
	lo, hi := int(s.start[k]), int(s.start[k+1])
	return lo + countBelow(s.t[lo:hi], v)
}

// countBelow returns the number of elements of the non-decreasing t that
// are below v. The search halves a window whose first element is the
// answer's lower bound; its one comparison per step compiles to a
// conditional move, since the branch on random scales is unpredictable.
func countBelow(t []int32, v int32) int {
	lo, n := 0, len(t)
	for n > 1 {
		half := n >> 1
		if t[lo+half-1] < v {
			lo += half
		}
		n -= half
	}
	if n == 1 && t[lo] < v {
		lo++
	}
	return lo
}

// indexer returns the scale indexer made by check, or a new one for a
// network that was not checked.
func (h *IntHyperSynthesis) indexer() *scaleIndexer {
	if h.scales != nil {
		return h.scales
	}
	return newScaleIndexer(h.Thresholds)
}
