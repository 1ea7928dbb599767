// Tests of the importer, and the random-model helpers the other tests of
// this file's stage share.

package model

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// randomDump returns a random dump of the msh-v1 architecture: weights
// with a fan-in scaled spread, positive gains, a Laplacian-ish prior on z
// and an h_s.amax calibrated on random ẑ, as the trainer would.
func randomDump(seed uint64, n, m, levels int) Params {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := Params{}
	uniform := func(shape []int, scale float64) Param {
		v := make([]float32, numel(shape))
		for i := range v {
			v[i] = float32((rng.Float64()*2 - 1) * scale)
		}
		return Param{Shape: shape, Data: v}
	}
	fs := floatShapes(n, m, levels)
	names := make([]string, 0, len(fs))
	for name := range fs {
		names = append(names, name)
	}
	sort.Strings(names) // the generator's order must not depend on map order
	for _, name := range names {
		shape := fs[name]
		switch {
		case strings.HasSuffix(name, ".beta"):
			p[name] = uniform(shape, 0.1)
			for i := range p[name].Data {
				p[name].Data[i] += 1
			}
		case strings.HasSuffix(name, ".gamma"):
			g := uniform(shape, 0.01)
			for i, v := range g.Data {
				g.Data[i] = float32(math.Abs(float64(v)))
			}
			p[name] = g
		case name == "gain" || name == "inv_gain":
			g := uniform(shape, 0.5)
			for i := range g.Data {
				g.Data[i] += 1
			}
			p[name] = g
		case len(shape) == 4:
			fanIn := shape[1] * shape[2] * shape[3]
			p[name] = uniform(shape, math.Sqrt(3/float64(fanIn)))
		default:
			p[name] = uniform(shape, 0.1)
		}
	}
	c := 3 * m / 2
	p["h_s.0.weight"] = uniform([]int{n, m, 5, 5}, 2*math.Sqrt(3/float64(n*9)))
	p["h_s.0.bias"] = uniform([]int{m}, 0.5)
	p["h_s.2.weight"] = uniform([]int{m, c, 5, 5}, 2*math.Sqrt(3/float64(m*9)))
	p["h_s.2.bias"] = uniform([]int{c}, 0.5)
	p["h_s.4.weight"] = uniform([]int{2 * m, c, 3, 3}, 4*math.Sqrt(3/float64(c*9)))
	p["h_s.4.bias"] = uniform([]int{2 * m}, 2)

	const kz = 31
	pmf := Param{Shape: []int{n, kz}, Data: make([]float32, n*kz)}
	off := Param{Shape: []int{n}, Data: make([]float32, n)}
	for ch := 0; ch < n; ch++ {
		b := 0.5 + 3*rng.Float64()
		var sum float64
		row := pmf.Data[ch*kz : (ch+1)*kz]
		for i := range row {
			v := math.Exp(-math.Abs(float64(i-kz/2)) / b)
			row[i] = float32(v)
			sum += v
		}
		for i := range row {
			row[i] = float32(float64(row[i]) / sum * 0.999)
		}
		off.Data[ch] = -kz / 2
	}
	p["z.pmf"], p["z.offset"] = pmf, off

	var amax [4]float64
	for range 3 {
		hz, wz := 3, 4
		z := randomZ(rng, n*hz*wz)
		a1, a2, out := refHyperSynthesis(p, n, m, z, hz, wz)
		amax[0] = max(amax[0], maxAbs(a1))
		amax[1] = max(amax[1], maxAbs(a2))
		half := len(out) / 2
		amax[2] = max(amax[2], maxAbs(out[:half]))
		amax[3] = max(amax[3], maxAbs(out[half:]))
	}
	p["h_s.amax"] = Param{Shape: []int{4}, Data: []float32{float32(amax[0]), float32(amax[1]), float32(amax[2]), float32(amax[3])}}
	return p
}

