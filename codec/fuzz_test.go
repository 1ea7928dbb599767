package codec

import (
	"bytes"
	"image"
	"image/draw"
	"testing"

	"github.com/aezip/aezip/format"
)

// FuzzDecode feeds arbitrary bytes to the decoder, bounded the way the
// package documentation tells servers to: DecodeConfig first, then
// WithMaxPixels. It must never panic or hang.
func FuzzDecode(f *testing.F) {
	mdl := tinyModel(f)
	k := kitten(f)
	for _, sz := range [][2]int{{1, 1}, {9, 70}, {64, 64}} {
		m := image.NewNRGBA(image.Rect(0, 0, sz[0], sz[1]))
		draw.Draw(m, m.Bounds(), k, image.Point{}, draw.Src)
		m.Pix[3] = 7 // an alpha chunk
		f.Add(encodeBytes(f, m, WithQuality(30)))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := DecodeConfig(bytes.NewReader(b))
		if err != nil {
			return
		}
		const maxPixels = 1 << 16
		if cfg.Width*cfg.Height > maxPixels {
			return
		}
		d, err := NewDecoder(bytes.NewReader(b), WithDecoderModel(mdl), WithMaxPixels(maxPixels))
		if err != nil {
			t.Fatal(err)
		}
		m, err := d.Decode()
		if err != nil {
			return
		}
		if m.Bounds().Dx() != cfg.Width || m.Bounds().Dy() != cfg.Height {
			t.Fatalf("decoded %v, config %dx%d", m.Bounds(), cfg.Width, cfg.Height)
		}
	})
}

// FuzzRoundTrip encodes images made from the fuzzer's bytes and checks that
// they decode to the same size and (for transparent images) the same alpha.
func FuzzRoundTrip(f *testing.F) {
	mdl := tinyModel(f)
	f.Add(uint8(1), uint8(1), []byte{1, 2, 3, 255}, 50.0)
	f.Add(uint8(70), uint8(3), []byte{0, 0, 0, 0, 255, 255, 255, 128}, 0.0)
	f.Add(uint8(5), uint8(66), []byte{9}, 100.0)
	f.Fuzz(func(t *testing.T, w, h uint8, pix []byte, q float64) {
		if w == 0 || h == 0 || len(pix) == 0 || !(q >= 0 && q <= 100) {
			return
		}
		m := image.NewNRGBA(image.Rect(0, 0, int(w), int(h)))
		for i := range m.Pix {
			m.Pix[i] = pix[i%len(pix)]
		}
		var buf bytes.Buffer
		if err := Encode(&buf, m, WithModel(mdl), WithQuality(q)); err != nil {
			t.Fatal(err)
		}
		d, _ := NewDecoder(&buf, WithDecoderModel(mdl))
		out, err := d.Decode()
		if err != nil {
			t.Fatal(err)
		}
		if out.Bounds() != m.Bounds() {
			t.Fatalf("bounds %v, want %v", out.Bounds(), m.Bounds())
		}
		if n, ok := out.(*image.NRGBA); ok {
			for i := 3; i < len(m.Pix); i += 4 {
				if n.Pix[i] != m.Pix[i] {
					t.Fatalf("alpha %d: %d, want %d", i/4, n.Pix[i], m.Pix[i])
				}
			}
		}
	})
}

// FuzzPayload puts arbitrary entropy-coded streams and alpha payloads into a
// well-formed container (valid checksums), so that the fuzzer reaches the
// entropy decoder, the hyper-synthesis and the alpha decoder.
func FuzzPayload(f *testing.F) {
	mdl := tinyModel(f)
	m := image.NewNRGBA(image.Rect(0, 0, 70, 9))
	draw.Draw(m, m.Bounds(), kitten(f), image.Point{}, draw.Src)
	m.Pix[3] = 9
	a, err := analyse(m, &encoderOptions{model: mdl})
	if err != nil {
		f.Fatal(err)
	}
	good, _, err := a.code(5000, false)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good.Tiles[0].Hyper, good.Tiles[0].Latent, good.Alpha)
	f.Add([]byte{}, []byte{0}, []byte{1})
	f.Fuzz(func(t *testing.T, hyper, latent, alpha []byte) {
		file := *good
		file.Tiles = []format.Tile{good.Tiles[0]}
		file.Tiles[0].Hyper, file.Tiles[0].Latent = hyper, latent
		file.Alpha = alpha
		var buf bytes.Buffer
		if _, err := file.WriteTo(&buf); err != nil {
			return // e.g. an empty alpha payload, which the container forbids
		}
		d, _ := NewDecoder(&buf, WithDecoderModel(mdl))
		out, err := d.Decode()
		if err == nil && out.Bounds() != m.Bounds() {
			t.Fatalf("decoded %v", out.Bounds())
		}
	})
}
