// This file lists the recipes of the conformance vectors, in the order
// they were added. Published recipes are never edited, reordered or
// removed: their vectors are frozen, and the generator skips a recipe whose
// vector already exists. Add new recipes at the end.

package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"

	"github.com/aezip/aezip/conformance"
	"github.com/aezip/aezip/format"
)

type recipe struct {
	name  string
	desc  string
	err   conformance.ErrorClass // None for a valid file
	twin  string                 // a vector this one must decode identically to
	build func(g *gen) ([]byte, error)
}

// base is the vector most invalid files are derived from.
const base = "rgb-67x45-q50"

// kittenCrop encodes a crop of testdata/kitten.png.
func kittenCrop(x, y, w, h int, q float64) func(g *gen) ([]byte, error) {
	return func(g *gen) ([]byte, error) { return g.encode(crop(g.kitten, x, y, w, h), q) }
}

// derive edits the chunks of an existing vector (fresh CRCs).
func derive(from string, f func(ver *[2]byte, cs []chunk) []chunk) func(g *gen) ([]byte, error) {
	return func(g *gen) ([]byte, error) {
		b, err := g.file(from)
		if err != nil {
			return nil, err
		}
		return edit(b, f)
	}
}

// raw edits the bytes of an existing vector (CRCs left as they are).
func raw(from string, f func(b []byte) []byte) func(g *gen) ([]byte, error) {
	return func(g *gen) ([]byte, error) {
		b, err := g.file(from)
		if err != nil {
			return nil, err
		}
		return f(append([]byte(nil), b...)), nil
	}
}

// grayAlpha is an NRGBA image that declares the gray colour model, which
// makes the encoder write colour type gray+alpha.
type grayAlpha struct{ *image.NRGBA }

func (grayAlpha) ColorModel() color.Model { return color.GrayModel }

// tiled encodes m as a file with a tw × th tile grid: every tile is the
// single tile of an encode of its own pixels (tiles are independent,
// docs/spec.md §2.4), the alpha plane that of the whole image.
func (g *gen) tiled(m image.Image, tw, th int, q float64) ([]byte, error) {
	whole, err := g.encode(m, q)
	if err != nil {
		return nil, err
	}
	f, err := format.Read(bytes.NewReader(whole), format.Limits{})
	if err != nil {
		return nil, err
	}
	f.Header.TileWidth, f.Header.TileHeight = tw, th
	f.Tiles = nil
	sub := m.(interface {
		SubImage(image.Rectangle) image.Image
	})
	for i := range f.Header.TileCount() {
		b, err := g.encode(sub.SubImage(f.Header.TileBounds(i).Add(m.Bounds().Min)), q)
		if err != nil {
			return nil, err
		}
		tf, err := format.Read(bytes.NewReader(b), format.Limits{})
		if err != nil {
			return nil, err
		}
		f.Tiles = append(f.Tiles, tf.Tiles[0])
	}
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	return buf.Bytes(), err
}

