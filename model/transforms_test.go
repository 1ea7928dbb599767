package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aezip/aezip/internal/cputime"
	"github.com/aezip/aezip/internal/gemm"
	"github.com/stretchr/testify/require"
)

// randomParams returns g_a, g_s and h_a parameters with weights scaled by
// 1/sqrt(fan-in) so that activations stay of order one through the layers.
// The layer list comes from floatShapes, the one the importer checks against.
func randomParams(r *rand.Rand, n, m int) Params {
	p := Params{}
	normal := func(shape []int, scale float64) Param {
		size := 1
		for _, d := range shape {
			size *= d
		}
		v := make([]float32, size)
		for i := range v {
			v[i] = float32(r.NormFloat64() * scale)
		}
		return Param{Shape: shape, Data: v}
	}
	names := make([]string, 0, 64)
	shapes := floatShapes(n, m, 1)
	for name := range shapes {
		names = append(names, name)
	}
	sort.Strings(names) // map order is random; the values must not be
	for _, name := range names {
		shape := shapes[name]
		switch {
		case strings.HasSuffix(name, ".weight") && strings.HasPrefix(name, "g_s."):
			// ConvTranspose2d: [in][out][k][k]; sub-pixel fan-in is in·k²/4.
			p[name] = normal(shape, 2/math.Sqrt(float64(shape[0]*shape[2]*shape[3])))
		case strings.HasSuffix(name, ".weight"):
			p[name] = normal(shape, 1/math.Sqrt(float64(shape[1]*shape[2]*shape[3])))
		case strings.HasSuffix(name, ".bias"):
			p[name] = normal(shape, 0.1)
		case strings.HasSuffix(name, ".beta"):
			beta, gamma := randGDNParams(r, shape[0])
			p[name] = Param{Shape: shape, Data: beta}
			p[strings.TrimSuffix(name, ".beta")+".gamma"] = Param{Shape: []int{shape[0], shape[0]}, Data: gamma}
		}
	}
	return p
}

func TestTransformShapes(t *testing.T) {
	const n, m = 8, 12
	ga, gs, ha := randomTransforms(t, 41, 42, n, m)
	r := rand.New(rand.NewPCG(43, 44))
	for _, sz := range [][2]int{{1, 1}, {17, 33}, {64, 64}, {67, 45}, {100, 129}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			img := randTensor(r, 3, sz[0], sz[1])
			x := PadTo(img, PadMultiple)
			y := ga.Forward(x)
			require.Equal(t, [3]int{m, x.H / 16, x.W / 16}, [3]int{y.C, y.H, y.W})
			z := ha.Forward(y)
			require.Equal(t, [3]int{n, x.H / 64, x.W / 64}, [3]int{z.C, z.H, z.W})
			xh := gs.Forward(y)
			require.Equal(t, [3]int{3, x.H, x.W}, [3]int{xh.C, xh.H, xh.W})
			out := Crop(xh, sz[0], sz[1])
			require.Equal(t, [3]int{3, sz[0], sz[1]}, [3]int{out.C, out.H, out.W})
			for _, v := range out.Data {
				require.False(t, math.IsNaN(float64(v)) || math.IsInf(float64(v), 0))
			}
			// Unpadded odd sizes work too: g_a rounds up at each stride.
			y = ga.Forward(img)
			want := img.H
			for range 4 {
				want = (want + 1) / 2
			}
			require.Equal(t, want, y.H)
		})
	}
}

// slowStages runs a transform's layer list with the reference layers.
func slowStages(stages []stage, x *Tensor) *Tensor {
	for _, st := range stages {
		switch {
		case st.conv != nil:
			l := st.conv
			x = slowConv2D(x, l.Weight, l.Bias, l.Out, l.K, l.Stride, l.Pad)
		case st.deconv != nil:
			l := st.deconv
			x = slowConvTranspose2D(x, l.Weight, l.Bias, l.Out, l.K, l.Stride, l.Pad, l.OutPad)
		default:
			x = slowGDN(x, st.gdn.Beta, st.gdn.Gamma, st.gdn.Inverse)
		}
		if st.leaky {
			for i, v := range x.Data {
				if v < 0 {
					x.Data[i] = v * 0.01
				}
			}
		}
	}
	return x
}

