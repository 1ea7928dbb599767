// This file implements the importer: it reads the trainer's safetensors dump,
// checks every tensor, and finalises the model once — the integer CDF tables
// of z and of the Gaussian scales, the scale thresholds and the post-training
// quantisation of h_s — as specified in docs/spec.md §5.5–5.6.

package model

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/aezip/aezip/quant"
)

// The Gaussian scale table and the mean precision fixed by the importer.
const (
	scaleMin    = 0.11
	scaleMax    = 256
	scaleLevels = 64
	maxMeanBits = 16
	actHeadroom = 2
	leakySlope  = float32(LeakySlope)
	archName    = "msh-v1"
)

// Architecture limits shared by the importer and the loader.
const (
	maxChannels = 1024
	maxLevels   = 64
	maxZSymbols = 1 << 12
)

// ImportOption configures [Import].
type ImportOption func(*importOptions)

type importOptions struct {
	float16 bool
}

// WithFloat16 sets whether [Import] rounds the convolution weights of g_a,
// g_s and h_a to IEEE half precision, as they are then stored in the model
// file (biases, GDN parameters and gains stay float32). The default is on:
// it shrinks the file by a third, and on the trainer's parity fixture g_s
// still agrees with PyTorch to 91 dB and ẑ and round(y⊙gain) are unchanged.
// The integer h_s and the tables do not depend on it.
func WithFloat16(on bool) ImportOption {
	return func(o *importOptions) { o.float16 = on }
}

// halfStored reports whether float tensor name is stored as float16 in a
// model whose Arch.Float16 is set: the convolution weights, which are
// nearly all of the file.
func halfStored(name string) bool { return strings.HasSuffix(name, ".weight") }

// floatShapes returns the float tensors a model of the given widths keeps
// (everything but h_s and the prior on z) and their shapes.
func floatShapes(n, m, levels int) map[string][]int {
	s := map[string][]int{
		"gain":     {levels, m},
		"inv_gain": {levels, m},
	}
	conv := func(name string, out, in, k int) {
		s[name+".weight"] = []int{out, in, k, k}
		s[name+".bias"] = []int{out}
	}
	deconv := func(name string, in, out int) {
		s[name+".weight"] = []int{in, out, 5, 5}
		s[name+".bias"] = []int{out}
	}
	gdn := func(name string, c int) {
		s[name+".beta"] = []int{c}
		s[name+".gamma"] = []int{c, c}
	}
	conv("g_a.0", n, 3, 5)
	gdn("g_a.1", n)
	conv("g_a.2", n, n, 5)
	gdn("g_a.3", n)
	conv("g_a.4", n, n, 5)
	gdn("g_a.5", n)
	conv("g_a.6", m, n, 5)
	deconv("g_s.0", m, n)
	gdn("g_s.1", n)
	deconv("g_s.2", n, n)
	gdn("g_s.3", n)
	deconv("g_s.4", n, n)
	gdn("g_s.5", n)
	deconv("g_s.6", n, 3)
	conv("h_a.0", n, m, 3)
	conv("h_a.2", n, n, 5)
	conv("h_a.4", n, n, 5)
	return s
}

// checkArch verifies the widths against the architecture limits.
func checkArch(n, m, levels int) error {
	switch {
	case n < 1 || n > maxChannels:
		return fmt.Errorf("N=%d out of [1,%d]", n, maxChannels)
	case m < 2 || m > maxChannels || m%2 != 0:
		return fmt.Errorf("M=%d out of [2,%d] or odd", m, maxChannels)
	case levels < 1 || levels > maxLevels:
		return fmt.Errorf("levels=%d out of [1,%d]", levels, maxLevels)
	}
	return nil
}

