package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/aezip/aezip/internal/cputime"
	"github.com/aezip/aezip/internal/gemm"
	"github.com/aezip/aezip/quant"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// refDeconv is a float64 ConvTranspose2d k5 s2 p2 op1 in PyTorch semantics.
func refDeconv(in []float64, cin, h, w int, wt, b []float32, cout int) []float64 {
	ho, wo := 2*h, 2*w
	out := make([]float64, cout*ho*wo)
	for o := 0; o < cout; o++ {
		for j := 0; j < ho*wo; j++ {
			out[o*ho*wo+j] = float64(b[o])
		}
	}
	for i := 0; i < cin; i++ {
		for iy := 0; iy < h; iy++ {
			for ix := 0; ix < w; ix++ {
				v := in[(i*h+iy)*w+ix]
				for o := 0; o < cout; o++ {
					for ky := 0; ky < 5; ky++ {
						oy := 2*iy - 2 + ky
						if oy < 0 || oy >= ho {
							continue
						}
						for kx := 0; kx < 5; kx++ {
							ox := 2*ix - 2 + kx
							if ox < 0 || ox >= wo {
								continue
							}
							out[(o*ho+oy)*wo+ox] += v * float64(wt[((i*cout+o)*5+ky)*5+kx])
						}
					}
				}
			}
		}
	}
	return out
}

// refConv3 is a float64 Conv2d k3 s1 p1.
func refConv3(in []float64, cin, h, w int, wt, b []float32, cout int) []float64 {
	out := make([]float64, cout*h*w)
	for o := 0; o < cout; o++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				s := float64(b[o])
				for i := 0; i < cin; i++ {
					for ky := 0; ky < 3; ky++ {
						for kx := 0; kx < 3; kx++ {
							iy, ix := y+ky-1, x+kx-1
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							s += in[(i*h+iy)*w+ix] * float64(wt[((o*cin+i)*3+ky)*3+kx])
						}
					}
				}
				out[(o*h+y)*w+x] = s
			}
		}
	}
	return out
}

func refLeaky(v []float64) {
	for i, x := range v {
		if x < 0 {
			v[i] = 0.01 * x
		}
	}
}

// refHyperSynthesis is the float h_s of the dump p on ẑ: the activations
// after h_s.0 and h_s.2 (with LeakyReLU) and the output (scales, then means).
func refHyperSynthesis(p Params, n, m int, z []int32, hz, wz int) (a1, a2, out []float64) {
	in := make([]float64, len(z))
	for i, v := range z {
		in[i] = float64(v)
	}
	c := 3 * m / 2
	a1 = refDeconv(in, n, hz, wz, p["h_s.0.weight"].Data, p["h_s.0.bias"].Data, m)
	refLeaky(a1)
	a2 = refDeconv(a1, m, 2*hz, 2*wz, p["h_s.2.weight"].Data, p["h_s.2.bias"].Data, c)
	refLeaky(a2)
	out = refConv3(a2, c, 4*hz, 4*wz, p["h_s.4.weight"].Data, p["h_s.4.bias"].Data, 2*m)
	return a1, a2, out
}

// slowLayer is a gather-form reference of one integer layer, written
// independently of the fast scatter kernels: it returns the requantised,
// int32-clamped output before the activation.
func slowLayer(l *IntLayer, in []int16, h, w int) ([]int32, int, int) {
	ho, wo := h, w
	if l.Transposed {
		ho, wo = 2*h, 2*w
	}
	out := make([]int32, l.Out*ho*wo)
	for o := 0; o < l.Out; o++ {
		for y := 0; y < ho; y++ {
			for x := 0; x < wo; x++ {
				acc := int64(l.Bias[o])
				for i := 0; i < l.In; i++ {
					for ky := 0; ky < l.kernel(); ky++ {
						for kx := 0; kx < l.kernel(); kx++ {
							var iy, ix int
							if l.Transposed {
								ny, nx := y+2-ky, x+2-kx
								if ny%2 != 0 || nx%2 != 0 {
									continue
								}
								iy, ix = ny/2, nx/2
							} else {
								iy, ix = y+ky-1, x+kx-1
							}
							if iy < 0 || iy >= h || ix < 0 || ix >= w {
								continue
							}
							acc += int64(l.weightAt(o, i, ky, kx)) * int64(in[(i*h+iy)*w+ix])
						}
					}
				}
				r := (acc*int64(l.Mult[o]) + 1<<(l.Shift[o]-1)) >> l.Shift[o]
				out[(o*ho+y)*wo+x] = clamp32(r)
			}
		}
	}
	return out, ho, wo
}

