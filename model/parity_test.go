package model

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"testing"
)

// The trainer's parity fixture (testdata/parity/README.md): a tiny trained
// model and one image run through the PyTorch float network.
const (
	parityModel   = "../testdata/parity/tiny.safetensors"
	parityFixture = "../testdata/parity/fixture.safetensors"
)

// parityResult holds what TestParity measures for one storage precision.
type parityResult struct {
	yMaxErr            float64 // max |y_go - y_torch|
	yqMismatch, yqN    int     // round(y⊙gain) disagreements
	zMismatch, zN      int     // ẑ disagreements
	xhatPSNR           float64 // dB, peak 1, g_s on the fixture's y_q
	hs                 hsStats // integer h_s vs the float h_s outputs
	yqNear, zNear      int     // disagreements within 1e-3 of a .5 boundary
	zFromFixtureHsStat bool
}

func loadFixture(t *testing.T) *safetensors {
	t.Helper()
	f, err := os.Open(parityFixture)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("parity fixture missing: make it with `cd train && python3 -m aezip_train fixture --data ../../shared/data/train --out ../testdata/parity`")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fx, err := readSafetensors(f)
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

func importParity(t *testing.T, f16 bool) *Model {
	t.Helper()
	f, err := os.Open(parityModel)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mod, err := Import(f, WithFloat16(f16))
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

// fixtureTensor returns a fixture tensor as a Tensor of its shape.
func fixtureTensor(t *testing.T, fx *safetensors, name string) *Tensor {
	t.Helper()
	st, err := fx.get(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.shape) != 3 {
		t.Fatalf("%s: shape %v", name, st.shape)
	}
	data, err := fx.floats(name, st.shape...)
	if err != nil {
		t.Fatal(err)
	}
	return &Tensor{C: st.shape[0], H: st.shape[1], W: st.shape[2], Data: data}
}

// nearHalf reports whether v is within eps of a rounding boundary k+0.5.
func nearHalf(v float32, eps float64) bool {
	f := math.Abs(float64(v))
	return math.Abs(f-math.Floor(f)-0.5) < eps
}

func runParity(t *testing.T, fx *safetensors, mod *Model) parityResult {
	var r parityResult
	x := fixtureTensor(t, fx, "x")
	tv, err := fx.floats("t", 1)
	if err != nil {
		t.Fatal(err)
	}
	level := float64(tv[0])

	y := mod.Analysis.Forward(PadTo(x, PadMultiple))
	wantY := fixtureTensor(t, fx, "y")
	if y.C != wantY.C || y.H != wantY.H || y.W != wantY.W {
		t.Fatalf("y is %d×%d×%d, fixture %d×%d×%d", y.C, y.H, y.W, wantY.C, wantY.H, wantY.W)
	}
	for i, v := range y.Data {
		r.yMaxErr = max(r.yMaxErr, math.Abs(float64(v-wantY.Data[i])))
	}

	gain := mod.Gain(level)
	yg := y.Clone()
	hw := y.H * y.W
	for c := 0; c < y.C; c++ {
		p := yg.Plane(c)
		for j := range p {
			p[j] *= gain[c]
		}
	}
	wantYq := fixtureTensor(t, fx, "y_q")
	for i, v := range yg.Data {
		r.yqN++
		if float32(math.RoundToEven(float64(v))) != wantYq.Data[i] {
			r.yqMismatch++
			if nearHalf(v, 1e-3) {
				r.yqNear++
			}
		}
	}

	z := mod.HyperAnalysis.Forward(yg)
	wantZ := fixtureTensor(t, fx, "z_hat")
	if z.C != wantZ.C || z.H != wantZ.H || z.W != wantZ.W {
		t.Fatalf("z is %d×%d×%d, fixture %d×%d×%d", z.C, z.H, z.W, wantZ.C, wantZ.H, wantZ.W)
	}
	for i, v := range z.Data {
		r.zN++
		if float32(math.RoundToEven(float64(v))) != wantZ.Data[i] {
			r.zMismatch++
			if nearHalf(v, 1e-3) {
				r.zNear++
			}
		}
	}

	// g_s on the fixture's own y_q, so that the comparison isolates g_s.
	inv := mod.InvGain(level)
	yin := wantYq.Clone()
	for c := 0; c < yin.C; c++ {
		p := yin.Plane(c)
		for j := range p {
			p[j] *= inv[c]
		}
	}
	wantX := fixtureTensor(t, fx, "x_hat")
	xh := Crop(mod.Synthesis.Forward(yin), wantX.H, wantX.W)
	var se float64
	for i, v := range xh.Data {
		d := float64(v - wantX.Data[i])
		se += d * d
	}
	r.xhatPSNR = 10 * math.Log10(float64(len(xh.Data))/se)
	if se == 0 {
		r.xhatPSNR = math.Inf(1)
	}

	// The integer h_s on the fixture's ẑ against the float h_s outputs.
	zq := make([]int32, len(wantZ.Data))
	for i, v := range wantZ.Data {
		zq[i] = int32(v)
	}
	scales, means := fixtureTensor(t, fx, "scales"), fixtureTensor(t, fx, "means")
	want := make([]float64, 0, 2*len(scales.Data))
	for _, v := range scales.Data {
		want = append(want, float64(v))
	}
	for _, v := range means.Data {
		want = append(want, float64(v))
	}
	if len(want) != 2*mod.Arch.M*hw {
		t.Fatalf("fixture scales/means have %d values, want %d", len(want), 2*mod.Arch.M*hw)
	}
	r.hs = compareHyperSynthesis(want, zq, wantZ.H, wantZ.W, mod)
	return r
}

// TestParity checks the Go model against the PyTorch trainer on the parity
// fixture: ẑ and round(y⊙gain) exactly, g_s at ≥ 60 dB, and the integer
// h_s close to the float one, for both storage precisions of the weights.
func TestParity(t *testing.T) {
	fx := loadFixture(t)
	for _, f16 := range []bool{false, true} {
		mod := importParity(t, f16)
		r := runParity(t, fx, mod)
		id := mod.ID()
		t.Logf("float16=%v: imported model ID %x", f16, id)
		t.Logf("float16=%v: y max |err| %.3g; y_q %d/%d differ (%d within 1e-3 of .5); ẑ %d/%d differ (%d near .5); x̂ %.2f dB",
			f16, r.yMaxErr, r.yqMismatch, r.yqN, r.yqNear, r.zMismatch, r.zN, r.zNear, r.xhatPSNR)
		t.Logf("float16=%v: integer h_s: %v", f16, r.hs)
		if r.yqMismatch != 0 || r.zMismatch != 0 {
			t.Errorf("y_q or ẑ differ from PyTorch")
		}
		if r.xhatPSNR < 60 {
			t.Errorf("x̂ at %.2f dB, want ≥ 60", r.xhatPSNR)
		}
		if r.hs.maxMeanErrRel > 0.01 || r.hs.maxScaleErrRel > 0.01 || r.hs.idxEqual+r.hs.idxOffOne < 0.99 || r.hs.maxIdxOff > 4 {
			t.Errorf("integer h_s too far from the float one")
		}
	}
}
