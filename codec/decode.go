// This file implements the decoder: container, limits, model check, entropy
// decoding, integer hyper-synthesis, synthesis and output, as specified in
// docs/spec.md §6.

package codec

import (
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"

	"github.com/aezip/aezip/format"
	"github.com/aezip/aezip/model"
)

func init() {
	image.RegisterFormat("aezip", format.Magic, Decode, DecodeConfig)
}

// Decode reads one aezip file from r with the default options (the
// embedded model, [DefaultMaxPixels], [DefaultMaxMemory]) and returns the
// image: an *image.RGBA, an *image.Gray for grayscale files or an
// *image.NRGBA for files with alpha. Use [NewDecoder] for other options or
// for a stream of several images. Decode may read past the end of the file.
func Decode(r io.Reader) (image.Image, error) {
	d, err := NewDecoder(r)
	if err != nil {
		return nil, err
	}
	m, err := d.Decode()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return m, err
}

// DecodeConfig returns the size and colour model of the aezip image in r,
// reading only its header; it applies no size limit, so that a caller can
// check the size before decoding.
func DecodeConfig(r io.Reader) (image.Config, error) {
	h, err := format.ReadHeader(r, format.Limits{MaxPixels: -1})
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return image.Config{}, err
	}
	return image.Config{ColorModel: colorModel(h.ColorType), Width: h.Width, Height: h.Height}, nil
}

func colorModel(c format.ColorType) color.Model {
	switch c {
	case format.Gray:
		return color.GrayModel
	case format.RGB:
		return color.RGBAModel
	}
	return color.NRGBAModel
}

// decodeMemory estimates the bytes a decode of h needs at its peak: the
// output image and alpha plane, plus for the largest tile its latents
// (symbols, means and table indices, 10 bytes per element of y), plus a
// fixed allowance for the synthesis and h_s, which run strip by strip
// (strips.go) on bounded buffers whatever the image size.
func decodeMemory(h *format.Header) int64 {
	px := int64(h.Width) * int64(h.Height)
	out := 4 * px
	if h.ColorType.HasAlpha() {
		out += 2 * px // the plane and its compressed form
	}
	tw, th := h.Width, h.Height
	if h.TileWidth > 0 {
		tw, th = min(tw, h.TileWidth), min(th, h.TileHeight)
	}
	tp := int64(padded(tw)) * int64(padded(th))
	lat := tp / 256 * int64(h.M) * 10
	return out + lat + 512<<20
}

// openedFile is a file whose header, model and alpha plane have passed
// every check that comes before the latents.
type openedFile struct {
	h     format.Header
	f     *format.File
	mdl   *model.Model
	alpha []byte // nil without an alpha channel
}

// openFile reads one file from r, which starts at offset off of the stream,
// checks its header against the limits of o before anything large is
// allocated, picks the model and decodes the alpha plane. It is the common
// front of decodeFile and DecodeLatents.
func openFile(r io.Reader, off int64, o *decoderOptions) (*openedFile, error) {
	zr, err := format.NewDecoder(r, format.Limits{MaxPixels: o.maxPixels})
	if err != nil {
		return nil, err
	}
	h := zr.Header()
	if px := int64(h.Width) * int64(h.Height); px > o.maxPixels {
		return nil, fmt.Errorf("%w: %d×%d pixels exceed the limit of %d", ErrTooLarge, h.Width, h.Height, o.maxPixels)
	}
	if mem := decodeMemory(&h); mem > o.maxMemory {
		return nil, fmt.Errorf("%w: decoding %d×%d needs about %d bytes, limit %d", ErrTooLarge, h.Width, h.Height, mem, o.maxMemory)
	}
	mdl, err := pickModel(o.model)
	if err != nil {
		return nil, err
	}
	if id := mdl.ID(); h.ModelID != id {
		return nil, fmt.Errorf("%w (file %s, decoder %s)", ErrModelMismatch, hex.EncodeToString(h.ModelID[:]), hex.EncodeToString(id[:]))
	}
	if h.M != mdl.Arch.M || h.N != mdl.Arch.N {
		return nil, &CorruptInputError{Offset: off, Reason: fmt.Sprintf("header channels M=%d N=%d do not match the model's %d, %d", h.M, h.N, mdl.Arch.M, mdl.Arch.N)}
	}
	f, err := zr.Decode()
	if err != nil {
		return nil, err
	}
	of := &openedFile{h: h, f: f, mdl: mdl}
	if h.ColorType.HasAlpha() {
		if of.alpha, err = decodeAlpha(f.Alpha, h.Width, h.Height); err != nil {
			var ce *CorruptInputError
			if errors.As(err, &ce) {
				ce.Offset = off
			}
			return nil, err
		}
	}
	return of, nil
}

// tileCoder checks that tile i's latent sizes match its pixels and returns
// the tile's bounds and its latent coder.
func (of *openedFile) tileCoder(i int, off int64) (image.Rectangle, *latentCoder, error) {
	r := of.h.TileBounds(i)
	pw, ph := padded(r.Dx()), padded(r.Dy())
	t := &of.f.Tiles[i]
	if t.HY != ph/16 || t.WY != pw/16 || t.HZ != ph/64 || t.WZ != pw/64 {
		return r, nil, &CorruptInputError{Offset: off, Reason: fmt.Sprintf("tile %d: latent size y %d×%d z %d×%d does not match its %d×%d pixels", i, t.HY, t.WY, t.HZ, t.WZ, r.Dx(), r.Dy())}
	}
	lc, err := newLatentCoder(of.mdl, pw, ph)
	return r, lc, err
}

// decodeFile decodes one file from r, which starts at offset off of the
// stream.
func decodeFile(r io.Reader, off int64, o *decoderOptions) (image.Image, error) {
	of, err := openFile(r, off, o)
	if err != nil {
		return nil, err
	}
	h, f, mdl, alpha := &of.h, of.f, of.mdl, of.alpha
	gray := h.ColorType == format.Gray || h.ColorType == format.GrayAlpha
	invGain := mdl.InvGain(levelOf(h.Quality, mdl.Arch.Levels))
	m := newOutput(h.Width, h.Height, gray, alpha != nil)
	for i := range f.Tiles {
		r, lc, err := of.tileCoder(i, off)
		if err != nil {
			return nil, err
		}
		t := &f.Tiles[i]
		sym, mean, err := lc.decode(t.Hyper, t.Latent, off, o.concurrency)
		if err != nil {
			return nil, fmt.Errorf("tile %d: %w", i, err)
		}
		lc.synthesiseTile(sym, mean, invGain, o.concurrency, func(out *model.Tensor, first, n, y0 int) {
			putRowsWorkers(m, r, out.Data, out.W, out.H, first, y0, n, gray, o.concurrency)
		})
	}
	if alpha != nil {
		putAlpha(m.(*image.NRGBA), alpha)
	}
	return m, nil
}