// Import reads the trainer's safetensors dump (docs/spec.md §5.6), checks
// the name, dtype and shape of every tensor, and finalises a [Model]: the
// per-channel CDF tables of z, the Gaussian tables, the scale thresholds and
// the integer h_s are computed here once and never at load.
func Import(dump io.Reader, opts ...ImportOption) (*Model, error) {
	o := importOptions{float16: true}
	for _, opt := range opts {
		opt(&o)
	}
	st, err := readSafetensors(dump)
	if err != nil {
		return nil, err
	}
	if a := st.meta["arch"]; a != archName {
		return nil, DumpError(fmt.Sprintf("arch %q, want %q", a, archName))
	}
	var dims [3]int
	for i, key := range []string{"N", "M", "levels"} {
		if dims[i], err = st.metaInt(key); err != nil {
			return nil, err
		}
	}
	n, m, levels := dims[0], dims[1], dims[2]
	if err := checkArch(n, m, levels); err != nil {
		return nil, DumpError(err.Error())
	}

	params := Params{}
	shapes := floatShapes(n, m, levels)
	for _, name := range slices.Sorted(maps.Keys(shapes)) {
		shape := shapes[name]
		data, err := st.floats(name, shape...)
		if err != nil {
			return nil, err
		}
		if o.float16 && halfStored(name) {
			for i, v := range data {
				data[i] = f16ToF32(f32ToF16(v))
			}
		}
		params[name] = Param{Shape: shape, Data: data}
	}

	zcdfs, err := importZ(st, n)
	if err != nil {
		return nil, err
	}
	hs, err := importHyperSynthesis(st, n, m)
	if err != nil {
		return nil, err
	}
	table := quant.ScaleTable(scaleMin, scaleMax, scaleLevels)
	scdfs := make([]quant.CDF, len(table))
	for i, s := range table {
		scdfs[i] = quant.GaussianCDF(s)
	}
	hs.Thresholds = thresholds(table, hs.MeanBits)

	arch := Arch{
		Name: archName, N: n, M: m, Levels: levels, K: len(table),
		Precision: quant.Precision, MeanBits: hs.MeanBits,
		Slope: leakySlope, SlopeQ16: hs.SlopeQ16,
		ScaleMin: scaleMin, ScaleMax: scaleMax, Float16: o.float16,
	}
	mod, err := newModel(arch, params, hs, zcdfs, scdfs)
	switch e := err.(type) {
	case *ParamError:
		return nil, DumpError(e.Error())
	case FormatError:
		return nil, DumpError(e)
	}
	return mod, err
}

// importZ builds the integer CDF table of every channel of z from z.pmf
// [N][K] and z.offset [N].
func importZ(st *safetensors, n int) ([]quant.CDF, error) {
	t, err := st.get("z.pmf", nil)
	if err != nil {
		return nil, err
	}
	if len(t.shape) != 2 || t.shape[0] != n || t.shape[1] < 1 || t.shape[1] > maxZSymbols {
		return nil, DumpError(fmt.Sprintf("z.pmf: shape %v, want [%d, 1..%d]", t.shape, n, maxZSymbols))
	}
	kz := t.shape[1]
	pmf, err := st.floats("z.pmf", n, kz)
	if err != nil {
		return nil, err
	}
	offset, err := st.ints("z.offset", n)
	if err != nil {
		return nil, err
	}
	cdfs := make([]quant.CDF, n)
	p := make([]float64, kz)
	for c := range cdfs {
		for i := range p {
			p[i] = float64(pmf[c*kz+i])
		}
		if offset[c] < -1<<20 || offset[c] > 1<<20 {
			return nil, DumpError(fmt.Sprintf("z.offset[%d]=%d out of range", c, offset[c]))
		}
		if cdfs[c], err = quant.NewCDF(p, offset[c]); err != nil {
			return nil, DumpError(fmt.Sprintf("z channel %d: %v", c, err))
		}
	}
	return cdfs, nil
}

// thresholds returns the K-1 integer scale thresholds for outputs in units
// of 2^-f: a scale output q exceeds table[j] exactly when q > floor(table[j]·2^f),
// so q's index is CompressAI's "first table scale ≥ q, clamped".
func thresholds(table []float64, f int) []int32 {
	thr := make([]int32, len(table)-1)
	for j := range thr {
		thr[j] = clamp32(int64(math.Floor(math.Ldexp(table[j], f))))
	}
	return thr
}

// importHyperSynthesis quantises the float h_s of the dump to the integer
// network, using the calibration h_s.amax = max |input of h_s.2|,
// max |input of h_s.4|, max |scales|, max |means| for the activation scales.
func importHyperSynthesis(st *safetensors, n, m int) (*IntHyperSynthesis, error) {
	amax, err := st.floats("h_s.amax", 4)
	if err != nil {
		return nil, err
	}
	for i, v := range amax {
		if !(v > 0) {
			return nil, DumpError(fmt.Sprintf("h_s.amax[%d]=%g must be positive", i, v))
		}
	}
	// F is as fine as possible while the largest output (a scale, a mean or
	// the top of the scale table) keeps 4× headroom inside int32.
	top := max(float64(amax[2]), float64(amax[3]), scaleMax)
	f := maxMeanBits
	for f > 0 && math.Ldexp(top, f+2) >= 1<<31 {
		f--
	}
	hs := &IntHyperSynthesis{
		N: n, M: m, MeanBits: f,
		SlopeQ16: int32(math.Round(math.Ldexp(float64(leakySlope), 16))),
	}
	c := 3 * m / 2
	shapes := [3][2]int{{n, m}, {m, c}, {c, 2 * m}}
	// The calibration set cannot hold every image: the activations get 2×
	// headroom over it, which costs one of their 15 bits, far finer than
	// the weight steps anyway.
	inScale := [3]float64{1, actHeadroom * float64(amax[0]) / 32767, actHeadroom * float64(amax[1]) / 32767}
	outScale := [3]float64{inScale[1], inScale[2], math.Ldexp(1, -f)}
	for i, name := range layerNames {
		in, out := shapes[i][0], shapes[i][1]
		wshape := []int{in, out, 5, 5}
		if i == 2 {
			wshape = []int{out, in, 3, 3}
		}
		w, err := st.floats(name+".weight", wshape...)
		if err != nil {
			return nil, err
		}
		b, err := st.floats(name+".bias", out)
		if err != nil {
			return nil, err
		}
		l := IntLayer{In: in, Out: out, Transposed: i < 2, Leaky: i < 2}
		if err := l.quantise(name, w, b, inScale[i], outScale[i]); err != nil {
			return nil, err
		}
		hs.Layers[i] = l
	}
	return hs, nil
}