func TestTransformsMatchReference(t *testing.T) {
	const n, m = 8, 12
	ga, gs, ha := randomTransforms(t, 45, 46, n, m)
	requireTransformsMatchReference(t, ga, gs, ha, rand.New(rand.NewPCG(47, 48)), m, 45, 70, 5, 7)
}

// requireTransformsMatchReference runs g_a on a random h×w image and h_a
// and g_s on a random m×hy×wy latent, and compares each with the slow
// reference convolutions.
func requireTransformsMatchReference(t *testing.T, ga *Analysis, gs *Synthesis, ha *HyperAnalysis, r *rand.Rand, m, h, w, hy, wy int) {
	t.Helper()
	img := randTensor(r, 3, h, w)
	requireClose(t, ga.Forward(img), slowStages(ga.net.stages, img), 1e-4)
	y := randTensor(r, m, hy, wy)
	requireClose(t, ha.Forward(y), slowStages(ha.net.stages, y), 1e-4)
	requireClose(t, gs.Forward(y), slowStages(gs.net.stages, y), 1e-4)
}

func TestTransformsIndependentOfGOMAXPROCS(t *testing.T) {
	const n, m = 16, 24
	ga, gs, ha := randomTransforms(t, 49, 50, n, m)
	img := randTensor(rand.New(rand.NewPCG(51, 52)), 3, 128, 192)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var ref []*Tensor
	for _, procs := range []int{1, 2, 5} {
		runtime.GOMAXPROCS(procs)
		y := ga.Forward(img)
		got := []*Tensor{y, ha.Forward(y), gs.Forward(y)}
		if ref == nil {
			ref = got
			continue
		}
		for i := range got {
			require.Equal(t, ref[i].Data, got[i].Data, "transform %d, GOMAXPROCS=%d", i, procs)
		}
	}
}

func TestTransformParamErrors(t *testing.T) {
	const n, m = 4, 6
	tests := []struct {
		name   string
		edit   func(Params)
		tensor string
	}{
		{"missing", func(p Params) { delete(p, "g_s.4.weight") }, "g_s.4.weight"},
		{"wrong shape", func(p Params) {
			p["g_a.2.weight"] = Param{Shape: []int{n, n, 3, 3}, Data: make([]float32, n*n*9)}
		}, "g_a.2.weight"},
		{"short data", func(p Params) {
			p["h_a.0.bias"] = Param{Shape: []int{n}, Data: make([]float32, n-1)}
		}, "h_a.0.bias"},
		{"negative beta", func(p Params) { p["g_s.3.beta"].Data[2] = -1 }, "g_s.3.beta"},
		{"nan weight", func(p Params) { p["g_a.6.weight"].Data[5] = float32(math.NaN()) }, "g_a.6.weight"},
		{"transposed layout", func(p Params) {
			w := p["g_s.0.weight"]
			p["g_s.0.weight"] = Param{Shape: []int{n, m, 5, 5}, Data: w.Data}
		}, "g_s.0.weight"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := randomParams(rand.New(rand.NewPCG(53, 54)), n, m)
			tc.edit(p)
			_, err1 := NewAnalysis(p, n, m)
			_, err2 := NewSynthesis(p, n, m)
			_, err3 := NewHyperAnalysis(p, n, m)
			var pe *ParamError
			found := false
			for _, err := range []error{err1, err2, err3} {
				if err != nil {
					require.ErrorAs(t, err, &pe)
					require.Equal(t, tc.tensor, pe.Name, "%v", err)
					found = true
				}
			}
			require.True(t, found, "no error")
		})
	}
	p := randomParams(rand.New(rand.NewPCG(55, 56)), n, m)
	_, err := NewSynthesis(p, n+1, m)
	require.ErrorAs(t, err, new(*ParamError))
	_, err = NewAnalysis(p, 0, m)
	require.ErrorAs(t, err, new(*ParamError))
	_, err = NewHyperAnalysis(Params{}, n, m)
	require.ErrorAs(t, err, new(*ParamError))
	// 4-D gamma [N][N][1][1] is accepted as well.
	g := p["g_a.1.gamma"]
	p["g_a.1.gamma"] = Param{Shape: []int{n, n, 1, 1}, Data: g.Data}
	_, err = NewAnalysis(p, n, m)
	require.NoError(t, err)
}

