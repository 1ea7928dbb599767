package codec

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomNRGBA returns a w×h image with random colours; opaque makes every
// alpha 255.
func randomNRGBA(w, h int, seed uint64, opaque bool) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
		if opaque && i%4 == 3 {
			m.Pix[i] = 0xff
		}
	}
	return m
}

// generic hides the concrete type so newPlanes takes the generic path.
type generic struct{ image.Image }

func TestPlanesFastPathsMatchGeneric(t *testing.T) {
	src := randomNRGBA(37, 29, 1, false)
	opaque := randomNRGBA(37, 29, 2, true)
	rgba := image.NewRGBA(src.Bounds())
	draw.Draw(rgba, rgba.Bounds(), src, image.Point{}, draw.Src)
	gray := image.NewGray(src.Bounds())
	draw.Draw(gray, gray.Bounds(), src, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(src.Bounds(), image.YCbCrSubsampleRatio420)
	for y := 0; y < 29; y++ {
		for x := 0; x < 37; x++ {
			c := opaque.NRGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)] = yy
			ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = cb, cr
		}
	}
	// A sub-image with a non-zero origin exercises the offsets.
	big := randomNRGBA(50, 40, 3, false)
	sub := big.SubImage(image.Rect(5, 7, 42, 36)).(*image.NRGBA)
	opaqueRGBA := image.NewRGBA(src.Bounds())
	draw.Draw(opaqueRGBA, opaqueRGBA.Bounds(), opaque, image.Point{}, draw.Src)
	// One translucent pixel in the last row: the other rows are converted
	// in parallel before the image goes the serial way.
	lastTranslucent := randomNRGBA(37, 29, 4, true)
	lastTranslucent.Pix[lastTranslucent.PixOffset(36, 28)+3] = 7
	opaqueSub := randomNRGBA(50, 40, 5, true).SubImage(image.Rect(3, 2, 47, 39)).(*image.NRGBA)

	tests := []struct {
		name string
		m    image.Image
	}{
		{"NRGBA", src}, {"opaque NRGBA", opaque}, {"RGBA", rgba}, {"Gray", gray},
		{"YCbCr", ycc}, {"sub-image", sub}, {"opaque RGBA", opaqueRGBA},
		{"translucent last pixel", lastTranslucent}, {"opaque sub-image", opaqueSub},
	}
	// Every image is large enough to be converted on several goroutines.
	defer func(n int) { parallelPixels = n }(parallelPixels)
	parallelPixels = 1
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slow := newPlanes(generic{tc.m})
			for _, workers := range []int{1, 2, 3, 64} {
				b := tc.m.Bounds()
				fast := newPlanesPadded(tc.m, b, padded(b.Dx()), padded(b.Dy()), workers)
				assert.Equal(t, slow.rgb, fast.rgb, "workers %d", workers)
				assert.Equal(t, slow.alpha, fast.alpha, "workers %d", workers)
				assert.Equal(t, slow.gray, fast.gray, "workers %d", workers)
			}
		})
	}
}

func TestPlanesPadAndOpaque(t *testing.T) {
	m := randomNRGBA(65, 3, 4, true)
	p := newPlanes(m)
	require.Equal(t, [4]int{65, 3, 128, 64}, [4]int{p.w, p.h, p.pw, p.ph})
	assert.Nil(t, p.alpha, "an opaque image has no alpha plane")
	n := p.pw * p.ph
	for c := 0; c < 3; c++ {
		pl := p.rgb[c*n : (c+1)*n]
		for y := 0; y < p.ph; y++ {
			for x := 0; x < p.pw; x++ {
				sx, sy := min(x, 64), min(y, 2)
				want := unit[m.Pix[m.PixOffset(sx, sy)+c]]
				if pl[y*p.pw+x] != want {
					t.Fatalf("plane %d (%d,%d) = %v, want %v", c, x, y, pl[y*p.pw+x], want)
				}
			}
		}
	}
}

func TestOutputImageRoundTrip(t *testing.T) {
	src := randomNRGBA(19, 7, 5, false)
	p := newPlanes(src)
	out := outputImage(p.rgb, p.w, p.h, p.pw, p.ph, false, p.alpha)
	require.IsType(t, &image.NRGBA{}, out)
	assert.Equal(t, src.Pix, out.(*image.NRGBA).Pix)

	opaque := randomNRGBA(19, 7, 6, true)
	p = newPlanes(opaque)
	out = outputImage(p.rgb, p.w, p.h, p.pw, p.ph, false, nil)
	require.IsType(t, &image.RGBA{}, out)
	assert.Equal(t, opaque.Pix, out.(*image.RGBA).Pix)

	g := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(g.Pix, []uint8{0, 1, 127, 128, 254, 255})
	p = newPlanes(g)
	out = outputImage(p.rgb, p.w, p.h, p.pw, p.ph, p.gray, nil)
	require.IsType(t, &image.Gray{}, out)
	assert.Equal(t, g.Pix, out.(*image.Gray).Pix)
}

func TestTo8(t *testing.T) {
	nan := float32(0)
	nan /= nan
	tests := []struct {
		in   float32
		want uint8
	}{
		{-1, 0}, {0, 0}, {0.5 / 255, 1}, {0.49 / 255, 0}, {1, 255}, {2, 255}, {nan, 0},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, to8(tc.in), "to8(%v)", tc.in)
	}
}

func TestAlphaRoundTrip(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {7, 5}, {64, 3}, {300, 200}} {
		w, h := sz[0], sz[1]
		a := make([]byte, w*h)
		r := rand.New(rand.NewPCG(uint64(w), uint64(h)))
		for i := range a {
			a[i] = uint8(r.IntN(4) * 85)
		}
		enc := encodeAlpha(a, w)
		got, err := decodeAlpha(enc, w, h)
		require.NoError(t, err)
		assert.Equal(t, a, got)
		// A payload that decodes to the wrong size is corrupt, never a panic.
		_, err = decodeAlpha(enc, w+1, h)
		var ce *CorruptInputError
		assert.ErrorAs(t, err, &ce)
		_, err = decodeAlpha(enc[:len(enc)/2], w, h)
		assert.ErrorAs(t, err, &ce)
	}
}

// TestPutRowsWorkers checks that splitting the colour conversion over
// goroutines stores exactly what one goroutine stores, for every output type.
func TestPutRowsWorkers(t *testing.T) {
	const pw, ph = 320, 256
	rgb := make([]float32, 3*pw*ph)
	for i := range rgb {
		rgb[i] = float32(i%613)/600 - 0.01 // includes values below 0 and above 1
	}
	r := image.Rect(5, 3, 5+301, 3+250) // narrower and shorter than the planes
	for _, kind := range []struct {
		gray, alpha bool
	}{{false, false}, {true, false}, {false, true}, {true, true}} {
		want := newOutput(r.Dx(), r.Dy(), kind.gray, kind.alpha)
		putRows(want, want.Bounds(), rgb, pw, ph, 4, 10, 230, kind.gray)
		for _, w := range []int{1, 2, 3, 7} {
			got := newOutput(r.Dx(), r.Dy(), kind.gray, kind.alpha)
			putRowsWorkers(got, got.Bounds(), rgb, pw, ph, 4, 10, 230, kind.gray, w)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("gray=%v alpha=%v workers=%d: image differs", kind.gray, kind.alpha, w)
			}
		}
	}
}