// randomZ returns n Laplacian-distributed integers, like a trained ẑ.
func randomZ(rng *rand.Rand, n int) []int32 {
	z := make([]int32, n)
	for i := range z {
		v := rng.ExpFloat64() * 2
		if rng.IntN(2) == 0 {
			v = -v
		}
		z[i] = int32(math.Round(v))
	}
	return z
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

func testMeta(n, m, levels int) map[string]string {
	return map[string]string{
		"arch": "msh-v1", "N": strconv.Itoa(n), "M": strconv.Itoa(m),
		"levels": strconv.Itoa(levels), "lambdas": "[0.001, 0.01]",
	}
}

// dumpBytes writes p as a safetensors dump.
func dumpBytes(t testing.TB, p Params, meta map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, p, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importRandom imports a random model of the given widths.
func importRandom(t testing.TB, seed uint64, n, m, levels int, opts ...ImportOption) *Model {
	t.Helper()
	mod, err := Import(bytes.NewReader(dumpBytes(t, randomDump(seed, n, m, levels), testMeta(n, m, levels))), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

func TestImport(t *testing.T) {
	const n, m, levels = 8, 12, 3
	mod := importRandom(t, 1, n, m, levels)
	a := mod.Arch
	if a.N != n || a.M != m || a.Levels != levels || a.K != scaleLevels || a.Name != "msh-v1" {
		t.Fatalf("arch %+v", a)
	}
	if len(mod.ZCDFs) != n || len(mod.ScaleCDFs) != scaleLevels || len(mod.HyperSynthesis.Thresholds) != scaleLevels-1 {
		t.Fatalf("table counts %d %d %d", len(mod.ZCDFs), len(mod.ScaleCDFs), len(mod.HyperSynthesis.Thresholds))
	}
	if mod.Analysis == nil || mod.Synthesis == nil || mod.HyperAnalysis == nil {
		t.Fatal("missing float transforms")
	}
	// Importing the same dump twice gives the same model.
	if again := importRandom(t, 1, n, m, levels); again.ID() != mod.ID() {
		t.Fatal("import is not deterministic")
	}
}

// TestImportErrors damages a valid dump in one way at a time; each must
// give a DumpError, never a panic.
func TestImportErrors(t *testing.T) {
	const n, m, levels = 4, 6, 2
	base := randomDump(2, n, m, levels)
	clone := func() Params {
		p := Params{}
		for k, v := range base {
			p[k] = Param{Shape: append([]int(nil), v.Shape...), Data: append([]float32(nil), v.Data...)}
		}
		return p
	}
	tests := []struct {
		name   string
		edit   func(p Params, meta map[string]string)
		substr string
	}{
		{"missing tensor", func(p Params, _ map[string]string) { delete(p, "g_s.3.gamma") }, "missing tensor g_s.3.gamma"},
		{"wrong shape", func(p Params, _ map[string]string) {
			p["h_a.0.weight"] = Param{Shape: []int{n, m, 5, 5}, Data: make([]float32, n*m*25)}
		}, "h_a.0.weight: shape"},
		{"wrong arch", func(_ Params, meta map[string]string) { meta["arch"] = "other" }, "arch"},
		{"bad N", func(_ Params, meta map[string]string) { meta["N"] = "x" }, "not an integer"},
		{"huge M", func(_ Params, meta map[string]string) { meta["M"] = "100000" }, "out of"},
		{"odd M", func(_ Params, meta map[string]string) { meta["M"] = "7" }, "odd"},
		{"missing levels", func(_ Params, meta map[string]string) { delete(meta, "levels") }, "missing metadata levels"},
		{"NaN weight", func(p Params, _ map[string]string) { p["g_a.0.weight"].Data[3] = float32(math.NaN()) }, "not finite"},
		{"zero gain", func(p Params, _ map[string]string) { p["gain"].Data[0] = 0 }, "positive"},
		{"zero amax", func(p Params, _ map[string]string) { p["h_s.amax"].Data[1] = 0 }, "amax"},
		{"bad pmf", func(p Params, _ map[string]string) { p["z.pmf"].Data[0] = -1 }, "z channel 0"},
		{"missing offset", func(p Params, _ map[string]string) { delete(p, "z.offset") }, "missing tensor z.offset"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, meta := clone(), testMeta(n, m, levels)
			tc.edit(p, meta)
			_, err := Import(bytes.NewReader(dumpBytes(t, p, meta)))
			var de DumpError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.substr) {
				t.Fatalf("err = %v, want DumpError containing %q", err, tc.substr)
			}
		})
	}
}

// TestImportMalformedSafetensors feeds broken containers: each must fail
// cleanly and without allocating what the header claims.
func TestImportMalformedSafetensors(t *testing.T) {
	good := dumpBytes(t, randomDump(3, 4, 6, 2), testMeta(4, 6, 2))
	hlen := binary.LittleEndian.Uint64(good)
	header := func(json string) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(json)))
		return append(b, json...)
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"short length", good[:5]},
		{"huge header length", binary.LittleEndian.AppendUint64(nil, 1<<40)},
		{"truncated header", good[:8+hlen/2]},
		{"truncated data", good[:len(good)-3]},
		{"not JSON", header("{nope")},
		{"bad dtype", header(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`)},
		{"offsets mismatch", header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`)},
		{"huge tensor claim", header(`{"a":{"dtype":"F32","shape":[1048576,1024],"data_offsets":[0,4294967296]}}`)},
		{"negative dim", header(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`)},
		{"claims a gigabyte", header(`{"a":{"dtype":"F32","shape":[262144,1024],"data_offsets":[0,1073741824]}}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Import(bytes.NewReader(tc.in))
			var de DumpError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want DumpError", err)
			}
		})
	}
}

