// This file implements the coding of the latents, as specified in
// docs/spec.md §6 (entropy stage): ẑ with the per-channel tables, then the
// symbols of y' with the Gaussian tables chosen by the integer
// hyper-synthesis.

package codec

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/aezip/aezip/internal/rans"
	"github.com/aezip/aezip/model"
)

// maxSymbol bounds the coded integers: far beyond any trained model's
// range, and small enough that float→int conversion and μ addition cannot
// overflow.
const maxSymbol = 1 << 24

// tables are the rANS tables of one model, built once per model.
type tables struct {
	z     []*rans.Table // per channel of ẑ
	scale []*rans.Table // per scale index
}

var tableCache sync.Map // *model.Model → func() (*tables, error)

func modelTables(m *model.Model) (*tables, error) {
	f, ok := tableCache.Load(m)
	if !ok {
		f, _ = tableCache.LoadOrStore(m, sync.OnceValues(func() (*tables, error) { return buildTables(m) }))
	}
	return f.(func() (*tables, error))()
}

func buildTables(m *model.Model) (*tables, error) {
	t := &tables{z: make([]*rans.Table, len(m.ZCDFs)), scale: make([]*rans.Table, len(m.ScaleCDFs))}
	for i, c := range m.ZCDFs {
		var err error
		if t.z[i], err = rans.NewTable(c); err != nil {
			return nil, fmt.Errorf("codec: model z table %d: %w", i, err)
		}
	}
	for i, c := range m.ScaleCDFs {
		var err error
		if t.scale[i], err = rans.NewTable(c); err != nil {
			return nil, fmt.Errorf("codec: model scale table %d: %w", i, err)
		}
	}
	return t, nil
}

// latentCoder codes the latents of one padded image of pw × ph pixels.
type latentCoder struct {
	m      *model.Model
	tabs   *tables
	hy, wy int // y is M × hy × wy
	hz, wz int // z is N × hz × wz
}

func newLatentCoder(m *model.Model, pw, ph int) (*latentCoder, error) {
	tabs, err := modelTables(m)
	if err != nil {
		return nil, err
	}
	return &latentCoder{m: m, tabs: tabs, hy: ph / 16, wy: pw / 16, hz: ph / 64, wz: pw / 64}, nil
}

// channelIndex returns the table index of every element of a c × n
// channel-major stream: its channel.
func channelIndex(c, n int) []uint16 {
	idx := make([]uint16, c*n)
	for i := range idx {
		idx[i] = uint16(i / n)
	}
	return idx
}

// roundSym rounds half to even (as PyTorch does) and clamps to ±maxSymbol; NaN gives 0.
func roundSym(v float64) int32 {
	switch {
	case !(v == v):
		return 0
	case v > maxSymbol:
		return maxSymbol
	case v < -maxSymbol:
		return -maxSymbol
	}
	return int32(math.RoundToEven(v))
}

// encoded is the result of coding y' at one level.
type encoded struct {
	z, y []byte // the two rANS streams
	sym  []int32
	mean []int32
}

// encode codes the scaled latent yp (M × hy × wy, already multiplied by the
// gain): z = h_a(y'), ẑ = round(z), then s = round(y' − μ). The transforms
// use at most workers goroutines (0: GOMAXPROCS) and h_a runs at precision prec. Without keepMean the
// symbols overwrite the means (a whole latent less at the encoder's peak)
// and the result's mean is nil.
func (lc *latentCoder) encode(yp *model.Tensor, workers int, prec model.Precision, keepMean bool) (*encoded, error) {
	z := lc.m.HyperAnalysis.ForwardPrecision(yp, workers, prec)
	zhat := make([]int32, len(z.Data))
	for i, v := range z.Data {
		// h_s clamps its input to int16; clamping here makes the coded
		// value the one h_s sees.
		zhat[i] = min(max(roundSym(float64(v)), math.MinInt16), math.MaxInt16)
	}
	zb, err := rans.Encode(nil, lc.tabs.z, channelIndex(lc.m.Arch.N, lc.hz*lc.wz), zhat)
	if err != nil {
		return nil, fmt.Errorf("codec: coding z: %w", err)
	}
	mean, idx := hyperSynthesisStrips(lc.m, zhat, lc.hz, lc.wz, workers)
	scale := 1 / float64(int64(1)<<lc.m.Arch.MeanBits)
	sym := mean
	if keepMean {
		sym = make([]int32, len(yp.Data))
	}
	inParallel(workers, len(yp.Data), parallelElems, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			sym[i] = roundSym(float64(yp.Data[i]) - float64(mean[i])*scale)
		}
	})
	if !keepMean {
		mean = nil
	}
	yb, err := rans.Encode(nil, lc.tabs.scale, idx, sym)
	if err != nil {
		return nil, fmt.Errorf("codec: coding y: %w", err)
	}
	return &encoded{z: zb, y: yb, sym: sym, mean: mean}, nil
}

// reconstructInto writes one channel of ŷ' ⊙ inv_gain = (s + μ) ⊙ g, the
// input of g_s, to dst, for means in units of 2^-meanBits.
func reconstructInto(dst []float32, sym, mean []int32, g float32, meanBits int) {
	scale := float32(1 / float64(int64(1)<<meanBits))
	for i := range dst {
		// Explicit float32 conversions: no fused multiply-add, so every
		// platform computes the same g_s input.
		v := float32(sym[i]) + float32(float32(mean[i])*scale)
		dst[i] = float32(v * g)
	}
}

// decode decodes the two streams: ẑ, then h_s(ẑ), then the symbols, and
// returns the symbols and the means μq (the g_s input is built from them
// strip by strip, see synthesiseTile). off is the file's offset in the
// stream, for errors.
func (lc *latentCoder) decode(zb, yb []byte, off int64, workers int) (sym, mean []int32, err error) {
	zhat, err := lc.decodeZ(zb, off)
	if err != nil {
		return nil, nil, err
	}
	mean, idx := hyperSynthesisStrips(lc.m, zhat, lc.hz, lc.wz, workers)
	if sym, err = lc.decodeY(yb, idx, off); err != nil {
		return nil, nil, err
	}
	return sym, mean, nil
}

// decodeZ entropy-decodes ẑ with the per-channel tables.
func (lc *latentCoder) decodeZ(zb []byte, off int64) ([]int32, error) {
	zhat := make([]int32, lc.m.Arch.N*lc.hz*lc.wz)
	if err := rans.Decode(zb, lc.tabs.z, channelIndex(lc.m.Arch.N, lc.hz*lc.wz), zhat); err != nil {
		return nil, corruptAt(off, "z stream", err)
	}
	return zhat, nil
}

// decodeY entropy-decodes the symbols of y with the scale tables idx.
func (lc *latentCoder) decodeY(yb []byte, idx []uint16, off int64) ([]int32, error) {
	sym := make([]int32, len(idx))
	if err := rans.Decode(yb, lc.tabs.scale, idx, sym); err != nil {
		return nil, corruptAt(off, "y stream", err)
	}
	for _, s := range sym {
		// Escapes can code any int32; values this large never come from
		// the encoder and would overflow the float conversion's meaning.
		if s > maxSymbol || s < -maxSymbol {
			return nil, corruptAt(off, "y stream", errors.New("symbol out of range"))
		}
	}
	return sym, nil
}

func corruptAt(off int64, what string, err error) error {
	return &CorruptInputError{Offset: off, Reason: what + ": " + err.Error()}
}
