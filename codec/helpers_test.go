// Shared test helpers: the trainer's tiny model and test images.

package codec

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"sync"
	"testing"

	"github.com/aezip/aezip/model"
)

// tinyModels imports the trainer's tiny parity model (N=16, M=24, L=8,
// trained for 200 steps; testdata/parity/README.md), once in float32 and once
// in float16 (a different model ID).
var tinyModels = sync.OnceValues(func() ([2]*model.Model, error) {
	var ms [2]*model.Model
	b, err := os.ReadFile("../testdata/parity/tiny.safetensors")
	if err != nil {
		return ms, err
	}
	for i, f16 := range []bool{false, true} {
		if ms[i], err = model.Import(bytes.NewReader(b), model.WithFloat16(f16)); err != nil {
			return ms, err
		}
	}
	return ms, nil
})

func tinyModel(t testing.TB) *model.Model {
	t.Helper()
	ms, err := tinyModels()
	if err != nil {
		t.Fatal(err)
	}
	return ms[0]
}

func otherModel(t testing.TB) *model.Model {
	t.Helper()
	ms, err := tinyModels()
	if err != nil {
		t.Fatal(err)
	}
	return ms[1]
}

// kitten returns testdata/kitten.png (256×192, a crop of a training image).
func kitten(t testing.TB) image.Image {
	t.Helper()
	f, err := os.Open("../testdata/kitten.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// encodeBytes encodes m with the tiny model and opts.
func encodeBytes(t testing.TB, m image.Image, opts ...EncoderOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	opts = append([]EncoderOption{WithModel(tinyModel(t))}, opts...)
	if err := Encode(&buf, m, opts...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeBytes decodes b with the tiny model.
func decodeBytes(t testing.TB, b []byte, opts ...DecoderOption) (image.Image, error) {
	t.Helper()
	d, err := NewDecoder(bytes.NewReader(b), append([]DecoderOption{WithDecoderModel(tinyModel(t))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return d.Decode()
}

// psnr8 returns the PSNR of b against a over their RGB samples.
func psnr8(a, b image.Image) float64 {
	r := a.Bounds()
	var sse float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x-r.Min.X+b.Bounds().Min.X, y-r.Min.Y+b.Bounds().Min.Y).RGBA()
			for _, d := range []float64{float64(r1>>8) - float64(r2>>8), float64(g1>>8) - float64(g2>>8), float64(b1>>8) - float64(b2>>8)} {
				sse += d * d
			}
		}
	}
	if sse == 0 {
		return 99
	}
	return 10 * math.Log10(255*255*3*float64(r.Dx()*r.Dy())/sse)
}
