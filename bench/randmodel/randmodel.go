// Package randmodel builds aezip models of any width with random weights,
// for benchmarks and memory measurements that need the real layer sizes but
// not a trained model.
//
// It does not spell out the layer list: it takes the tensor names and
// shapes of the trainer's tiny parity dump (testdata/parity/tiny.safetensors,
// N=16, M=24) and scales the widths, so the list stays the one the trainer
// exports and the importer checks.
package randmodel

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/aezip/aezip/bench/benchdata"
	"github.com/aezip/aezip/model"
)

// FixturePath is the tiny dump's path relative to the repository root.
const FixturePath = "testdata/parity/tiny.safetensors"

// FindFixture reads the tiny dump, looking for FixturePath in the current
// directory and its parents, so that it works from any package of the
// repository.
func FindFixture() ([]byte, error) { return benchdata.Find(FixturePath) }

// header reads the names, shapes and metadata of a safetensors file.
func header(b []byte) (map[string][]int, map[string]string, error) {
	if len(b) < 8 {
		return nil, nil, errors.New("randmodel: short safetensors file")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		return nil, nil, errors.New("randmodel: bad safetensors header length")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &raw); err != nil {
		return nil, nil, fmt.Errorf("randmodel: %w", err)
	}
	shapes := map[string][]int{}
	meta := map[string]string{}
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, fmt.Errorf("randmodel: %w", err)
			}
			continue
		}
		var e struct{ Shape []int }
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, fmt.Errorf("randmodel: %s: %w", name, err)
		}
		shapes[name] = e.Shape
	}
	return shapes, meta, nil
}

// gainBase is the gain of the first level, chosen so that quality 50 of
// the N=128, M=192 model of seed 1 codes codec's 768×512 benchmark image
// at 0.86 bpp (the embedded model: 0.93 bpp), so that the entropy coder has
// a realistic load.
const gainBase = 0.175

// transposed reports whether name is the weight of a transposed
// convolution, stored [in][out][k][k].
func transposed(name string) bool {
	return strings.HasPrefix(name, "g_s.") || strings.HasPrefix(name, "h_s.0.") || strings.HasPrefix(name, "h_s.2.")
}

// Dump returns a random dump of widths n and m with the tensors of the
// fixture (the tiny dump's bytes): convolution weights uniform with a
// fan-in scaled spread, GDN parameters near the identity, gains rising
// geometrically with the level (and inverse gains their reciprocals), a
// Laplacian prior on z and a fixed h_s calibration.
func Dump(fixture []byte, n, m int, seed uint64) (model.Params, map[string]string, error) {
	shapes, meta, err := header(fixture)
	if err != nil {
		return nil, nil, err
	}
	n0, err0 := strconv.Atoi(meta["N"])
	m0, err1 := strconv.Atoi(meta["M"])
	levels, err2 := strconv.Atoi(meta["levels"])
	if err := errors.Join(err0, err1, err2); err != nil {
		return nil, nil, fmt.Errorf("randmodel: fixture metadata: %w", err)
	}
	if n < 1 || m < 2 || m%2 != 0 {
		return nil, nil, fmt.Errorf("randmodel: widths N=%d M=%d", n, m)
	}
	// The widths in the fixture's shapes: N, M and h_s's 3M/2 and 2M. Every
	// other dimension (3 colours, kernels 3 and 5, the levels) differs
	// from them, which the check below makes sure of.
	scale := map[int]int{n0: n, m0: m, 3 * m0 / 2: 3 * m / 2, 2 * m0: 2 * m}
	if len(scale) != 4 {
		return nil, nil, errors.New("randmodel: fixture widths collide")
	}
	for _, d := range []int{3, 5, levels} {
		if _, ok := scale[d]; ok {
			return nil, nil, fmt.Errorf("randmodel: fixture width equals dimension %d", d)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	uniform := func(k int, spread float64) []float32 {
		v := make([]float32, k)
		for i := range v {
			v[i] = float32((rng.Float64()*2 - 1) * spread)
		}
		return v
	}
	p := model.Params{}
	// Name order, not map order: the same seed must give the same model.
	for _, name := range slices.Sorted(maps.Keys(shapes)) {
		s0 := shapes[name]
		if name == "z.pmf" || name == "z.offset" || name == "h_s.amax" {
			continue
		}
		shape := make([]int, len(s0))
		size := 1
		for i, d := range s0 {
			if v, ok := scale[d]; ok {
				d = v
			}
			shape[i] = d
			size *= d
		}
		var data []float32
		switch {
		case strings.HasSuffix(name, ".weight"):
			fanIn := shape[1] * shape[2] * shape[3]
			if transposed(name) {
				fanIn = shape[0] * shape[2] * shape[3] / 4 // stride 2: a quarter of the taps per output
			}
			data = uniform(size, math.Sqrt(3/float64(fanIn)))
		case strings.HasSuffix(name, ".bias"):
			data = uniform(size, 0.05)
		case strings.HasSuffix(name, ".beta"):
			data = uniform(size, 0.1)
			for i := range data {
				data[i] = 1 + float32(math.Abs(float64(data[i])))
			}
		case strings.HasSuffix(name, ".gamma"):
			data = uniform(size, 0.1/float64(shape[0]))
			for i := range data {
				data[i] = float32(math.Abs(float64(data[i])))
			}
		case name == "gain" || name == "inv_gain":
			data = make([]float32, size)
			for l := 0; l < shape[0]; l++ {
				g := gainBase * math.Pow(2, float64(l)/2) // ×11 from the first level to the eighth
				if name == "inv_gain" {
					g = 1 / g
				}
				for c := 0; c < shape[1]; c++ {
					data[l*shape[1]+c] = float32(g)
				}
			}
		default:
			return nil, nil, fmt.Errorf("randmodel: fixture tensor %q has no generator", name)
		}
		p[name] = model.Param{Shape: shape, Data: data}
	}
	const kz = 64
	pmf := make([]float32, n*kz)
	off := make([]float32, n)
	for c := 0; c < n; c++ {
		b := 0.5 + 2*rng.Float64()
		row := pmf[c*kz : (c+1)*kz]
		var sum float64
		for i := range row {
			v := math.Exp(-math.Abs(float64(i-kz/2)) / b)
			row[i], sum = float32(v), sum+v
		}
		for i := range row {
			row[i] = float32(float64(row[i]) / sum * 0.999)
		}
		off[c] = -kz / 2
	}
	p["z.pmf"] = model.Param{Shape: []int{n, kz}, Data: pmf}
	p["z.offset"] = model.Param{Shape: []int{n}, Data: off}
	p["h_s.amax"] = model.Param{Shape: []int{4}, Data: []float32{8, 8, 16, 16}}
	meta["N"], meta["M"] = strconv.Itoa(n), strconv.Itoa(m)
	return p, meta, nil
}

// New imports a random model of widths n and m (see [Dump]) with the
// importer's defaults (float16 weights, as the embedded model).
func New(fixture []byte, n, m int, seed uint64) (*model.Model, error) {
	p, meta, err := Dump(fixture, n, m, seed)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := model.WriteSafetensors(&buf, p, meta); err != nil {
		return nil, err
	}
	return model.Import(&buf)
}
