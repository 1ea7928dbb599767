// Tests of the runner: aezip's own codec conforms, and a decoder that gets
// any checked thing wrong is caught.

package conformance

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var ref = &AezipDecoder{}

func TestAezip(t *testing.T) {
	Run(t, ref)
}

func vector(t *testing.T, name string) Vector {
	t.Helper()
	m, err := Embedded()
	require.NoError(t, err)
	v, ok := m.vector(name)
	require.True(t, ok, name)
	return v
}

func TestManifest(t *testing.T) {
	m, err := Embedded()
	require.NoError(t, err)
	classes := map[ErrorClass]bool{}
	colours := map[string]bool{}
	var total int
	var tiled, future bool
	for _, v := range m.Vectors {
		b, err := ReadFile(v.File, v.SHA256)
		require.NoError(t, err, v.Name)
		total += len(b)
		classes[v.Error] = true
		if v.Error != None {
			continue
		}
		colours[v.ColorType] = true
		tiled = tiled || v.Latents.Tiles > 1
		future = future || (v.FormatVersion != "1.0" && v.Twin != "")
		if v.Twin == "" {
			p, err := ReadFile(v.Image, "")
			require.NoError(t, err)
			total += len(p)
		}
	}
	for _, md := range m.Models {
		b, err := ReadFile(md.File, md.SHA256)
		require.NoError(t, err)
		total += len(b)
	}
	for _, c := range append(errorClasses, None) {
		assert.True(t, classes[c], "no vector of class %q", c)
	}
	for _, c := range []string{"gray", "graya", "rgb", "rgba"} {
		assert.True(t, colours[c], "no vector of colour type %s", c)
	}
	assert.True(t, tiled, "no multi-tile vector")
	assert.True(t, future, "no future-minor-version vector with a twin")
	assert.Less(t, total, 1<<20, "vector set too large")
	t.Logf("%d vectors, %d bytes with models and expected images", len(m.Vectors), total)
}

// fake wraps the reference decoder and breaks one thing.
type fake struct {
	*AezipDecoder
	file    func([]byte) []byte           // rewrites the input file
	img     func(image.Image) image.Image // rewrites the decoded image
	latents func([]TileLatents)           // rewrites the latents
	class   func(ErrorClass) ErrorClass
	meta    func(icc, exif, xmp []byte) ([]byte, []byte, []byte)
	decode  func(file, mfile []byte) (image.Image, error)
}

func (f *fake) Decode(file, mfile []byte) (image.Image, error) {
	if f.decode != nil {
		return f.decode(file, mfile)
	}
	if f.file != nil {
		file = f.file(bytes.Clone(file))
	}
	m, err := f.AezipDecoder.Decode(file, mfile)
	if err == nil && f.img != nil {
		m = f.img(m)
	}
	return m, err
}

func (f *fake) DecodeLatents(file, mfile []byte) ([]TileLatents, error) {
	if f.file != nil {
		file = f.file(bytes.Clone(file))
	}
	l, err := f.AezipDecoder.DecodeLatents(file, mfile)
	if err == nil && f.latents != nil {
		f.latents(l)
	}
	return l, err
}

func (f *fake) Class(err error) ErrorClass {
	c := f.AezipDecoder.Class(err)
	if f.class != nil {
		c = f.class(c)
	}
	return c
}

func (f *fake) Metadata(file []byte) ([]byte, []byte, []byte, error) {
	icc, exif, xmp, err := f.AezipDecoder.Metadata(file)
	if f.meta != nil {
		icc, exif, xmp = f.meta(icc, exif, xmp)
	}
	return icc, exif, xmp, err
}

// imageOnly hides the optional interfaces of a decoder.
type imageOnly struct{ Decoder }

// clone returns m as a new *image.NRGBA with origin (0, 0).
func clone(m image.Image) *image.NRGBA {
	b := m.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), m, b.Min, draw.Src)
	return out
}

// addTo returns m with d added to the red sample of the pixels that pick
// selects (subtracted where adding would leave the 8-bit range).
func addTo(d int, pick func(x, y int) bool) func(image.Image) image.Image {
	return func(m image.Image) image.Image {
		out := clone(m)
		b := out.Bounds()
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				if pick(x, y) {
					c := out.NRGBAAt(x, y)
					if int(c.R)+d > 255 {
						c.R -= uint8(d)
					} else {
						c.R += uint8(d)
					}
					out.SetNRGBA(x, y, c)
				}
			}
		}
		return out
	}
}

// first picks the first n pixels of a w-pixel-wide image in raster order.
func first(n, w int) func(x, y int) bool {
	return func(x, y int) bool { return y*w+x < n }
}