// slowForward is the gather-form reference of IntHyperSynthesis.Forward.
func slowForward(h *IntHyperSynthesis, z []int32, hz, wz int) ([]int32, []uint8) {
	a := make([]int16, len(z))
	for i, v := range z {
		a[i] = clamp16(int64(v))
	}
	hh, ww := hz, wz
	for i := 0; i < 2; i++ {
		r, ho, wo := slowLayer(&h.Layers[i], a, hh, ww)
		a = make([]int16, len(r))
		for j, v := range r {
			a[j] = clamp16(leaky(v, h.SlopeQ16))
		}
		hh, ww = ho, wo
	}
	r, _, _ := slowLayer(&h.Layers[2], a, hh, ww)
	half := len(r) / 2
	idx := make([]uint8, half)
	for j, v := range r[:half] {
		for _, t := range h.Thresholds {
			if v > t {
				idx[j]++
			}
		}
	}
	return r[half:], idx
}

func TestIntHyperSynthesisMatchesSlowReference(t *testing.T) {
	mod := importRandom(t, 4, 8, 12, 2)
	rng := rand.New(rand.NewPCG(5, 5))
	for k, sz := range [][2]int{{1, 1}, {2, 3}, {5, 4}, {3, 3}} {
		z := randomZ(rng, 8*sz[0]*sz[1])
		z[0] = 1 << 20 // clamped to int16 on input
		if k == 3 {
			// Extreme inputs saturate every layer, so group sums reach
			// the accumulator bound.
			for i := range z {
				z[i] = int32(rng.IntN(2)*2-1) * 32767
			}
		}
		gotMean, gotIdx := mod.HyperSynthesis.Forward(z, sz[0], sz[1])
		wantMean, wantIdx := slowForward(mod.HyperSynthesis, z, sz[0], sz[1])
		if len(gotMean) != 12*16*sz[0]*sz[1] {
			t.Fatalf("%v: %d outputs", sz, len(gotMean))
		}
		for j := range wantMean {
			if gotMean[j] != wantMean[j] || gotIdx[j] != wantIdx[j] {
				t.Fatalf("%v: element %d: mean %d idx %d, reference %d %d", sz, j, gotMean[j], gotIdx[j], wantMean[j], wantIdx[j])
			}
		}
	}
}

// TestIntHyperSynthesisTracksFloat compares the integer h_s with the float
// h_s it was quantised from, on random models (the trained one is checked
// in TestParity).
func TestIntHyperSynthesisTracksFloat(t *testing.T) {
	// Dense random weights are the hard case for the accumulator bound.
	type limits struct{ maxErrRel, medRel, idxEqual, idxWithinOne float64 }
	sizes := []struct {
		n, m int
		lim  limits
	}{{16, 24, limits{0.005, 0.005, 0.95, 0.995}}}
	if !testing.Short() {
		sizes = append(sizes, struct {
			n, m int
			lim  limits
		}{128, 192, limits{0.005, 0.005, 0.95, 0.995}})
	}
	for _, sz := range sizes {
		n, m, lim := sz.n, sz.m, sz.lim
		p := randomDump(6, n, m, 2)
		mod, err := Import(strings.NewReader(string(dumpBytes(t, p, testMeta(n, m, 2)))))
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(9, 9))
		hz, wz := 4, 5
		z := randomZ(rng, n*hz*wz)
		_, _, want := refHyperSynthesis(p, n, m, z, hz, wz)
		st := compareHyperSynthesis(want, z, hz, wz, mod)
		t.Logf("random N=%d M=%d: %v", n, m, st)
		if st.maxMeanErrRel > lim.maxErrRel || st.maxScaleErrRel > lim.maxErrRel || st.medScaleRel > lim.medRel ||
			st.idxEqual < lim.idxEqual || st.idxEqual+st.idxOffOne < lim.idxWithinOne {
			t.Fatalf("integer h_s does not track the float one: %v", st)
		}
	}
}

type hsStats struct {
	maxMeanErr, maxMeanErrRel, medScaleRel, p99ScaleRel float64
	maxScaleErr, maxScaleErrRel                         float64
	idxEqual, idxOffOne                                 float64
	maxIdxOff                                           int
}

func (st hsStats) String() string {
	return fmt.Sprintf("means: max |err| %.4g = %.3g%% of max |mean|; scales: max |err| %.4g = %.3g%% of max |scale|, in table range median rel err %.3g%%, p99 %.3g%%; scale index: %.2f%% equal, %.2f%% off by one, max off %d",
		st.maxMeanErr, 100*st.maxMeanErrRel, st.maxScaleErr, 100*st.maxScaleErrRel, 100*st.medScaleRel, 100*st.p99ScaleRel, 100*st.idxEqual, 100*st.idxOffOne, st.maxIdxOff)
}