func TestTransformPanicsOnWrongChannels(t *testing.T) {
	p := randomParams(rand.New(rand.NewPCG(57, 58)), 4, 6)
	gs, err := NewSynthesis(p, 4, 6)
	require.NoError(t, err)
	require.PanicsWithValue(t, "model: Synthesis input has 3 channels, want 6", func() { gs.Forward(NewTensor(3, 2, 2)) })
}

// flops counts the multiply-adds of a layer list (×2), counting every
// kernel tap of a transposed convolution, cropped or not.
func flops(stages []stage, c, h, w int) float64 {
	total := 0.0
	for i := range stages {
		st := &stages[i]
		oc, oh, ow := st.outShape(c, h, w)
		switch {
		case st.conv != nil:
			total += 2 * float64(oh*ow) * float64(oc*c*st.conv.K*st.conv.K)
		case st.deconv != nil:
			total += 2 * float64(h*w) * float64(oc*c*st.deconv.K*st.deconv.K)
		default:
			total += 2 * float64(h*w) * float64(c*c)
		}
		c, h, w = oc, oh, ow
	}
	return total
}

func benchTransform(b *testing.B, stages []stage, x *Tensor, f func(*Tensor) *Tensor) {
	fl := flops(stages, x.C, x.H, x.W)
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu := time.Now(), cputime.Process()
	for b.Loop() {
		f(x)
	}
	sec := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(sec, "s/op")
	b.ReportMetric(fl/sec/1e9, "GFLOPS")
	// CPU seconds per op: on a shared machine, wall time includes waiting
	// for other processes; CPU time does not.
	b.ReportMetric((cputime.Process()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

func BenchmarkSynthesis768x512(b *testing.B) {
	p := randomParams(rand.New(rand.NewPCG(61, 62)), 128, 192)
	gs, err := NewSynthesis(p, 128, 192)
	require.NoError(b, err)
	y := randTensor(rand.New(rand.NewPCG(63, 64)), 192, 32, 48)
	benchTransform(b, gs.net.stages, y, gs.Forward)
}

func BenchmarkAnalysis768x512(b *testing.B) {
	p := randomParams(rand.New(rand.NewPCG(61, 62)), 128, 192)
	ga, err := NewAnalysis(p, 128, 192)
	require.NoError(b, err)
	x := randTensor(rand.New(rand.NewPCG(65, 66)), 3, 512, 768)
	for _, prec := range []Precision{Float32, BF16} {
		b.Run(prec.String(), func(b *testing.B) {
			if prec == BF16 && !BF16Available() {
				b.Skip("no bfloat16 kernels here")
			}
			benchTransform(b, ga.net.stages, x, func(x *Tensor) *Tensor { return ga.ForwardPrecision(x, 0, 0, prec) })
		})
	}
}

func BenchmarkHyperAnalysis768x512(b *testing.B) {
	p := randomParams(rand.New(rand.NewPCG(61, 62)), 128, 192)
	ha, err := NewHyperAnalysis(p, 128, 192)
	require.NoError(b, err)
	y := randTensor(rand.New(rand.NewPCG(67, 68)), 192, 32, 48)
	benchTransform(b, ha.net.stages, y, ha.Forward)
}

// TestSynthesisTiledIdentical requires the tiled synthesis to reproduce the
// untiled one bit for bit, for tiles that do and do not divide the latent.
func TestSynthesisTiledIdentical(t *testing.T) {
	const n, m = 8, 12
	p := randomParams(rand.New(rand.NewPCG(71, 72)), n, m)
	gs, err := NewSynthesis(p, n, m)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(73, 74))
	for _, sz := range [][2]int{{13, 11}, {4, 9}, {1, 7}} {
		y := randTensor(r, m, sz[0], sz[1])
		want := gs.Forward(y)
		for _, tile := range []int{1, 2, 3, 4, 5, 8, 100} {
			got := gs.ForwardTiled(y, tile)
			require.Equal(t, [3]int{want.C, want.H, want.W}, [3]int{got.C, got.H, got.W})
			require.True(t, equalBits(want.Data, got.Data), "latent %v, tile %d", sz, tile)
		}
	}
	// Wider layers exercise full GEMM register tiles as well as edges.
	p = randomParams(rand.New(rand.NewPCG(75, 76)), 40, 48)
	gs, err = NewSynthesis(p, 40, 48)
	require.NoError(t, err)
	y := randTensor(r, 48, 7, 6)
	require.True(t, equalBits(gs.Forward(y).Data, gs.ForwardTiled(y, 3).Data))
}

// TestAnalysisTiledIdentical requires the tiled analysis to reproduce the
// untiled one bit for bit, including images that are not a multiple of 16.
func TestAnalysisTiledIdentical(t *testing.T) {
	const n, m = 8, 12
	p := randomParams(rand.New(rand.NewPCG(77, 78)), n, m)
	ga, err := NewAnalysis(p, n, m)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(79, 80))
	for _, sz := range [][2]int{{64, 128}, {77, 50}, {16, 200}, {33, 17}} {
		x := randTensor(r, 3, sz[0], sz[1])
		want := ga.Forward(x)
		for _, tile := range []int{1, 2, 3, 5, 100} {
			got := ga.ForwardTiled(x, tile)
			require.Equal(t, [3]int{want.C, want.H, want.W}, [3]int{got.C, got.H, got.W})
			require.True(t, equalBits(want.Data, got.Data), "image %v, tile %d", sz, tile)
		}
	}
}

func BenchmarkSynthesisTiled768x512(b *testing.B) {
	p := randomParams(rand.New(rand.NewPCG(61, 62)), 128, 192)
	gs, err := NewSynthesis(p, 128, 192)
	require.NoError(b, err)
	y := randTensor(rand.New(rand.NewPCG(63, 64)), 192, 32, 48)
	benchTransform(b, gs.net.stages, y, func(x *Tensor) *Tensor { return gs.ForwardTiled(x, 16) })
}

func equalBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestFusedStagesIdentical requires a transform, which runs each GDN and
// LeakyReLU on the bands of the convolution before it, to give the bits of
// its stages run one by one, on odd sizes and with narrow bands.
func TestFusedStagesIdentical(t *testing.T) {
	defer func(n int) { bandCols = n }(bandCols)
	p := randomParams(rand.New(rand.NewPCG(81, 82)), 20, 28)
	ga, err := NewAnalysis(p, 20, 28)
	require.NoError(t, err)
	gs, err := NewSynthesis(p, 20, 28)
	require.NoError(t, err)
	ha, err := NewHyperAnalysis(p, 20, 28)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(83, 84))
	oneByOne := func(stages []stage, x *Tensor) *Tensor {
		for i := range stages {
			st := &stages[i]
			switch {
			case st.conv != nil:
				x = st.conv.Forward(x)
			case st.deconv != nil:
				x = st.deconv.Forward(x)
			default:
				x = st.gdn.Forward(x)
			}
			if st.leaky {
				LeakyReLU(x, LeakySlope)
			}
		}
		return x
	}
	for _, cols := range []int{512, 37} {
		bandCols = cols
		img := randTensor(r, 3, 53, 78)
		y := ga.Forward(img)
		require.True(t, equalBits(oneByOne(ga.net.stages, img).Data, y.Data), "g_a, bands of %d", cols)
		require.True(t, equalBits(oneByOne(ha.net.stages, y).Data, ha.Forward(y).Data), "h_a, bands of %d", cols)
		require.True(t, equalBits(oneByOne(gs.net.stages, y).Data, gs.Forward(y).Data), "g_s, bands of %d", cols)
	}
}

