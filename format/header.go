// This file implements the signature, the version bytes and the header chunk
// (AHDR), as specified in docs/spec.md §2.2 and §2.4.

package format

import (
	"encoding/binary"
	"fmt"
	"image"
)

// Magic is the 8-byte signature that starts every aezip file. Its first byte
// has the high bit set (catching 7-bit channels), and the CR LF, Ctrl-Z and LF
// that follow "AEZ" catch text-mode line-ending conversion and stop a DOS type
// command. Any prefix of it can serve as the magic of [image.RegisterFormat].
const Magic = "\x8eAEZ\r\n\x1a\n"

// Major and Minor are the container version written by this package. A reader
// refuses any other major version; it reads any minor version, skipping the
// ancillary chunks and header fields that it does not know.
const (
	Major = 1
	Minor = 0
)

// Hard limits of format version 1, independent of [Limits].
const (
	// MaxDimension is the largest image width or height, and the largest
	// latent height or width of a tile.
	MaxDimension = 1 << 24
	// MaxTiles is the largest number of tiles in one image.
	MaxTiles = 1 << 16
	// MaxChunkLen is the largest data length of any chunk.
	MaxChunkLen = 1<<31 - 1
)

// headerLen is the AHDR data length defined by version 1.0. A later minor
// version may append fields; readers ignore them (§2.4).
const headerLen = 40

// maxHeaderLen bounds the AHDR data length of any 1.x file, so that reading
// the header never allocates more than this.
const maxHeaderLen = 1024

// preambleLen is the length of the signature and the two version bytes.
const preambleLen = len(Magic) + 2

// bitDepth is the only sample depth of version 1.
const bitDepth = 8

// A ColorType says which channels an image has. The values are those of PNG.
type ColorType uint8

// The colour types of version 1, all with 8 bits per sample.
const (
	Gray      ColorType = 0
	RGB       ColorType = 2
	GrayAlpha ColorType = 4
	RGBA      ColorType = 6
)

// Valid reports whether c is one of the four colour types of version 1.
func (c ColorType) Valid() bool {
	return c == Gray || c == RGB || c == GrayAlpha || c == RGBA
}

// HasAlpha reports whether images of colour type c carry an alpha plane.
func (c ColorType) HasAlpha() bool { return c == GrayAlpha || c == RGBA }

// Channels returns the number of samples per pixel, alpha included, or 0 for
// an invalid colour type.
func (c ColorType) Channels() int {
	switch c {
	case Gray:
		return 1
	case GrayAlpha:
		return 2
	case RGB:
		return 3
	case RGBA:
		return 4
	}
	return 0
}

func (c ColorType) String() string {
	switch c {
	case Gray:
		return "gray"
	case GrayAlpha:
		return "gray+alpha"
	case RGB:
		return "rgb"
	case RGBA:
		return "rgba"
	}
	return fmt.Sprintf("ColorType(%d)", uint8(c))
}

// MaxQuality is the largest [Header.Quality] value (quality 100.00).
const MaxQuality = 10000

// A Header holds the fields of the header chunk (AHDR).
type Header struct {
	// Width and Height are the image size in pixels, 1..MaxDimension each.
	Width, Height int
	// ColorType is the colour type; the bit depth is always 8.
	ColorType ColorType
	// ModelID identifies the model that encoded the image (the first 16
	// bytes of the SHA-256 of the model file body).
	ModelID [16]byte
	// Quality is the rate parameter in 1/100 units, 0..MaxQuality.
	Quality uint16
	// M and N are the channel counts of the latent y and of the
	// hyper-latent z, 1..65535 each. Their spatial sizes are per tile.
	M, N int
	// TileWidth and TileHeight are the tile size in pixels. Both are 0 for a
	// single tile covering the image, or both are in 1..MaxDimension.
	TileWidth, TileHeight int
}

// TileGrid returns the number of tile columns and rows.
func (h *Header) TileGrid() (cols, rows int) {
	if h.TileWidth == 0 || h.TileHeight == 0 {
		return 1, 1
	}
	return ceilDiv(h.Width, h.TileWidth), ceilDiv(h.Height, h.TileHeight)
}

// TileCount returns the number of tiles, which is also the number of TILE
// chunks in the file.
func (h *Header) TileCount() int {
	c, r := h.TileGrid()
	return c * r
}

