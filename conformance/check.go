// This file implements the checks of one vector: the exact integer check,
// the pixel tolerance rule and the error classes, as specified in
// docs/spec.md §8.

package conformance

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"runtime"
)

// The pixel tolerance rule (docs/spec.md §8.3): every compared 8-bit sample
// of the decoded image differs from the expected one by at most
// MaxSampleDiff, and at most [AllowedDiffering](n) of the n compared samples
// differ at all. The float synthesis may round differently across builds
// and platforms (a sample lying within float noise of a rounding boundary
// moves by one); the integers before it may not, and are checked exactly.
const (
	MaxSampleDiff = 1
	// DifferingPercent is the share of samples, in percent, that may
	// differ (on top of one sample, so that tiny images can have one).
	DifferingPercent = 1
)

// AllowedDiffering returns how many of n compared samples may differ from
// the expected image: 1 + ⌊n·DifferingPercent/100⌋.
func AllowedDiffering(n int) int { return 1 + n*DifferingPercent/100 }

// maxRefuseBytes bounds what a Go decoder may allocate while refusing a
// [TooLarge] vector: its header declares an image of 2^48 pixels, so
// anything close to the image size would be far above this.
const maxRefuseBytes = 64 << 20

// Check runs vector v of the embedded set against d and returns nil if d
// conforms on it, or an error listing every failed check.
func Check(d Decoder, v Vector) error {
	m, err := embedded()
	if err != nil {
		return err
	}
	return m.Check(d, v)
}

