package codec

import (
	"bytes"
	"fmt"
	"image"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aezip/aezip/bench/benchdata"
	"github.com/aezip/aezip/bench/randmodel"
	"github.com/aezip/aezip/internal/cputime"
	"github.com/aezip/aezip/model"
)

// The kitten benchmarks use the trainer's tiny model (N=16, M=24): they
// measure the codec's own overhead and catch regressions. The 768×512 ones
// time the whole codec (transforms, h_s and entropy coding) with the
// embedded model and with a random model of the full size (N=128, M=192),
// the shape that bench/pytorch/msh_bench.py compares with PyTorch.

// benchImage returns a 768×512 image made by mirror-tiling
// testdata/kitten.png (a crop of a training image), so that it has no hard
// seams.
var benchImage = sync.OnceValues(func() (image.Image, error) {
	return benchdata.Kitten(768, 512)
})

// random128 is a random model of the full size.
var random128 = sync.OnceValues(func() (*model.Model, error) {
	fix, err := randmodel.FindFixture()
	if err != nil {
		return nil, err
	}
	return randmodel.New(fix, 128, 192, 1)
})

// benchModel returns the named model: "default" (embedded), "n128"
// (random, N=128, M=192) or "tiny".
func benchModel(b *testing.B, name string) *model.Model {
	var m *model.Model
	var err error
	switch name {
	case "default":
		m, err = DefaultModel()
	case "n128":
		m, err = random128()
	default:
		return tinyModel(b)
	}
	if err != nil {
		b.Skip(err)
	}
	return m
}

type benchCase struct {
	name, model string
	m           func(b *testing.B) image.Image
	q           float64
	float32     bool // encode with model.Float32
}

func benchCases() []benchCase {
	var cs []benchCase
	for _, q := range []float64{25, 50, 75} {
		cs = append(cs, benchCase{fmt.Sprintf("kitten/tiny/q%g", q), "tiny", func(b *testing.B) image.Image { return kitten(b) }, q, false})
	}
	big := func(b *testing.B) image.Image {
		m, err := benchImage()
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	for _, mdl := range []string{"default", "n128"} {
		cs = append(cs, benchCase{"768x512/" + mdl + "/q50", mdl, big, 50, false})
	}
	return cs
}

// reportMS adds the mean wall milliseconds per operation, the unit in which
// docs/speed.md compares aezip with PyTorch, and the CPU milliseconds of
// the process per operation since cpu0 (all goroutines; on a shared
// machine the more repeatable figure).
func reportMS(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/op")
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkEncode runs the default precision (model.BF16, which is float32
// on processors without AVX512_BF16) and, for the 768×512 image, also
// model.Float32 (…/float32), so that one run compares them.
func BenchmarkEncode(b *testing.B) {
	var cases []benchCase
	for _, bc := range benchCases() {
		cases = append(cases, bc)
		if strings.HasPrefix(bc.name, "768x512/") {
			bc.name += "/float32"
			bc.float32 = true
			cases = append(cases, bc)
		}
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			m, mdl := bc.m(b), benchModel(b, bc.model)
			px := m.Bounds().Dx() * m.Bounds().Dy()
			b.SetBytes(int64(3 * px))
			b.ReportAllocs()
			var n int
			var buf bytes.Buffer // reused, as a server would: its growth is not the codec's
			cpu0 := cputime.Process()
			for b.Loop() {
				buf.Reset()
				prec := model.BF16
				if bc.float32 {
					prec = model.Float32
				}
				if err := Encode(&buf, m, WithModel(mdl), WithQuality(bc.q), WithPrecision(prec)); err != nil {
					b.Fatal(err)
				}
				n = buf.Len()
			}
			reportMS(b, cpu0)
			b.ReportMetric(float64(8*n)/float64(px), "bpp")
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, bc := range benchCases() {
		b.Run(bc.name, func(b *testing.B) {
			m, mdl := bc.m(b), benchModel(b, bc.model)
			px := m.Bounds().Dx() * m.Bounds().Dy()
			var buf bytes.Buffer
			if err := Encode(&buf, m, WithModel(mdl), WithQuality(bc.q)); err != nil {
				b.Fatal(err)
			}
			data := buf.Bytes()
			d, err := NewDecoder(nil, WithDecoderModel(mdl))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(3 * px))
			b.ReportAllocs()
			var out image.Image
			cpu0 := cputime.Process()
			for b.Loop() {
				d.Reset(bytes.NewReader(data))
				if out, err = d.Decode(); err != nil {
					b.Fatal(err)
				}
			}
			reportMS(b, cpu0)
			b.ReportMetric(float64(8*len(data))/float64(px), "bpp")
			b.ReportMetric(psnr8(m, out), "dB")
		})
	}
}

// BenchmarkLoadDefaultModel times parsing the embedded model and building
// its transforms (Winograd kernels included): what every process pays once,
// before its first encode or decode.
func BenchmarkLoadDefaultModel(b *testing.B) {
	data, err := modelFS.ReadFile(defaultModelPath)
	if err != nil {
		b.Skip("no embedded model")
	}
	for b.Loop() {
		if _, err := model.Load(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