// TileBounds returns the pixel rectangle of tile i. Tiles are numbered in
// raster order (left to right, then top to bottom); those on the right and
// bottom edges may be smaller than the tile size. It returns the empty
// rectangle for an i out of range.
func (h *Header) TileBounds(i int) image.Rectangle {
	cols, rows := h.TileGrid()
	if i < 0 || i >= cols*rows {
		return image.Rectangle{}
	}
	if cols == 1 && rows == 1 {
		return image.Rect(0, 0, h.Width, h.Height)
	}
	x0 := (i % cols) * h.TileWidth
	y0 := (i / cols) * h.TileHeight
	return image.Rect(x0, y0, min(x0+h.TileWidth, h.Width), min(y0+h.TileHeight, h.Height))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// validate checks h against the hard limits of the format (not the caller's
// [Limits]).
func (h *Header) validate() error {
	switch {
	case h.Width < 1 || h.Width > MaxDimension || h.Height < 1 || h.Height > MaxDimension:
		return FormatError(fmt.Sprintf("image size %dx%d out of range", h.Width, h.Height))
	case !h.ColorType.Valid():
		return FormatError(fmt.Sprintf("invalid colour type %d", uint8(h.ColorType)))
	case h.Quality > MaxQuality:
		return FormatError(fmt.Sprintf("quality %d out of range", h.Quality))
	case h.M < 1 || h.M > 0xffff || h.N < 1 || h.N > 0xffff:
		return FormatError(fmt.Sprintf("latent channels M=%d N=%d out of range", h.M, h.N))
	case (h.TileWidth == 0) != (h.TileHeight == 0):
		return FormatError("tile width and height must both be zero or both non-zero")
	case h.TileWidth < 0 || h.TileWidth > MaxDimension || h.TileHeight < 0 || h.TileHeight > MaxDimension:
		return FormatError(fmt.Sprintf("tile size %dx%d out of range", h.TileWidth, h.TileHeight))
	}
	// Both factors are at most 2^24, so the product cannot overflow int64.
	cols, rows := h.TileGrid()
	if int64(cols)*int64(rows) > MaxTiles {
		return FormatError(fmt.Sprintf("%dx%d tiles exceed the maximum of %d", cols, rows, MaxTiles))
	}
	return nil
}

// appendHeader appends the version 1.0 AHDR data of h to b.
func appendHeader(b []byte, h *Header) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(h.Width))
	b = binary.BigEndian.AppendUint32(b, uint32(h.Height))
	b = append(b, byte(h.ColorType), bitDepth)
	b = binary.BigEndian.AppendUint16(b, h.Quality)
	b = append(b, h.ModelID[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(h.M))
	b = binary.BigEndian.AppendUint16(b, uint16(h.N))
	b = binary.BigEndian.AppendUint32(b, uint32(h.TileWidth))
	b = binary.BigEndian.AppendUint32(b, uint32(h.TileHeight))
	return b
}

// parseHeader decodes AHDR data of at least headerLen bytes; bytes past
// headerLen (fields of a later minor version) are ignored.
func parseHeader(d []byte) (Header, error) {
	be := binary.BigEndian
	var h Header
	w, ht := be.Uint32(d[0:]), be.Uint32(d[4:])
	if w < 1 || w > MaxDimension || ht < 1 || ht > MaxDimension {
		return h, FormatError(fmt.Sprintf("image size %dx%d out of range", w, ht))
	}
	h.Width, h.Height = int(w), int(ht)
	h.ColorType = ColorType(d[8])
	if d[9] != bitDepth {
		if !h.ColorType.Valid() {
			return h, FormatError(fmt.Sprintf("invalid colour type %d", d[8]))
		}
		return h, UnsupportedError(fmt.Sprintf("bit depth %d", d[9]))
	}
	h.Quality = be.Uint16(d[10:])
	copy(h.ModelID[:], d[12:28])
	h.M, h.N = int(be.Uint16(d[28:])), int(be.Uint16(d[30:]))
	tw, th := be.Uint32(d[32:]), be.Uint32(d[36:])
	if tw > MaxDimension || th > MaxDimension {
		return h, FormatError(fmt.Sprintf("tile size %dx%d out of range", tw, th))
	}
	h.TileWidth, h.TileHeight = int(tw), int(th)
	return h, h.validate()
}
