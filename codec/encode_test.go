// The tiny parity model (200 training steps) reaches only about 15–17 dB on
// the kitten image, so the PSNR thresholds below are sanity bounds, not
// quality claims.

package codec

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTripTypesAndSizes(t *testing.T) {
	k := kitten(t)
	crop := func(w, h int) *image.NRGBA {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		draw.Draw(m, m.Bounds(), k, image.Point{}, draw.Src)
		return m
	}
	withAlpha := crop(70, 33)
	for i := 3; i < len(withAlpha.Pix); i += 4 {
		withAlpha.Pix[i] = uint8(i * 7)
	}
	gray := image.NewGray(image.Rect(0, 0, 40, 30))
	draw.Draw(gray, gray.Bounds(), k, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(image.Rect(0, 0, 33, 17), image.YCbCrSubsampleRatio420)
	pal := image.NewPaletted(image.Rect(0, 0, 9, 9), color.Palette{color.Black, color.White, color.Transparent})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	sub := crop(100, 100).SubImage(image.Rect(10, 20, 77, 51))
	rgba64 := image.NewRGBA64(image.Rect(0, 0, 20, 10))
	draw.Draw(rgba64, rgba64.Bounds(), k, image.Point{}, draw.Src)
	gray16 := image.NewGray16(image.Rect(0, 0, 30, 20))
	draw.Draw(gray16, gray16.Bounds(), k, image.Point{}, draw.Src)
	cmyk := image.NewCMYK(image.Rect(0, 0, 12, 12))
	draw.Draw(cmyk, cmyk.Bounds(), k, image.Point{}, draw.Src)

	tests := []struct {
		name     string
		m        image.Image
		wantType image.Image
		minPSNR  float64 // 0: not checked
	}{
		{"1x1", crop(1, 1), &image.RGBA{}, 0},
		{"7x5", crop(7, 5), &image.RGBA{}, 0},
		{"64x64", crop(64, 64), &image.RGBA{}, 12},
		{"65x130", crop(65, 130), &image.RGBA{}, 12},
		{"kitten", k, &image.RGBA{}, 14},
		{"alpha", withAlpha, &image.NRGBA{}, 0},
		{"gray", gray, &image.Gray{}, 0},
		{"ycbcr", ycc, &image.RGBA{}, 0},
		{"paletted with transparency", pal, &image.NRGBA{}, 0},
		{"sub-image", sub, &image.RGBA{}, 12},
		{"rgba64", rgba64, &image.RGBA{}, 0},
		{"gray16", gray16, &image.Gray{}, 0},
		{"cmyk", cmyk, &image.RGBA{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := encodeBytes(t, tc.m, WithQuality(75))
			cfg, err := DecodeConfig(bytes.NewReader(b))
			require.NoError(t, err)
			assert.Equal(t, tc.m.Bounds().Dx(), cfg.Width)
			assert.Equal(t, tc.m.Bounds().Dy(), cfg.Height)
			out, err := decodeBytes(t, b)
			require.NoError(t, err)
			assert.IsType(t, tc.wantType, out)
			assert.Equal(t, image.Rect(0, 0, tc.m.Bounds().Dx(), tc.m.Bounds().Dy()), out.Bounds())
			if tc.minPSNR > 0 {
				assert.Greater(t, psnr8(tc.m, out), tc.minPSNR)
			}
			if n, ok := out.(*image.NRGBA); ok {
				// Alpha is lossless.
				src := newPlanes(tc.m)
				for i := range src.alpha {
					require.Equal(t, src.alpha[i], n.Pix[4*i+3], "alpha of pixel %d", i)
				}
			}
		})
	}
}

func TestQualityMonotonicInBits(t *testing.T) {
	k := kitten(t)
	prev := 0
	for q := 0.0; q <= 100; q += 12.5 {
		n := len(encodeBytes(t, k, WithQuality(q)))
		t.Logf("q=%5.1f: %6d bytes, %.3f bpp", q, n, float64(8*n)/(256*192))
		assert.Greater(t, n, prev, "size at quality %v", q)
		prev = n
	}
	// Between levels too (quality is continuous).
	a, b := len(encodeBytes(t, k, WithQuality(40))), len(encodeBytes(t, k, WithQuality(41)))
	assert.LessOrEqual(t, a, b)
}

func TestOutputIndependentOfConcurrency(t *testing.T) {
	k := kitten(t)
	ref := encodeBytes(t, k, WithConcurrency(1))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 3, 8} {
		runtime.GOMAXPROCS(procs)
		for _, c := range []int{0, 1, 5} {
			assert.Equal(t, ref, encodeBytes(t, k, WithConcurrency(c)), "GOMAXPROCS %d concurrency %d", procs, c)
		}
	}
}

func TestTargetBPP(t *testing.T) {
	k := kitten(t)
	px := float64(256 * 192)
	lo, hi := len(encodeBytes(t, k, WithQuality(0))), len(encodeBytes(t, k, WithQuality(100)))
	target := float64(8*(lo+hi)/2) / px
	b := encodeBytes(t, k, WithTargetBPP(target))
	got := float64(8*len(b)) / px
	assert.LessOrEqual(t, got, target)
	in, err := Inspect(bytes.NewReader(b))
	require.NoError(t, err)
	// 0.1 quality higher must overshoot, else the search stopped early.
	above := float64(8*len(encodeBytes(t, k, WithQuality(min(in.Quality+0.1, 100))))) / px
	assert.Greater(t, above, target, "quality %v", in.Quality)
	t.Logf("target %.3f bpp → quality %.2f, %.3f bpp", target, in.Quality, got)

	// Unreachable targets clamp to the ends of the range.
	b = encodeBytes(t, k, WithTargetBPP(0.0001))
	assert.Equal(t, lo, len(b))
	b = encodeBytes(t, k, WithTargetBPP(64))
	assert.Equal(t, hi, len(b))
}