// compareHyperSynthesis compares float h_s outputs want (scales, then
// means) with the integer h_s of mod on z. Scale errors count where the
// float scale is inside the table's range, where they decide the index.
func compareHyperSynthesis(want []float64, z []int32, hz, wz int, mod *Model) hsStats {
	var st hsStats
	raw := mod.HyperSynthesis.raw(z, hz, wz)
	_, idx := mod.HyperSynthesis.Forward(z, hz, wz)
	half := len(want) / 2
	f := math.Ldexp(1, -mod.Arch.MeanBits)
	for j, w := range want[half:] {
		st.maxMeanErr = max(st.maxMeanErr, math.Abs(float64(raw[half+j])*f-w))
	}
	st.maxMeanErrRel = st.maxMeanErr / maxAbs(want[half:])
	table := quant.ScaleTable(mod.Arch.ScaleMin, mod.Arch.ScaleMax, mod.Arch.K)
	var rel []float64
	var eq, one int
	for j, s := range want[:half] {
		wantIdx := 0
		for _, v := range table[:len(table)-1] {
			if s > v {
				wantIdx++
			}
		}
		d := int(idx[j]) - wantIdx
		if d < 0 {
			d = -d
		}
		switch d {
		case 0:
			eq++
		case 1:
			one++
		}
		st.maxIdxOff = max(st.maxIdxOff, d)
		st.maxScaleErr = max(st.maxScaleErr, math.Abs(float64(raw[j])*f-s))
		if s > table[0] && s < table[len(table)-1] {
			rel = append(rel, math.Abs(float64(raw[j])*f-s)/s)
		}
	}
	st.maxScaleErrRel = st.maxScaleErr / maxAbs(want[:half])
	st.idxEqual, st.idxOffOne = float64(eq)/float64(half), float64(one)/float64(half)
	sort.Float64s(rel)
	if len(rel) > 0 {
		st.medScaleRel = rel[len(rel)/2]
		st.p99ScaleRel = rel[len(rel)*99/100]
	}
	return st
}

// The determinism check: a committed model and a fixed ẑ must give the
// same h_s output hash on every platform, build tag and GOAMD64 level.
const (
	detModel  = "testdata/determinism.aezm"
	detGolden = "testdata/determinism.golden"
)

// determinismInput returns a fixed ẑ from an integer generator, so the
// input itself cannot depend on the platform.
func determinismInput(n, hz, wz int) []int32 {
	z := make([]int32, n*hz*wz)
	s := uint32(2463534242)
	for i := range z {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		z[i] = int32(s%25) - 12
		if s%97 == 0 {
			z[i] = int32(s%70000) - 35000 // beyond int16: clamped on input
		}
	}
	return z
}