// recrc recomputes the CRC-32C of the first TILE chunk of an aezip file.
func recrc(b []byte) []byte {
	for p := 10; p+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[p:]))
		if string(b[p+4:p+8]) == "TILE" {
			crc := crc32.Checksum(b[p+4:p+8+n], crc32.MakeTable(crc32.Castagnoli))
			binary.BigEndian.PutUint32(b[p+8+n:], crc)
			return b
		}
		p += 12 + n
	}
	panic("no TILE chunk")
}

// tilePayload returns the offset and length of the latent stream of the
// first TILE chunk.
func tilePayload(b []byte) (off, n int) {
	for p := 10; p+8 <= len(b); {
		l := int(binary.BigEndian.Uint32(b[p:]))
		if string(b[p+4:p+8]) == "TILE" {
			h := int(binary.BigEndian.Uint32(b[p+8+20:]))
			return p + 8 + 24 + h, l - 24 - h
		}
		p += 12 + l
	}
	panic("no TILE chunk")
}

// TestBroken checks that every kind of non-conformance is reported.
func TestBroken(t *testing.T) {
	base := vector(t, "rgb-67x45-q50")
	tests := []struct {
		name   string
		vec    string
		dec    Decoder
		report string // a piece of the error the runner must give
	}{
		{"latent byte flipped", base.Name, &fake{AezipDecoder: ref, file: func(b []byte) []byte {
			off, n := tilePayload(b)
			b[off+n/2] ^= 0x01
			return recrc(b)
		}}, "decode failed"},
		{"one symbol off by one", base.Name, &fake{AezipDecoder: ref, latents: func(l []TileLatents) { l[0].Symbols[100]++ }}, "symbols differ"},
		{"one ẑ off by one", base.Name, &fake{AezipDecoder: ref, latents: func(l []TileLatents) { l[0].Z[0]-- }}, "ẑ differ"},
		{"one mean off by one", base.Name, &fake{AezipDecoder: ref, latents: func(l []TileLatents) { l[0].Means[7]++ }}, "means differ"},
		{"one scale index off by one", base.Name, &fake{AezipDecoder: ref, latents: func(l []TileLatents) { l[0].Scales[3] ^= 1 }}, "scale indices differ"},
		{"a tile missing", "rgb-tiled-150x100-q50", &fake{AezipDecoder: ref, latents: func(l []TileLatents) { l[5] = TileLatents{} }}, "differ"},
		{"one sample 3 off", base.Name, &fake{AezipDecoder: ref, img: addTo(3, func(x, y int) bool { return x == 10 && y == 10 })}, "max |Δ| 3"},
		{"one sample 2 off", base.Name, &fake{AezipDecoder: ref, img: addTo(2, first(1, 67))}, "max |Δ| 2"},
		{"too many samples 1 off", base.Name, &fake{AezipDecoder: ref, img: addTo(1, first(AllowedDiffering(67*45*3)+1, 67))}, "samples differ (limit 91)"},
		{"wrong size", base.Name, &fake{AezipDecoder: ref, img: func(m image.Image) image.Image {
			return clone(m).SubImage(image.Rect(0, 0, 66, 45))
		}}, "want 67×45"},
		{"alpha off by one", "rgba-40x30-q50", &fake{AezipDecoder: ref, img: func(m image.Image) image.Image {
			out := clone(m)
			c := out.NRGBAAt(39, 29)
			c.A--
			out.SetNRGBA(39, 29, c)
			return out
		}}, "alpha at (39, 29)"},
		{"future version decoded differently", "v1.1-ancillary-67x45-q50", &fake{AezipDecoder: ref, decode: func(file, mfile []byte) (image.Image, error) {
			m, err := ref.Decode(file, mfile)
			if err == nil && file[9] == 1 { // the 1.1 file only, within tolerance of the expected image
				m = addTo(1, first(1, 67))(m)
			}
			return m, err
		}}, "differs from twin"},
		{"metadata dropped", "rgb-metadata-64x48-q50", &fake{AezipDecoder: ref, meta: func(icc, exif, xmp []byte) ([]byte, []byte, []byte) {
			return icc, exif, nil
		}}, "XMP not carried"},
		{"accepts a bad CRC", "err-crc-tile", &fake{AezipDecoder: ref, class: func(c ErrorClass) ErrorClass {
			if c == Checksum {
				return Other
			}
			return c
		}}, "want checksum"},
		{"decodes garbage", "err-garbage", &fake{AezipDecoder: ref, decode: func(file, mfile []byte) (image.Image, error) {
			return image.NewRGBA(image.Rect(0, 0, 1, 1)), nil
		}}, "decode succeeded"},
		{"allocates before refusing", "err-too-large", &fake{AezipDecoder: ref, decode: func(file, mfile []byte) (image.Image, error) {
			sink = make([]byte, 128<<20)
			sink = nil
			return ref.Decode(file, mfile)
		}}, "allocated"},
		{"version 2 accepted as garbage", "err-major2", &fake{AezipDecoder: ref, class: func(ErrorClass) ErrorClass { return Format }}, "want unsupported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.dec, vector(t, tc.vec))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.report)
		})
	}
}

