// This file implements Model, which assembles a loaded or imported model:
// the float transforms, the integer hyper-synthesis, the CDF tables and the
// quality gains, as specified in docs/spec.md §5.

package model

import (
	"fmt"
	"io"
	"math"

	"github.com/aezip/aezip/quant"
)

// Arch is the architecture descriptor of a model file.
type Arch struct {
	Name      string  // "msh-v1"
	N, M      int     // widths of z and y
	Levels    int     // L: quality levels of the gains
	K         int     // number of Gaussian scale tables
	Precision int     // CDF precision in bits, quant.Precision
	MeanBits  int     // F: a mean μq stands for μq / 2^F
	Slope     float32 // LeakyReLU slope of h_a (float)
	SlopeQ16  int32   // LeakyReLU slope of the integer h_s, in Q16
	ScaleMin  float64 // first entry of the Gaussian scale table
	ScaleMax  float64 // last entry of the Gaussian scale table
	Float16   bool    // convolution weights are stored as IEEE half precision
}

// Model is a complete aezip model. It is immutable after Load or Import
// and safe for concurrent use.
type Model struct {
	Arch Arch

	Analysis       *Analysis          // g_a (float)
	Synthesis      *Synthesis         // g_s (float)
	HyperAnalysis  *HyperAnalysis     // h_a (float)
	HyperSynthesis *IntHyperSynthesis // h_s (integer, bit-exact)

	// ZCDFs holds the CDF table of each of the N channels of ẑ.
	ZCDFs []quant.CDF
	// ScaleCDFs holds the K Gaussian tables indexed by the scale index.
	ScaleCDFs []quant.CDF

	params Params // float tensors as stored (g_a, g_s, h_a, gain, inv_gain)
	id     [16]byte
}

// newModel checks the integer parts, builds the float transforms and
// computes the ID. The transforms report bad float tensors as *ParamError;
// Load and Import turn those into their own typed errors.
func newModel(a Arch, params Params, hs *IntHyperSynthesis, zcdfs, scdfs []quant.CDF) (*Model, error) {
	if err := hs.check(); err != nil {
		return nil, err
	}
	if len(hs.Thresholds) != a.K-1 || len(zcdfs) != a.N || len(scdfs) != a.K {
		return nil, FormatError("table counts do not match the architecture")
	}
	for _, name := range []string{"gain", "inv_gain"} {
		for _, v := range params[name].Data {
			if !(v > 0) {
				return nil, FormatError(name + ": gains must be positive")
			}
		}
	}
	m := &Model{
		Arch:           a,
		HyperSynthesis: hs,
		ZCDFs:          zcdfs,
		ScaleCDFs:      scdfs,
		params:         params,
	}
	var err error
	if m.Analysis, err = NewAnalysis(params, a.N, a.M); err != nil {
		return nil, err
	}
	if m.Synthesis, err = NewSynthesis(params, a.N, a.M); err != nil {
		return nil, err
	}
	if m.HyperAnalysis, err = NewHyperAnalysis(params, a.N, a.M); err != nil {
		return nil, err
	}
	_, sum, err := m.writeBody(io.Discard)
	if err != nil {
		return nil, err
	}
	copy(m.id[:], sum[:])
	return m, nil
}

// ID returns the model's identity: the first 16 bytes of the SHA-256 of the
// model file body (everything before the checksum), as [Model.WriteTo]
// writes it.
func (m *Model) ID() [16]byte { return m.id }

// Gain returns the per-channel gain on y at quality level t ∈ [0, L-1]
// (clamped): gain[l]^(1-f) · gain[l+1]^f with l = ⌊t⌋, f = t-l.
func (m *Model) Gain(t float64) []float32 { return m.interp("gain", t) }

// InvGain returns the per-channel inverse gain applied before g_s at quality
// level t, interpolated like [Model.Gain].
func (m *Model) InvGain(t float64) []float32 { return m.interp("inv_gain", t) }

// interp interpolates the gains of tensor name geometrically at level t.
func (m *Model) interp(name string, t float64) []float32 {
	g := m.params[name].Data
	M, L := m.Arch.M, m.Arch.Levels
	if math.IsNaN(t) {
		panic(fmt.Sprintf("model: %s level is NaN", name))
	}
	t = min(max(t, 0), float64(L-1))
	l := int(math.Floor(t))
	f := t - float64(l)
	out := make([]float32, M)
	if l == L-1 || f == 0 {
		copy(out, g[l*M:(l+1)*M])
		return out
	}
	for c := range out {
		a, b := math.Log(float64(g[l*M+c])), math.Log(float64(g[(l+1)*M+c]))
		out[c] = float32(math.Exp((1-f)*a + f*b))
	}
	return out
}