// quantise sets the integer weights, biases, multipliers and shifts of l
// from float weights w (l's layout) and biases b, for inputs in units of
// sIn and outputs in units of sOut. Each output channel gets the finest
// weight step that satisfies the int16 range, the accumulator bound of
// every input group and an int32 bias.
func (l *IntLayer) quantise(name string, w, b []float32, sIn, sOut float64) error {
	k := l.kernel()
	taps := k * k
	groups := (l.In + groupSize - 1) / groupSize
	l.Weight = make([]int16, len(w))
	l.Bias = make([]int32, l.Out)
	l.Mult = make([]int32, l.Out)
	l.Shift = make([]int32, l.Out)
	// index of weight (o, i, t) in w for the current o, i-major
	idx := make([]int, l.In*taps)
	fsum := make([]float64, groups*4)
	qsum := make([]int64, groups*4)
	for o := 0; o < l.Out; o++ {
		clear(fsum)
		var maxAbs float64
		for i := 0; i < l.In; i++ {
			for t := 0; t < taps; t++ {
				j := (o*l.In+i)*taps + t
				if l.Transposed {
					j = (i*l.Out+o)*taps + t
				}
				idx[i*taps+t] = j
				a := math.Abs(float64(w[j]))
				fsum[(i/groupSize)*4+l.phase(t)] += a
				maxAbs = max(maxAbs, a)
			}
		}
		sumAbs := 0.0
		for _, v := range fsum {
			sumAbs = max(sumAbs, v)
		}
		absB := math.Abs(float64(b[o])) / sIn
		step := max(maxAbs/32767, sumAbs*32768/(accBound-1), absB/(accBound-1))
		if step == 0 {
			step = 1
		}
		ok := false
		for range 200 {
			clear(qsum)
			for n, j := range idx {
				v := math.Round(float64(w[j]) / step)
				l.Weight[j] = int16(v)
				qsum[(n/taps/groupSize)*4+l.phase(n%taps)] += abs64(int64(v))
			}
			fits := true
			for _, v := range qsum {
				fits = fits && v*32768 < accBound
			}
			bq := math.Round(float64(b[o]) / (sIn * step))
			if fits && math.Abs(bq) < accBound {
				l.Bias[o] = int32(bq)
				ok = true
				break
			}
			step *= 1 + 1.0/1024
		}
		if !ok {
			return DumpError(fmt.Sprintf("%s channel %d: cannot meet the accumulator bound", name, o))
		}
		mult, shift, err := multiplier(sIn * step / sOut)
		if err != nil {
			return DumpError(fmt.Sprintf("%s channel %d: %v", name, o, err))
		}
		l.Mult[o], l.Shift[o] = mult, shift
	}
	return l.check(name)
}

// multiplier returns mult in [0, 2^24) and shift in [1, 62] with
// mult·2^-shift ≈ r, mult normalised to [2^23, 2^24) where the shift allows.
func multiplier(r float64) (int32, int32, error) {
	if r == 0 {
		return 0, 1, nil
	}
	if !(r > 0) || math.IsInf(r, 0) {
		return 0, 0, fmt.Errorf("requantisation multiplier %g", r)
	}
	frac, exp := math.Frexp(r) // r = frac·2^exp, frac in [0.5, 1)
	mult := int64(math.Round(math.Ldexp(frac, multBits)))
	shift := multBits - exp
	if mult == 1<<multBits {
		mult >>= 1
		shift--
	}
	if shift > 62 {
		mult = int64(math.Round(math.Ldexp(r, 62)))
		shift = 62
	}
	if shift < 1 {
		return 0, 0, fmt.Errorf("requantisation multiplier %g too large", r)
	}
	return int32(mult), int32(shift), nil
}