// TestTransformsGenericKernel switches to the pure-Go GEMM after the
// weights were packed for the assembly one, which makes every product fall
// back to packing on the fly, and checks the result against the reference.
func TestTransformsGenericKernel(t *testing.T) {
	const n, m = 8, 12
	ga, gs, ha := randomTransforms(t, 85, 86, n, m)
	defer gemm.SetKernel(gemm.SetKernel(gemm.Generic))
	requireTransformsMatchReference(t, ga, gs, ha, rand.New(rand.NewPCG(87, 88)), m, 35, 49, 3, 5)
}

// BenchmarkLayers768x512 times each convolution of g_a and g_s at 768×512
// (N=128, M=192) with the GDN fused into it, reporting GFLOPS per
// CPU-second, to show which layers fall short of the GEMM kernel.
func BenchmarkLayers768x512(b *testing.B) {
	p := randomParams(rand.New(rand.NewPCG(61, 62)), 128, 192)
	gs, err := NewSynthesis(p, 128, 192)
	require.NoError(b, err)
	ga, err := NewAnalysis(p, 128, 192)
	require.NoError(b, err)
	nets := []struct {
		name string
		st   []stage
		x    *Tensor
		bf16 bool
	}{
		{"g_s", gs.net.stages, randTensor(rand.New(rand.NewPCG(63, 64)), 192, 32, 48), false},
		{"g_a", ga.net.stages, randTensor(rand.New(rand.NewPCG(65, 66)), 3, 512, 768), false},
	}
	if BF16Available() {
		nets = append(nets, nets[1])
		nets[2].name, nets[2].bf16 = "g_a-bf16", true
	}
	for _, nt := range nets {
		x := nt.x
		for i := 0; i < len(nt.st); i++ {
			st := &nt.st[i]
			pp := post{bf16: nt.bf16}
			fl := flops(nt.st[i:i+1], x.C, x.H, x.W)
			oc, oh, ow := st.outShape(x.C, x.H, x.W)
			name := fmt.Sprintf("%s.%d", nt.name, i)
			if i+1 < len(nt.st) && nt.st[i+1].gdn != nil {
				pp.gdn = nt.st[i+1].gdn
				fl += flops(nt.st[i+1:i+2], oc, oh, ow)
				name += "+gdn"
			}
			dst, in := NewTensor(oc, oh, ow), x
			b.Run(name, func(b *testing.B) {
				cpu := cputime.Process()
				for b.Loop() {
					if !st.readsSource() {
						st.deconv.forwardTaps(dst, in, 0)
						continue
					}
					src := sourceOf(in, st.geom(in.H, in.W, pp.bf16), 0)
					if st.conv != nil {
						st.conv.forward(plainSource(dst), src, pp, 0)
					} else {
						st.deconv.forward(plainSource(dst), src, pp, 0)
					}
					src.release()
				}
				c := (cputime.Process() - cpu).Seconds() / float64(b.N)
				b.ReportMetric(c, "cpu-s/op")
				b.ReportMetric(fl/c/1e9, "GFLOPS/cpu-s")
			})
			x = dst
			if pp.gdn != nil {
				i++
			}
		}
	}
}

