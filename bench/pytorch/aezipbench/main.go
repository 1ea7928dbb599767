// Command aezipbench times aezip's own transforms on the mean-scale
// hyperprior of docs/architecture.md with random weights, for comparison
// with the PyTorch model of ../msh_bench.py on the same shape. It prints
// one JSON object: the median seconds of encode (g_a + h_a + integer h_s)
// and decode (integer h_s + g_s), plus each stage, and the median seconds
// of the whole codec (codec.Encode and codec.Decode at quality 50, entropy
// coding and container included) on the same model and a natural image:
// -image (a PNG or JPEG, such as a Kodak image; its size then sets the
// shape), or else testdata/kitten.png mirror-tiled to the shape.
//
// The random model comes from bench/randmodel, which takes the layer list
// from the trainer's tiny dump, so the list is not spelled out here.
//
// Usage:
//
//	go run ./bench/pytorch/aezipbench -width 768 -height 512 -runs 5
//	go run ./bench/pytorch/aezipbench -image ../shared/data/kodak/kodim23.png
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/aezip/aezip/bench/benchdata"
	"github.com/aezip/aezip/bench/randmodel"
	"github.com/aezip/aezip/codec"
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
	precision := flag.String("precision", "bf16", "analysis arithmetic of the encode timings: bf16 (the codec's default) or float32; the other one is timed for the whole codec too")
	imagePath := flag.String("image", "", "PNG or JPEG for the whole-codec timing (its size overrides -width and -height)")
	flag.Parse()
	var img image.Image
	if *imagePath != "" {
		f, err := os.Open(*imagePath)
		if err == nil {
			img, _, err = image.Decode(f)
			f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "aezipbench:", err)
			os.Exit(1)
		}
		*width, *height = img.Bounds().Dx(), img.Bounds().Dy()
	}
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
	prec, err := model.ParsePrecision(*precision)
	if err != nil {
		fmt.Fprintln(os.Stderr, "aezipbench:", err)
		os.Exit(2)
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
	if err := run(img, *imagePath, *width, *height, *n, *m, *runs, *threads, prec); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "aezipbench:", err)
		os.Exit(1)
	}
}

func median(d []float64) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func run(img image.Image, imagePath string, width, height, n, m, runs, threads int, prec model.Precision) error {
	fix, err := randmodel.FindFixture()
	if err != nil {
		return err
	}
	mdl, err := randmodel.New(fix, n, m, 1)
	if err != nil {
		return err
	}
	ga, gs, ha, hs := mdl.Analysis, mdl.Synthesis, mdl.HyperAnalysis, mdl.HyperSynthesis
	r := rand.New(rand.NewPCG(1, 2))
	x := model.NewTensor(3, height, width)
	for i := range x.Data {
		x.Data[i] = r.Float32()
	}
	var tGa, tHa, tHs, tGs []float64
	for i := 0; i <= runs; i++ {
		t0 := time.Now()
		y := ga.ForwardPrecision(x, 0, 0, prec)
		t1 := time.Now()
		z := ha.ForwardPrecision(y, 0, prec)
		t2 := time.Now()
		zq := make([]int32, len(z.Data))
		for j, v := range z.Data {
			zq[j] = int32(math.Round(float64(v)))
		}
		t3 := time.Now()
		mean, _ := hs.Forward(zq, z.H, z.W)
		t4 := time.Now()
		yh := model.NewTensor(y.C, y.H, y.W)
		scale := float32(1) / float32(int64(1)<<mdl.Arch.MeanBits)
		for j := range yh.Data {
			yh.Data[j] = y.Data[j] + float32(mean[j])*scale
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
	if img == nil {
		if img, err = benchdata.Kitten(width, height); err != nil {
			return err
		}
		imagePath = "testdata/kitten.png, mirror-tiled"
	}
	cEnc, cDec, size, err := timeCodec(mdl, img, runs, prec)
	if err != nil {
		return err
	}
	// The encoder's other precision, timed in the same run for comparison.
	other := model.Float32
	if prec == model.Float32 {
		other = model.BF16
	}
	oEnc, _, _, err := timeCodec(mdl, img, runs, other)
	if err != nil {
		return err
	}
	ran := func(p model.Precision) string {
		if p == model.BF16 && !model.BF16Available() {
			return model.Float32.String()
		}
		return p.String()
	}
	res := map[string]any{
		"impl": "aezip", "kernel": gemm.ActiveKernel().String(), "threads": threads,
		"width": width, "height": height, "N": n, "M": m, "runs": runs,
		"encode_s": median(enc), "decode_s": median(dec),
		"g_a_s": median(tGa), "h_a_s": median(tHa), "h_s_int_s": median(tHs), "g_s_s": median(tGs),
		"precision": ran(prec), "other_precision": ran(other),
		"codec_encode_s": cEnc, "codec_decode_s": cDec, "codec_encode_other_s": oEnc,
		"codec_bpp": float64(8*size) / float64(width*height), "codec_image": imagePath,
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// timeCodec returns the median seconds of codec.Encode at precision prec
// and of decoding its output, after one warm-up each, and the file size.
func timeCodec(mdl *model.Model, img image.Image, runs int, prec model.Precision) (enc, dec float64, size int, err error) {
	var tEnc, tDec []float64
	var data []byte
	for i := 0; i <= runs; i++ {
		var buf bytes.Buffer
		t0 := time.Now()
		if err := codec.Encode(&buf, img, codec.WithModel(mdl), codec.WithQuality(50), codec.WithPrecision(prec)); err != nil {
			return 0, 0, 0, err
		}
		if i > 0 {
			tEnc = append(tEnc, time.Since(t0).Seconds())
		}
		data = buf.Bytes()
	}
	d, err := codec.NewDecoder(nil, codec.WithDecoderModel(mdl))
	if err != nil {
		return 0, 0, 0, err
	}
	for i := 0; i <= runs; i++ {
		d.Reset(bytes.NewReader(data))
		t0 := time.Now()
		if _, err := d.Decode(); err != nil {
			return 0, 0, 0, err
		}
		if i > 0 {
			tDec = append(tDec, time.Since(t0).Seconds())
		}
	}
	return median(tEnc), median(tDec), len(data), nil
}