var recipes = []recipe{
	{name: base, desc: "kitten.png crop (x 100, y 60), RGB, quality 50, size not a multiple of 64", build: kittenCrop(100, 60, 67, 45, 50)},
	{name: "rgb-67x45-q0", desc: "same crop at quality 0 (level 0)", build: kittenCrop(100, 60, 67, 45, 0)},
	{name: "rgb-67x45-q100", desc: "same crop at quality 100 (the last level, no interpolation)", build: kittenCrop(100, 60, 67, 45, 100)},
	{name: "rgb-67x45-q37p5", desc: "same crop at quality 37.5 (level 2.625: interpolated gains)", build: kittenCrop(100, 60, 67, 45, 37.5)},
	{name: "rgb-1x1-q50", desc: "a single pixel of kitten.png (x 128, y 96)", build: kittenCrop(128, 96, 1, 1, 50)},
	{name: "rgb-3x130-q75", desc: "a 3-pixel-wide column of kitten.png (x 200, y 10): latent z of 3×1", build: kittenCrop(200, 10, 3, 130, 75)},
	{name: "rgb-200x2-q25", desc: "a 2-pixel-high row of kitten.png (x 20, y 150)", build: kittenCrop(20, 150, 200, 2, 25)},
	{name: "rgb-pattern-64x64-q80", desc: "synthetic ramps, checkerboard and edge, exactly 64×64 (no padding)", build: func(g *gen) ([]byte, error) {
		return g.encode(pattern(64, 64), 80)
	}},
	{name: "gray-50x40-q60", desc: "kitten.png crop (x 30, y 20) as *image.Gray: colour type gray", build: func(g *gen) ([]byte, error) {
		return g.encode(toGray(crop(g.kitten, 30, 20, 50, 40)), 60)
	}},
	{name: "rgba-40x30-q50", desc: "kitten.png crop (x 150, y 100) with a diagonal alpha ramp 0…255: colour type rgba, ALPH chunk", build: func(g *gen) ([]byte, error) {
		return g.encode(withAlpha(crop(g.kitten, 150, 100, 40, 30)), 50)
	}},
	{name: "graya-33x20-q50", desc: "gray kitten.png crop (x 60, y 140) with a diagonal alpha ramp: colour type gray+alpha", build: func(g *gen) ([]byte, error) {
		return g.encode(grayAlpha{grayWithAlpha(crop(g.kitten, 60, 140, 33, 20))}, 50)
	}},
	{name: "rgb-tiled-150x100-q50", desc: "kitten.png crop (x 50, y 40) with a 64×64 tile grid: 3×2 tiles, the last column 22 and row 36 pixels", build: func(g *gen) ([]byte, error) {
		return g.tiled(crop(g.kitten, 50, 40, 150, 100), 64, 64, 50)
	}},
	{name: "rgba-tiled-100x70-q40", desc: "kitten.png crop (x 120, y 80) with alpha ramp and a 48×40 tile grid (tiles not multiples of 64): 3×2 tiles", build: func(g *gen) ([]byte, error) {
		return g.tiled(withAlpha(crop(g.kitten, 120, 80, 100, 70)), 48, 40, 40)
	}},
	{name: "rgb-metadata-64x48-q50", desc: "kitten.png crop (x 0, y 0) with iccp, exif and xmpd chunks (synthetic payloads) that must be carried unchanged", build: func(g *gen) ([]byte, error) {
		b, err := g.encode(crop(g.kitten, 0, 0, 64, 48), 50)
		if err != nil {
			return nil, err
		}
		f, err := format.Read(bytes.NewReader(b), format.Limits{})
		if err != nil {
			return nil, err
		}
		f.ICC = []byte("synthetic ICC payload for the aezip conformance vectors: carried, never parsed\x00\x01\x02\xfe\xff")
		// A big-endian TIFF header and an empty IFD: the smallest well-formed EXIF.
		f.EXIF = []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0}
		f.XMP = []byte(`<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>aezip conformance</dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>`)
		var buf bytes.Buffer
		_, err = f.WriteTo(&buf)
		return buf.Bytes(), err
	}},
	{name: "v1.1-ancillary-67x45-q50", twin: base, desc: "format version 1.1 (future minor): AHDR with 8 bytes of future fields, an unknown ancillary chunk futr before the tile and an empty one late after it; must decode exactly as " + base,
		build: derive(base, func(ver *[2]byte, cs []chunk) []chunk {
			ver[1] = 1
			cs[0].data = append(cs[0].data, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77)
			cs = insert(cs, find(cs, "TILE"), chunk{"futr", []byte("a chunk of format version 1.1 that 1.0 readers skip")})
			return insert(cs, find(cs, "AEND"), chunk{"late", nil})
		})},

	{name: "rgb-escapes-67x45-q50", desc: base + "'s tile re-coded with escaped values: two ẑ just outside their tables, one ẑ of -40000 (beyond int16: the integer hyper-synthesis clamps it to -32768), and four symbols outside their Gaussian tables", build: escapes(base)},

	// Invalid files and the class of error they must give.
	{name: "err-truncated-preamble", err: conformance.Truncated, desc: "the first 9 bytes of " + base,
		build: raw(base, func(b []byte) []byte { return b[:9] })},
	{name: "err-truncated-tile", err: conformance.Truncated, desc: base + " cut in the middle of the TILE data",
		build: raw(base, func(b []byte) []byte { off, n := tileDataOffset(b); return b[:off+n/2] })},
	{name: "err-truncated-no-aend", err: conformance.Truncated, desc: base + " without its AEND chunk",
		build: raw(base, func(b []byte) []byte { return b[:len(b)-12] })},
	{name: "err-crc-tile", err: conformance.Checksum, desc: base + " with one latent byte flipped and the TILE CRC left unchanged",
		build: raw(base, func(b []byte) []byte { off, n := tileDataOffset(b); b[off+n-3] ^= 0x10; return b })},
	{name: "err-crc-header", err: conformance.Checksum, desc: base + " with the width changed (67 → 65) and the AHDR CRC left unchanged",
		build: raw(base, func(b []byte) []byte { b[21] ^= 0x02; return b })},
	{name: "err-major2", err: conformance.Unsupported, desc: base + " relabelled as format version 2.0 (CRC recomputed)",
		build: derive(base, func(ver *[2]byte, cs []chunk) []chunk { ver[0] = 2; return cs })},
	{name: "err-depth16", err: conformance.Unsupported, desc: base + " with bit depth 16 (CRC recomputed)",
		build: derive(base, func(ver *[2]byte, cs []chunk) []chunk { cs[0].data[9] = 16; return cs })},
	{name: "err-unknown-critical", err: conformance.Unsupported, desc: base + " with an unknown critical chunk FUTR (valid CRC) before the tile",
		build: derive(base, func(ver *[2]byte, cs []chunk) []chunk {
			return insert(cs, find(cs, "TILE"), chunk{"FUTR", []byte("a critical chunk no version-1 reader knows")})
		})},
	{name: "err-model-id", err: conformance.ModelMismatch, desc: base + " naming model ID ae ae … ae, which no decoder has (CRC recomputed)",
		build: derive(base, func(ver *[2]byte, cs []chunk) []chunk {
			copy(cs[0].data[12:28], bytes.Repeat([]byte{0xAE}, 16))
			return cs
		})},
	{name: "err-too-large", err: conformance.TooLarge, desc: "a well-formed header and tile for a 16777216×16777216 RGB image (2^48 pixels) with empty streams: must be refused from the header, before allocating",
		build: derive(base, func(ver *[2]byte, cs []chunk) []chunk {
			be := binary.BigEndian
			be.PutUint32(cs[0].data[0:], 1<<24)
			be.PutUint32(cs[0].data[4:], 1<<24)
			t := make([]byte, 24)
			be.PutUint32(t[4:], 1<<20)
			be.PutUint32(t[8:], 1<<20)
			be.PutUint32(t[12:], 1<<18)
			be.PutUint32(t[16:], 1<<18)
			cs[find(cs, "TILE")].data = t
			return cs
		})},
	{name: "err-garbage", err: conformance.Format, desc: "64 bytes that are not an aezip file (a GIF signature and text)",
		build: func(*gen) ([]byte, error) {
			return []byte("GIF89a this is not an aezip file, just 64 bytes of plain text..."), nil
		}},
	{name: "err-signature-lf", err: conformance.Format, desc: base + " after a CR LF → LF conversion damaged its signature (byte 4, 0D, removed)",
		build: raw(base, func(b []byte) []byte { return append(b[:4], b[5:]...) })},
	{name: "err-missing-tile", err: conformance.Format, desc: base + " without its TILE chunk",
		build: derive(base, func(ver *[2]byte, cs []chunk) []chunk {
			i := find(cs, "TILE")
			return append(cs[:i:i], cs[i+1:]...)
		})},
	{name: "err-corrupt-latent", err: conformance.Corrupt, desc: base + " with one byte of the latent stream changed and the CRC recomputed: the rANS stream no longer ends in its final state",
		build: derive(base, func(ver *[2]byte, cs []chunk) []chunk {
			d := cs[find(cs, "TILE")].data
			d[len(d)-3] ^= 0x10
			return cs
		})},
	{name: "err-latent-size", err: conformance.Corrupt, desc: base + " whose TILE states a latent height of 5 instead of 4 (CRC recomputed)",
		build: derive(base, func(ver *[2]byte, cs []chunk) []chunk {
			d := cs[find(cs, "TILE")].data
			d[7]++
			return cs
		})},
	{name: "err-alpha-payload", err: conformance.Corrupt, desc: "rgba-40x30-q50 whose ALPH data is not a zstd frame (CRC recomputed)",
		build: derive("rgba-40x30-q50", func(ver *[2]byte, cs []chunk) []chunk {
			cs[find(cs, "ALPH")].data = []byte("not a zstd frame")
			return cs
		})},
}