// Check runs vector v of the set m (whose files are the embedded ones)
// against d.
func (m *Manifest) Check(d Decoder, v Vector) error {
	file, err := ReadFile(v.File, v.SHA256)
	if err != nil {
		return err
	}
	md, ok := m.model(v.Model)
	if !ok {
		return fmt.Errorf("conformance: vector %s: unknown model %s", v.Name, v.Model)
	}
	mfile, err := ReadFile(md.File, md.SHA256)
	if err != nil {
		return err
	}
	if v.Error != None {
		return checkError(d, v, file, mfile)
	}
	var errs []error
	got, err := d.Decode(file, mfile)
	if err != nil {
		return fmt.Errorf("decode failed (%s): %w", d.Class(err), err)
	}
	want, err := readPNG(v.Image)
	if err != nil {
		return err
	}
	if err := Compare(got, want, v.ColorType); err != nil {
		errs = append(errs, err)
	}
	if v.Twin != "" {
		tv, _ := m.vector(v.Twin)
		tfile, err := ReadFile(tv.File, tv.SHA256)
		if err != nil {
			return err
		}
		twin, err := d.Decode(tfile, mfile)
		if err != nil {
			errs = append(errs, fmt.Errorf("twin %s: decode failed: %w", v.Twin, err))
		} else if st := compare(got, twin, v.ColorType); st.err != nil || st.MaxDiff != 0 {
			errs = append(errs, fmt.Errorf("image differs from twin %s's (max |Δ| %d, err %v): an unknown ancillary chunk or header field changed the decoding", v.Twin, st.MaxDiff, st.err))
		}
	}
	if ld, ok := d.(LatentDecoder); ok {
		if err := checkLatents(ld, v, file, mfile); err != nil {
			errs = append(errs, err)
		}
	}
	if mdd, ok := d.(MetadataDecoder); ok && v.Metadata != nil {
		if err := checkMetadata(mdd, v, file); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkError checks that d refuses the invalid vector v with its class,
// from Decode and (for a LatentDecoder) from DecodeLatents.
func checkError(d Decoder, v Vector, file, mfile []byte) error {
	var errs []error
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m, err := d.Decode(file, mfile)
	runtime.ReadMemStats(&after)
	switch c := d.Class(err); {
	case err == nil:
		errs = append(errs, fmt.Errorf("decode succeeded (%v), want a %s error", m.Bounds(), v.Error))
	case c != v.Error:
		errs = append(errs, fmt.Errorf("decode error class %s, want %s: %w", c, v.Error, err))
	}
	if a := after.TotalAlloc - before.TotalAlloc; v.Error == TooLarge && a > maxRefuseBytes {
		errs = append(errs, fmt.Errorf("allocated %d bytes before refusing an oversized image (at most %d)", a, maxRefuseBytes))
	}
	if ld, ok := d.(LatentDecoder); ok {
		_, err := ld.DecodeLatents(file, mfile)
		if c := d.Class(err); err == nil || c != v.Error {
			errs = append(errs, fmt.Errorf("latent decode error class %s, want %s (err %v)", c, v.Error, err))
		}
	}
	return errors.Join(errs...)
}

func checkLatents(d LatentDecoder, v Vector, file, mfile []byte) error {
	tiles, err := d.DecodeLatents(file, mfile)
	if err != nil {
		return fmt.Errorf("latent decode failed (%s): %w", d.Class(err), err)
	}
	got := HashLatents(tiles)
	want := v.Latents
	var errs []error
	if got.Tiles != want.Tiles {
		errs = append(errs, fmt.Errorf("%d tiles, want %d", got.Tiles, want.Tiles))
	}
	for _, f := range []struct{ name, got, want string }{
		{"ẑ", got.Z, want.Z}, {"symbols", got.Symbols, want.Symbols},
		{"means", got.Means, want.Means}, {"scale indices", got.Scales, want.Scales},
	} {
		if f.got != f.want {
			errs = append(errs, fmt.Errorf("%s differ: SHA-256 %s, want %s (must be bit-exact)", f.name, f.got, f.want))
		}
	}
	return errors.Join(errs...)
}

func checkMetadata(d MetadataDecoder, v Vector, file []byte) error {
	icc, exif, xmp, err := d.Metadata(file)
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	var errs []error
	for _, f := range []struct {
		name string
		b    []byte
		want string
	}{{"ICC profile", icc, v.Metadata.ICC}, {"EXIF", exif, v.Metadata.EXIF}, {"XMP", xmp, v.Metadata.XMP}} {
		got := ""
		if len(f.b) > 0 {
			got = SHA256(f.b)
		}
		if got != f.want {
			errs = append(errs, fmt.Errorf("%s not carried unchanged: SHA-256 %q, want %q", f.name, got, f.want))
		}
	}
	return errors.Join(errs...)
}

// HashLatents returns the hashes of the integers of tiles (docs/spec.md
// §8.2): for each of ẑ, the symbols, the means and the scale indices, the
// SHA-256 of the values of every tile in tile order, each written as
// 32-bit little-endian two's complement.
func HashLatents(tiles []TileLatents) LatentHashes {
	hz, hs, hm, hk := sha256.New(), sha256.New(), sha256.New(), sha256.New()
	put := func(h interface{ Write([]byte) (int, error) }, v []int32) {
		b := make([]byte, 0, 4*len(v))
		for _, x := range v {
			b = binary.LittleEndian.AppendUint32(b, uint32(x))
		}
		h.Write(b)
	}
	for _, t := range tiles {
		put(hz, t.Z)
		put(hs, t.Symbols)
		put(hm, t.Means)
		put(hk, t.Scales)
	}
	sum := func(h interface{ Sum([]byte) []byte }) string { return hex.EncodeToString(h.Sum(nil)) }
	return LatentHashes{Tiles: len(tiles), Z: sum(hz), Symbols: sum(hs), Means: sum(hm), Scales: sum(hk)}
}

func readPNG(p string) (image.Image, error) {
	b, err := ReadFile(p, "")
	if err != nil {
		return nil, err
	}
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("conformance: %s: %w", p, err)
	}
	return m, nil
}

// Stats describes how a decoded image differs from the expected one.
type Stats struct {
	// Samples is the number of compared colour samples, Differ how many of
	// them differ, and MaxDiff the largest absolute difference.
	Samples, Differ, MaxDiff int
	// PSNR is the PSNR in dB over the compared colour samples (+Inf when
	// they are identical); informative, the rule does not use it.
	PSNR float64
	err  error
}

// Compare checks got against the expected image want of colour type ct
// ("gray", "rgb", "graya" or "rgba") with the tolerance rule of
// docs/spec.md §8.3 and returns an error describing any violation.
func Compare(got, want image.Image, ct string) error {
	st := compare(got, want, ct)
	if st.err != nil {
		return st.err
	}
	if st.MaxDiff > MaxSampleDiff || st.Differ > AllowedDiffering(st.Samples) {
		return fmt.Errorf("image outside tolerance: max |Δ| %d (limit %d), %d of %d samples differ (limit %d), PSNR %.2f dB",
			st.MaxDiff, MaxSampleDiff, st.Differ, st.Samples, AllowedDiffering(st.Samples), st.PSNR)
	}
	return nil
}

// Measure returns the differences between got and want (colour type ct)
// that the tolerance rule looks at.
func Measure(got, want image.Image, ct string) (Stats, error) {
	st := compare(got, want, ct)
	return st, st.err
}

// channels returns the number of samples per pixel of colour type ct, 0 if
// ct is unknown.
func channels(ct string) int {
	switch ct {
	case "gray":
		return 1
	case "graya":
		return 2
	case "rgb":
		return 3
	case "rgba":
		return 4
	}
	return 0
}

// pixel returns the non-premultiplied 8-bit samples of m at (x, y) for
// colour type ct: gray (luma of the colour, exact when R = G = B), then the
// colour samples, then alpha.
func pixel(m image.Image, x, y int, ct string) (s [4]uint8, n int) {
	c := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
	switch ct {
	case "gray", "graya":
		g := color.GrayModel.Convert(color.NRGBA{c.R, c.G, c.B, 0xff}).(color.Gray)
		s[0], s[1] = g.Y, c.A
		return s, 1
	}
	s[0], s[1], s[2], s[3] = c.R, c.G, c.B, c.A
	return s, 3
}

func compare(got, want image.Image, ct string) Stats {
	var st Stats
	gb, wb := got.Bounds(), want.Bounds()
	if gb.Dx() != wb.Dx() || gb.Dy() != wb.Dy() {
		st.err = fmt.Errorf("image is %d×%d, want %d×%d", gb.Dx(), gb.Dy(), wb.Dx(), wb.Dy())
		return st
	}
	alpha := ct == "rgba" || ct == "graya"
	var sse float64
	for y := 0; y < wb.Dy(); y++ {
		for x := 0; x < wb.Dx(); x++ {
			g, n := pixel(got, gb.Min.X+x, gb.Min.Y+y, ct)
			w, _ := pixel(want, wb.Min.X+x, wb.Min.Y+y, ct)
			if alpha {
				if g[n] != w[n] {
					st.err = fmt.Errorf("alpha at (%d, %d) is %d, want %d (alpha is lossless)", x, y, g[n], w[n])
					return st
				}
				if w[n] == 0 {
					continue // colour of a transparent pixel is not compared
				}
			}
			for i := 0; i < n; i++ {
				d := int(g[i]) - int(w[i])
				if d < 0 {
					d = -d
				}
				st.Samples++
				if d != 0 {
					st.Differ++
					st.MaxDiff = max(st.MaxDiff, d)
					sse += float64(d * d)
				}
			}
		}
	}
	st.PSNR = math.Inf(1)
	if sse > 0 {
		st.PSNR = 10 * math.Log10(255*255*float64(st.Samples)/sse)
	}
	return st
}