// TestSafetensorsDtypes checks the F16 and I32 paths of the reader against
// hand-made bytes.
func TestSafetensorsDtypes(t *testing.T) {
	json := `{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"i":{"dtype":"I32","shape":[2],"data_offsets":[6,14]}}`
	in := binary.LittleEndian.AppendUint64(nil, uint64(len(json)))
	in = append(in, json...)
	for _, h := range []uint16{0x3c00, 0xc000, 0x3555} { // 1, -2, 0.333251953125
		in = binary.LittleEndian.AppendUint16(in, h)
	}
	in = binary.LittleEndian.AppendUint32(in, uint32(0xfffffff9)) // -7
	in = binary.LittleEndian.AppendUint32(in, 12)
	st, err := readSafetensors(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.floats("h", 3)
	if err != nil || f[0] != 1 || f[1] != -2 || f[2] != 0.333251953125 {
		t.Fatalf("F16: %v %v", f, err)
	}
	iv, err := st.ints("i", 2)
	if err != nil || iv[0] != -7 || iv[1] != 12 {
		t.Fatalf("I32: %v %v", iv, err)
	}
	if _, err := st.floats("i", 2); err == nil {
		t.Fatal("I32 accepted as float")
	}
}

func TestMultiplier(t *testing.T) {
	tests := []float64{1, 0.5, 3e-7, 1e-12, 1e-20, 123.456, 0.999999999, 1 << 20}
	for _, r := range tests {
		mult, shift, err := multiplier(r)
		if err != nil {
			t.Fatalf("%g: %v", r, err)
		}
		if shift < 1 || shift > 62 || mult < 0 {
			t.Fatalf("%g: mult %d shift %d", r, mult, shift)
		}
		// mult is r·2^shift rounded, and as large as int32 allows.
		exact := math.Ldexp(r, int(shift))
		if math.Abs(float64(mult)-exact) > 0.5 || mult >= 1<<multBits || (shift < 62 && mult < 1<<(multBits-1)) {
			t.Errorf("%g: mult %d shift %d, r·2^shift = %g", r, mult, shift, exact)
		}
	}
	if _, _, err := multiplier(1 << multBits); err == nil {
		t.Error("multiplier 2^24 accepted")
	}
}