// hashHyperSynthesis returns the hex SHA-256 of the means (int32 little
// endian) followed by the scale indices.
func hashHyperSynthesis(meanQ []int32, idx []uint8) string {
	h := sha256.New()
	b := make([]byte, 0, 4*len(meanQ))
	for _, v := range meanQ {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	h.Write(b)
	h.Write(idx)
	return hex.EncodeToString(h.Sum(nil))
}

func TestDeterminism(t *testing.T) {
	if *update {
		mod := importRandom(t, 11, 16, 24, 3, WithFloat16(true))
		f, err := os.Create(detModel)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mod.WriteTo(f); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(detModel)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mod, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	const hz, wz = 6, 5
	z := determinismInput(mod.Arch.N, hz, wz)
	got := hashHyperSynthesis(mod.HyperSynthesis.Forward(z, hz, wz))
	t.Logf("%s/%s, gemm kernel %v: h_s hash %s", runtime.GOOS, runtime.GOARCH, gemm.ActiveKernel(), got)
	// Every kernel family this processor has, and one goroutine, must agree.
	for _, k := range []gemm.Kernel{gemm.Generic, gemm.AVX2, gemm.AVX512} {
		if !k.Available() {
			continue
		}
		prev := gemm.SetKernel(k)
		h := hashHyperSynthesis(mod.HyperSynthesis.Forward(z, hz, wz))
		gemm.SetKernel(prev)
		if h != got {
			t.Fatalf("gemm kernel %v gives %s, default %s", k, h, got)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if one := hashHyperSynthesis(mod.HyperSynthesis.Forward(z, hz, wz)); one != got {
		t.Fatalf("GOMAXPROCS=1 gives %s, default %s", one, got)
	}
	if *update {
		if err := os.WriteFile(detGolden, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(detGolden)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(want)) != got {
		t.Fatalf("h_s output hash %s, golden %s (%s)", got, strings.TrimSpace(string(want)), filepath.Base(detGolden))
	}
}

// BenchmarkIntHyperSynthesis768x512 runs h_s of the default widths on the ẑ
// of a 768×512 image (12×8), on GOMAXPROCS goroutines (default) and on one
// (w1), reporting CPU ms per op next to wall time.
func BenchmarkIntHyperSynthesis768x512(b *testing.B) {
	mod := importRandom(b, 31, 128, 192, 2)
	z := determinismInput(128, 8, 12)
	for _, bc := range []struct {
		name    string
		workers int
	}{{"default", 0}, {"w1", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cputime.Process()
			for b.Loop() {
				mod.HyperSynthesis.ForwardWorkers(z, 8, 12, bc.workers)
			}
			b.ReportMetric(float64(cputime.Process()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
		})
	}
}

// TestIntHyperSynthesisWorkersAndKernels checks the band evaluation against
// the gather-form reference on odd shapes, for every kernel family this
// processor has and several worker counts.
func TestIntHyperSynthesisWorkersAndKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, nm := range [][2]int{{4, 8}, {17, 22}, {5, 6}} {
		mod := importRandom(t, uint64(nm[0]), nm[0], nm[1], 2)
		hs := mod.HyperSynthesis
		for _, sz := range [][2]int{{1, 7}, {3, 1}, {5, 9}, {13, 2}} {
			z := randomZ(rng, nm[0]*sz[0]*sz[1])
			wantMean, wantIdx := slowForward(hs, z, sz[0], sz[1])
			for _, k := range []gemm.Kernel{gemm.Generic, gemm.AVX2, gemm.AVX512} {
				if !k.Available() {
					continue
				}
				prev := gemm.SetKernel(k)
				for _, w := range []int{0, 1, 2, 3, 7} {
					mean, idx := hs.ForwardWorkers(z, sz[0], sz[1], w)
					if len(mean) != len(wantMean) || len(idx) != len(wantIdx) {
						t.Fatalf("%v %v: %d/%d outputs, want %d", nm, sz, len(mean), len(idx), len(wantMean))
					}
					for j := range wantMean {
						if mean[j] != wantMean[j] || idx[j] != wantIdx[j] {
							gemm.SetKernel(prev)
							t.Fatalf("N,M=%v %v kernel %v workers %d: element %d: mean %d idx %d, reference %d %d",
								nm, sz, k, w, j, mean[j], idx[j], wantMean[j], wantIdx[j])
						}
					}
				}
				gemm.SetKernel(prev)
			}
		}
	}
}

// TestIntHyperSynthesisLargeBands covers inputs wider and taller than one
// band of output positions, so that items split rows.
func TestIntHyperSynthesisLargeBands(t *testing.T) {
	mod := importRandom(t, 3, 4, 8, 2)
	rng := rand.New(rand.NewPCG(3, 3))
	const hz, wz = 9, 37
	z := randomZ(rng, 4*hz*wz)
	wantMean, wantIdx := slowForward(mod.HyperSynthesis, z, hz, wz)
	for _, w := range []int{1, 2} {
		mean, idx := mod.HyperSynthesis.ForwardWorkers(z, hz, wz, w)
		for j := range wantMean {
			if mean[j] != wantMean[j] || idx[j] != wantIdx[j] {
				t.Fatalf("workers %d: element %d: mean %d idx %d, reference %d %d", w, j, mean[j], idx[j], wantMean[j], wantIdx[j])
			}
		}
	}
}

// TestScaleIndexCountsExceededThresholds checks the bucketed scale index
// and the plain search against a count, on small dense tables (duplicates,
// negatives) and on wide ones (log-spaced, clustered, at the int32
// extremes), at and around every threshold.
func TestScaleIndexCountsExceededThresholds(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 600; trial++ {
		th := make([]int32, 1+rng.IntN(255))
		for i := range th {
			switch trial % 3 {
			case 0:
				th[i] = int32(rng.IntN(40)) - 20
			case 1:
				th[i] = int32(math.Exp(rng.Float64()*21)) - 4
			default:
				th[i] = int32(rng.Uint32())
			}
		}
		sort.Slice(th, func(i, j int) bool { return th[i] < th[j] })
		si := newScaleIndexer(th)
		vs := []int32{math.MinInt32, math.MaxInt32, -1, 0, 1}
		for _, x := range th {
			vs = append(vs, x-1, x, x+1)
		}
		for _, v := range vs {
			want := 0
			for _, x := range th {
				if v > x {
					want++
				}
			}
			if got := si.index(v); got != want {
				t.Fatalf("thresholds %v, v=%d: index %d, want %d", th, v, got, want)
			}
			if got := countBelow(th, v); got != want {
				t.Fatalf("thresholds %v, v=%d: countBelow %d, want %d", th, v, got, want)
			}
		}
	}
}

// leaky is the reference integer LeakyReLU (gemm.RequantI16 computes the
// fast one): negative values are multiplied by the Q16 slope with an
// arithmetic (flooring) shift.
func leaky(v int32, slopeQ16 int32) int64 {
	r := int64(v)
	n := (r * int64(slopeQ16)) >> 16
	if r < 0 {
		r = n
	}
	return r
}
