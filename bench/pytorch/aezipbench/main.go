// Command aezipbench times aezip's own transforms on the mean-scale
// hyperprior of docs/architecture.md with random weights, for comparison
// with the PyTorch model of ../msh_bench.py on the same shape. It prints
// one JSON object: the median seconds of encode (g_a + h_a + integer h_s)
// and decode (integer h_s + g_s), plus each stage.
//
// Usage:
//
//	go run ./bench/pytorch/aezipbench -width 768 -height 512 -runs 5
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/aezip/aezip/internal/gemm"
	"github.com/aezip/aezip/model"
)

func main() {
	width := flag.Int("width", 768, "image width")
	height := flag.Int("height", 512, "image height")
	n := flag.Int("N", 128, "channel width N")
	m := flag.Int("M", 192, "latent width M")
	runs := flag.Int("runs", 5, "timed runs (after one warm-up)")
	threads := flag.Int("threads", 2, "GOMAXPROCS")
	kernel := flag.String("kernel", "", "force a gemm kernel: generic, avx2 or avx512")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed runs to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "aezipbench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "aezipbench:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	runtime.GOMAXPROCS(*threads)
	if *kernel != "" {
		k, ok := map[string]gemm.Kernel{"generic": gemm.Generic, "avx2": gemm.AVX2, "avx512": gemm.AVX512}[*kernel]
		if !ok || !k.Available() {
			fmt.Fprintf(os.Stderr, "aezipbench: kernel %q not available\n", *kernel)
			os.Exit(2)
		}
		gemm.SetKernel(k)
	}
	if err := run(*width, *height, *n, *m, *runs, *threads); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "aezipbench:", err)
		os.Exit(1)
	}
}

// randomParams fills every float tensor of g_a, g_s and h_a with weights
// scaled by 1/sqrt(fan-in), so activations stay in a normal float range.
func randomParams(r *rand.Rand, n, m int) model.Params {
	p := model.Params{}
	put := func(name string, fanIn int, shape ...int) {
		size := 1
		for _, d := range shape {
			size *= d
		}
		s := 1 / math.Sqrt(float64(fanIn))
		d := make([]float32, size)
		for i := range d {
			d[i] = float32(r.NormFloat64() * s)
		}
		p[name] = model.Param{Shape: shape, Data: d}
	}
	conv := func(prefix string, in, out, k int) {
		put(prefix+".weight", in*k*k, out, in, k, k)
		put(prefix+".bias", in*k*k, out)
	}
	deconv := func(prefix string, in, out int) {
		put(prefix+".weight", in*25/4, in, out, 5, 5)
		put(prefix+".bias", in*25, out)
	}
	gdn := func(prefix string, c int) {
		beta := make([]float32, c)
		gamma := make([]float32, c*c)
		for i := range beta {
			beta[i] = 1
			for j := 0; j < c; j++ {
				gamma[i*c+j] = float32(0.1 * r.Float64() / float64(c))
			}
		}
		p[prefix+".beta"] = model.Param{Shape: []int{c}, Data: beta}
		p[prefix+".gamma"] = model.Param{Shape: []int{c, c}, Data: gamma}
	}
	conv("g_a.0", 3, n, 5)
	gdn("g_a.1", n)
	conv("g_a.2", n, n, 5)
	gdn("g_a.3", n)
	conv("g_a.4", n, n, 5)
	gdn("g_a.5", n)
	conv("g_a.6", n, m, 5)
	deconv("g_s.0", m, n)
	gdn("g_s.1", n)
	deconv("g_s.2", n, n)
	gdn("g_s.3", n)
	deconv("g_s.4", n, n)
	gdn("g_s.5", n)
	deconv("g_s.6", n, 3)
	conv("h_a.0", m, n, 3)
	conv("h_a.2", n, n, 5)
	conv("h_a.4", n, n, 5)
	return p
}

// randomIntHS builds an integer h_s with small random weights that satisfy
// the accumulator bound of docs/architecture.md.
func randomIntHS(r *rand.Rand, n, m int) *model.IntHyperSynthesis {
	layer := func(in, out int, transposed, leaky bool) model.IntLayer {
		k := 3
		if transposed {
			k = 5
		}
		l := model.IntLayer{In: in, Out: out, Transposed: transposed, Leaky: leaky,
			Weight: make([]int16, in*out*k*k), Bias: make([]int32, out),
			Mult: make([]int32, out), Shift: make([]int32, out)}
		for i := range l.Weight {
			l.Weight[i] = int16(r.IntN(31) - 15)
		}
		for o := range out {
			l.Bias[o] = int32(r.IntN(2001) - 1000)
			l.Mult[o] = 1 << 20
			l.Shift[o] = 28
		}
		return l
	}
	th := make([]int32, 63)
	for i := range th {
		th[i] = int32(i-31) * 64
	}
	return &model.IntHyperSynthesis{
		N: n, M: m,
		Layers: [3]model.IntLayer{
			layer(n, m, true, true),
			layer(m, 3*m/2, true, true),
			layer(3*m/2, 2*m, false, false),
		},
		SlopeQ16:   655,
		MeanBits:   8,
		Thresholds: th,
	}
}

func median(d []float64) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func run(width, height, n, m, runs, threads int) error {
	r := rand.New(rand.NewPCG(1, 2))
	p := randomParams(r, n, m)
	ga, err := model.NewAnalysis(p, n, m)
	if err != nil {
		return err
	}
	gs, err := model.NewSynthesis(p, n, m)
	if err != nil {
		return err
	}
	ha, err := model.NewHyperAnalysis(p, n, m)
	if err != nil {
		return err
	}
	hs := randomIntHS(r, n, m)
	x := model.NewTensor(3, height, width)
	for i := range x.Data {
		x.Data[i] = r.Float32()
	}
	var tGa, tHa, tHs, tGs []float64
	for i := 0; i <= runs; i++ {
		t0 := time.Now()
		y := ga.Forward(x)
		t1 := time.Now()
		z := ha.Forward(y)
		t2 := time.Now()
		zq := make([]int32, len(z.Data))
		for j, v := range z.Data {
			zq[j] = int32(math.Round(float64(v)))
		}
		t3 := time.Now()
		mean, _ := hs.Forward(zq, z.H, z.W)
		t4 := time.Now()
		yh := model.NewTensor(y.C, y.H, y.W)
		for j := range yh.Data {
			yh.Data[j] = y.Data[j] + float32(mean[j])/256
		}
		t5 := time.Now()
		out := gs.Forward(yh)
		t6 := time.Now()
		if out.C != 3 || out.H != height || out.W != width {
			return fmt.Errorf("g_s output %d×%d×%d", out.C, out.H, out.W)
		}
		if i == 0 {
			continue // warm-up: pools, page faults
		}
		tGa = append(tGa, t1.Sub(t0).Seconds())
		tHa = append(tHa, t2.Sub(t1).Seconds())
		tHs = append(tHs, t4.Sub(t3).Seconds())
		tGs = append(tGs, t6.Sub(t5).Seconds())
	}
	enc := make([]float64, runs)
	dec := make([]float64, runs)
	for i := range enc {
		enc[i] = tGa[i] + tHa[i] + tHs[i]
		dec[i] = tHs[i] + tGs[i]
	}
	res := map[string]any{
		"impl": "aezip", "kernel": gemm.ActiveKernel().String(), "threads": threads,
		"width": width, "height": height, "N": n, "M": m, "runs": runs,
		"encode_s": median(enc), "decode_s": median(dec),
		"g_a_s": median(tGa), "h_a_s": median(tHa), "h_s_int_s": median(tHs), "g_s_s": median(tGs),
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}