var sink []byte

// TestTolerance checks the rule of §8.3 at its edges.
func TestTolerance(t *testing.T) {
	v := vector(t, "rgb-67x45-q50")
	want, err := readPNG(v.Image)
	require.NoError(t, err)
	n := AllowedDiffering(v.Width * v.Height * 3)
	require.Equal(t, 91, n) // 1 + ⌊9045/100⌋
	for i, f := range []func(image.Image) image.Image{
		func(m image.Image) image.Image { return m },
		addTo(MaxSampleDiff, first(1, v.Width)),
		addTo(1, first(n, v.Width)),
	} {
		assert.NoError(t, Compare(f(want), want, v.ColorType), "case %d", i)
	}
	assert.Error(t, Compare(addTo(1, first(n+1, v.Width))(want), want, v.ColorType))
	assert.Error(t, Compare(addTo(MaxSampleDiff+1, first(1, v.Width))(want), want, v.ColorType))
	// One differing sample is allowed even in a 1×1 image.
	p := vector(t, "rgb-1x1-q50")
	pw, err := readPNG(p.Image)
	require.NoError(t, err)
	assert.NoError(t, Compare(addTo(1, first(1, 1))(pw), pw, p.ColorType))
	// An image offset in the plane is compared from its own origin.
	moved := clone(want)
	moved.Rect = moved.Rect.Add(image.Pt(3, -2))
	assert.NoError(t, Compare(moved, want, v.ColorType))
	// Gray compared through its luma: an RGB image with R = G = B matches.
	g := vector(t, "gray-50x40-q60")
	gw, err := readPNG(g.Image)
	require.NoError(t, err)
	assert.NoError(t, Compare(clone(gw), gw, g.ColorType))
	// Colour of a fully transparent pixel is not compared.
	a := vector(t, "rgba-40x30-q50")
	aw, err := readPNG(a.Image)
	require.NoError(t, err)
	am := clone(aw)
	require.Equal(t, uint8(0), am.NRGBAAt(0, 0).A)
	am.SetNRGBA(0, 0, color.NRGBA{255, 0, 255, 0})
	assert.NoError(t, Compare(am, aw, a.ColorType))
}

// TestWithoutOptionalInterfaces runs a decoder that only decodes images.
func TestWithoutOptionalInterfaces(t *testing.T) {
	d := imageOnly{ref}
	_, ok := Decoder(d).(LatentDecoder)
	require.False(t, ok)
	vs, err := Vectors()
	require.NoError(t, err)
	for _, v := range vs {
		assert.NoError(t, Check(d, v), v.Name)
	}
}

// TestFrozen checks that a vector whose bytes differ from the manifest is
// refused rather than tested.
func TestFrozen(t *testing.T) {
	v := vector(t, "rgb-1x1-q50")
	v.SHA256 = strings.Repeat("0", 64)
	err := Check(ref, v)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "frozen")
}

// TestClass checks the reference adapter's classification of wrapped
// errors.
func TestClass(t *testing.T) {
	assert.Equal(t, None, ref.Class(nil))
	assert.Equal(t, Other, ref.Class(errors.New("something else")))
}

// TestLatentsMatchDecode checks that the latents the adapter returns are
// the ones its image decoder uses: g_s run on them (measure_test.go) and
// rounded as §6.6 says gives exactly the decoded image, on every build.
func TestLatentsMatchDecode(t *testing.T) {
	floats, names, ends := synthesisFloats(t)
	start := 0
	for k, name := range names {
		v := vector(t, name)
		file, err := ReadFile(v.File, v.SHA256)
		require.NoError(t, err)
		m, _ := Embedded()
		md, _ := m.model(v.Model)
		mfile, err := ReadFile(md.File, md.SHA256)
		require.NoError(t, err)
		got, err := ref.Decode(file, mfile)
		require.NoError(t, err)
		h, err := readHeader(file)
		require.NoError(t, err)
		colour := strings.TrimSuffix(v.ColorType, "a") // the colour samples only
		want := renderTiles(h, floats[start:ends[k]], colour)
		st, err := Measure(got, want, colour)
		require.NoError(t, err, name)
		assert.Zero(t, st.Differ, "%s: decoded image differs from g_s of the latents", name)
		start = ends[k]
	}
}