func TestTargetPSNR(t *testing.T) {
	k := kitten(t)
	dec := func(b []byte) float64 {
		m, err := decodeBytes(t, b)
		require.NoError(t, err)
		return psnr8(k, m)
	}
	lo, hi := dec(encodeBytes(t, k, WithQuality(0))), dec(encodeBytes(t, k, WithQuality(100)))
	target := (lo + hi) / 2
	b := encodeBytes(t, k, WithTargetPSNR(target))
	got := dec(b)
	assert.GreaterOrEqual(t, got, target)
	in, err := Inspect(bytes.NewReader(b))
	require.NoError(t, err)
	below := dec(encodeBytes(t, k, WithQuality(max(in.Quality-0.1, 0))))
	assert.Less(t, below, target, "quality %v", in.Quality)
	t.Logf("target %.2f dB → quality %.2f, %.2f dB (range %.2f..%.2f)", target, in.Quality, got, lo, hi)
}

func TestOptionErrors(t *testing.T) {
	for _, o := range []EncoderOption{WithQuality(-1), WithQuality(100.5), WithTargetBPP(0), WithTargetPSNR(-3), WithConcurrency(-1)} {
		_, err := NewEncoder(io.Discard, o)
		assert.Error(t, err)
	}
	for _, o := range []DecoderOption{WithMaxPixels(0), WithMaxMemory(-1), WithDecoderConcurrency(-2)} {
		_, err := NewDecoder(bytes.NewReader(nil), o)
		assert.Error(t, err)
	}
	assert.ErrorIs(t, Encode(io.Discard, image.NewRGBA(image.Rect(0, 0, 0, 5)), WithModel(tinyModel(t))), ErrEmptyImage)
}

func TestDecodeErrors(t *testing.T) {
	k := kitten(t)
	b := encodeBytes(t, k)

	_, err := decodeBytes(t, b, WithMaxPixels(256*192-1))
	assert.ErrorIs(t, err, ErrTooLarge)
	_, err = decodeBytes(t, b, WithMaxMemory(1<<20))
	assert.ErrorIs(t, err, ErrTooLarge)

	d, err := NewDecoder(bytes.NewReader(b), WithDecoderModel(otherModel(t)))
	require.NoError(t, err)
	_, err = d.Decode()
	assert.ErrorIs(t, err, ErrModelMismatch)

	// Every truncation fails cleanly.
	for n := 0; n < len(b); n += 1 + n/8 {
		_, err := decodeBytes(t, b[:n])
		if n == 0 {
			assert.ErrorIs(t, err, io.EOF)
			continue
		}
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "prefix %d", n)
	}
	_, err = Decode(bytes.NewReader(nil))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	// Flipped bytes give an error (checksum or other), never a panic.
	for i := 0; i < len(b); i += 1 + i/4 {
		c := bytes.Clone(b)
		c[i] ^= 0x41
		_, err := decodeBytes(t, c)
		assert.Error(t, err, "byte %d", i)
	}
}

// TestCorruptPayload rewrites a valid file with a damaged latent stream (the
// checksums are recomputed by the writer), which must give a
// CorruptInputError or a wrong image, never a panic.
func TestCorruptPayload(t *testing.T) {
	k := kitten(t)
	a, err := analyse(k, &encoderOptions{model: tinyModel(t), quality: 50})
	require.NoError(t, err)
	// Truncated streams inside a well-formed container.
	for _, cut := range []int{0, 1, 5} {
		f, _, err := a.code(5000, false)
		require.NoError(t, err)
		f.Tiles[0].Latent = f.Tiles[0].Latent[:min(cut, len(f.Tiles[0].Latent))]
		var buf bytes.Buffer
		_, err = f.WriteTo(&buf)
		require.NoError(t, err)
		_, err = decodeBytes(t, buf.Bytes())
		var ce *CorruptInputError
		assert.ErrorAs(t, err, &ce, "latent cut to %d bytes", cut)
	}
}

func TestRegisteredFormat(t *testing.T) {
	DefaultModel() // the registered decoder uses the embedded model
	b := encodeBytes(t, kitten(t))
	cfg, name, err := image.DecodeConfig(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, "aezip", name)
	assert.Equal(t, 256, cfg.Width)
	_, _, err = image.Decode(bytes.NewReader(b))
	if _, merr := DefaultModel(); errors.Is(merr, ErrNoModel) {
		assert.ErrorIs(t, err, ErrNoModel)
	} else {
		assert.ErrorIs(t, err, ErrModelMismatch)
	}
}

func TestTiling(t *testing.T) {
	defer func(a, s int) { autoTileArea, autoTile = a, s }(autoTileArea, autoTile)
	autoTileArea, autoTile = 128*128, 128
	k := kitten(t)
	b := encodeBytes(t, k, WithQuality(80))
	in, err := Inspect(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, 4, in.Tiles) // 256×192 in 128×128 tiles
	out, err := decodeBytes(t, b)
	require.NoError(t, err)
	assert.Greater(t, psnr8(k, out), 14.0)
}

func TestPNGInput(t *testing.T) {
	// The PNG decoder returns *image.RGBA or *image.NRGBA; both paths give
	// the same file as the source image.
	k := kitten(t)
	var p bytes.Buffer
	require.NoError(t, png.Encode(&p, k))
	m, err := png.Decode(&p)
	require.NoError(t, err)
	assert.Equal(t, encodeBytes(t, k), encodeBytes(t, m))
}

func TestEncodeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Encode(io.Discard, kitten(t), WithModel(tinyModel(t)), WithContext(ctx))
	assert.ErrorIs(t, err, context.Canceled)
}
