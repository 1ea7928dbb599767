// This file tests PSNR, SSIM and MS-SSIM against reference values computed
// with scikit-image and an independent numpy script (testdata/make_fixtures.py).

package metrics

import (
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fixture struct {
	Name          string  `json:"name"`
	Width, Height int     `json:"-"`
	PSNR          float64 `json:"psnr"`
	SSIM          float64 `json:"ssim"`
	MSSSIM        float64 `json:"msssim"`
	Scales        int     `json:"scales"`
}

func loadPNG(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	m, err := png.Decode(f)
	require.NoError(t, err)
	return m
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "metrics.json"))
	require.NoError(t, err)
	var fs []fixture
	require.NoError(t, json.Unmarshal(b, &fs))
	require.NotEmpty(t, fs)
	return fs
}

func TestAgainstReference(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		t.Run(fx.Name, func(t *testing.T) {
			a := loadPNG(t, fx.Name+".a.png")
			b := loadPNG(t, fx.Name+".b.png")
			p, err := PSNR(a, b)
			require.NoError(t, err)
			assert.InDelta(t, fx.PSNR, p, 1e-9, "PSNR")
			s, err := SSIM(a, b)
			require.NoError(t, err)
			assert.InDelta(t, fx.SSIM, s, 1e-9, "SSIM")
			ms, err := MSSSIM(a, b)
			require.NoError(t, err)
			assert.InDelta(t, fx.MSSSIM, ms, 1e-9, "MS-SSIM")
			assert.Equal(t, fx.Scales, Scales(a.Bounds().Dx(), a.Bounds().Dy()))
		})
	}
}

// TestRGBAFastPath checks that the *image.RGBA path and the generic At path agree.
func TestRGBAFastPath(t *testing.T) {
	a := loadPNG(t, "odd49x67.a.png")
	b := loadPNG(t, "odd49x67.b.png")
	toRGBA := func(m image.Image) *image.RGBA {
		r := image.NewRGBA(image.Rect(7, 3, 7+m.Bounds().Dx(), 3+m.Bounds().Dy()))
		for y := 0; y < m.Bounds().Dy(); y++ {
			for x := 0; x < m.Bounds().Dx(); x++ {
				r.Set(7+x, 3+y, m.At(m.Bounds().Min.X+x, m.Bounds().Min.Y+y))
			}
		}
		return r
	}
	want, err := MSSSIM(a, b)
	require.NoError(t, err)
	got, err := MSSSIM(toRGBA(a), toRGBA(b))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestIdentical(t *testing.T) {
	a := loadPNG(t, "kodim23crop.a.png")
	p, err := PSNR(a, a)
	require.NoError(t, err)
	assert.True(t, math.IsInf(p, 1))
	s, err := SSIM(a, a)
	require.NoError(t, err)
	assert.InDelta(t, 1, s, 1e-12)
	ms, err := MSSSIM(a, a)
	require.NoError(t, err)
	assert.InDelta(t, 1, ms, 1e-12)
	assert.True(t, math.IsInf(MSSSIMdB(1), 1))
	assert.InDelta(t, 20, MSSSIMdB(0.99), 1e-9)
}

func TestErrors(t *testing.T) {
	big := image.NewRGBA(image.Rect(0, 0, 20, 20))
	tests := []struct {
		name string
		a, b image.Image
		psnr error
		ssim error
	}{
		{"size mismatch", big, image.NewRGBA(image.Rect(0, 0, 20, 21)), ErrSizeMismatch, ErrSizeMismatch},
		{"empty", image.NewRGBA(image.Rect(0, 0, 0, 0)), image.NewRGBA(image.Rect(0, 0, 0, 0)), ErrEmpty, ErrEmpty},
		{"too small", image.NewRGBA(image.Rect(0, 0, 10, 40)), image.NewRGBA(image.Rect(0, 0, 10, 40)), nil, ErrTooSmall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PSNR(tt.a, tt.b)
			assert.ErrorIs(t, err, tt.psnr)
			_, err = SSIM(tt.a, tt.b)
			assert.ErrorIs(t, err, tt.ssim)
			_, err = MSSSIM(tt.a, tt.b)
			assert.ErrorIs(t, err, tt.ssim)
		})
	}
}

// TestPSNRHand checks PSNR on a case computable by hand: every sample off by
// 1 in one channel of three gives MSE 1/3.
func TestPSNRHand(t *testing.T) {
	a := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	b := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			a.Set(x, y, color.NRGBA{100, 50, 20, 255})
			b.Set(x, y, color.NRGBA{101, 50, 20, 255})
		}
	}
	p, err := PSNR(a, b)
	require.NoError(t, err)
	assert.InDelta(t, 10*math.Log10(3*255*255), p, 1e-12)
}

func TestScales(t *testing.T) {
	tests := []struct{ w, h, want int }{
		{10, 100, 0}, {11, 11, 1}, {22, 22, 2}, {176, 176, 5}, {175, 500, 4}, {768, 512, 5},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Scales(tt.w, tt.h), "%dx%d", tt.w, tt.h)
	}
}

func BenchmarkMSSSIMKodakSize(b *testing.B) {
	a := image.NewRGBA(image.Rect(0, 0, 768, 512))
	c := image.NewRGBA(image.Rect(0, 0, 768, 512))
	for i := range a.Pix {
		a.Pix[i] = uint8(i * 7)
		c.Pix[i] = uint8(i*7 + i%5)
	}
	b.SetBytes(768 * 512 * 3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MSSSIM(a, c); err != nil {
			b.Fatal(err)
		}
	}
}