// TestWorkersIdentical requires the transforms to give the same bits for
// every per-call worker limit, tiled or not.
func TestWorkersIdentical(t *testing.T) {
	const n, m = 12, 16
	ga, gs, ha := randomTransforms(t, 93, 94, n, m)
	img := randTensor(rand.New(rand.NewPCG(95, 96)), 3, 100, 140)
	y := ga.Forward(img)
	z := ha.Forward(y)
	xh := gs.Forward(y)
	for _, w := range []int{1, 2, 3, 7} {
		require.True(t, equalBits(y.Data, ga.ForwardTiledWorkers(img, 3, w).Data), "g_a, workers %d", w)
		require.True(t, equalBits(y.Data, ga.ForwardTiledWorkers(img, 0, w).Data), "g_a untiled, workers %d", w)
		require.True(t, equalBits(z.Data, ha.ForwardWorkers(y, w).Data), "h_a, workers %d", w)
		require.True(t, equalBits(xh.Data, gs.ForwardTiledWorkers(y, 2, w).Data), "g_s, workers %d", w)
	}
}

// TestParallelForWorkers checks that one worker runs the items in order on
// the calling goroutine and that any count runs every item once.
func TestParallelForWorkers(t *testing.T) {
	var order []int
	parallelFor(1, 50, 4, func(i int, s []float32) {
		require.Len(t, s, 4)
		order = append(order, i)
	})
	for i, v := range order {
		require.Equal(t, i, v)
	}
	require.Len(t, order, 50)
	for _, w := range []int{0, 2, 3, 100} {
		var seen [50]atomic.Int32
		parallelFor(w, 50, 0, func(i int, _ []float32) { seen[i].Add(1) })
		for i := range seen {
			require.Equal(t, int32(1), seen[i].Load(), "workers %d, item %d", w, i)
		}
	}
}

// randomTransforms builds g_a, g_s and h_a of widths n, m from random
// parameters drawn with the PCG seed (s1, s2).
func randomTransforms(t testing.TB, s1, s2 uint64, n, m int) (*Analysis, *Synthesis, *HyperAnalysis) {
	t.Helper()
	p := randomParams(rand.New(rand.NewPCG(s1, s2)), n, m)
	ga, err := NewAnalysis(p, n, m)
	require.NoError(t, err)
	gs, err := NewSynthesis(p, n, m)
	require.NoError(t, err)
	ha, err := NewHyperAnalysis(p, n, m)
	require.NoError(t, err)
	return ga, gs, ha
}
