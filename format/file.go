// This file implements the in-memory form of a file and the reader limits, as
// specified in docs/spec.md §2.5 and §2.8.

package format

import (
	"fmt"
	"math"
)

// A File is one aezip image: the header and the contents of every other chunk.
type File struct {
	Header Header
	// Tiles holds one entry per tile, Tiles[i] being tile i of
	// [Header.TileBounds]. Version 1 encoders write a single tile.
	Tiles []Tile
	// Alpha is the alpha plane, compressed as the codec chooses. It is
	// present (non-empty) if and only if the colour type has alpha.
	Alpha []byte
	// ICC, EXIF and XMP are the colour profile and metadata, carried
	// unchanged; nil when absent. Present values are non-empty.
	ICC, EXIF, XMP []byte
	// Unknown holds the ancillary chunks that this version does not know,
	// in file order; a reader keeps the first [MaxUnknown] of them and
	// skips the others. [File.WriteTo] writes them before the first tile.
	Unknown []Chunk
}

// A Tile is the payload of one independently decodable tile (a TILE chunk).
type Tile struct {
	// HY and WY are the spatial size of the latent y of this tile, and HZ
	// and WZ that of the hyper-latent z; 1..MaxDimension each. The channel
	// counts are [Header.M] and [Header.N].
	HY, WY, HZ, WZ int
	// Hyper is the entropy-coded hyper-latent stream (ẑ), Latent the
	// entropy-coded latent stream (ŷ); both are opaque to this package.
	Hyper, Latent []byte
}

// MaxUnknown is the number of unknown ancillary chunks that a reader keeps
// in [File.Unknown].
const MaxUnknown = 256

// tileFixedLen is the length of the fixed fields of TILE data: index, HY, WY,
// HZ, WZ and the hyper stream length, each a uint32.
const tileFixedLen = 24

// Limits bounds the resources that a reader spends on one file. A zero field
// takes the value of [DefaultLimits]; a negative field means no limit beyond
// the hard limits of the format. Exceeding a limit gives [ErrTooLarge].
type Limits struct {
	// MaxPixels bounds Width×Height.
	MaxPixels int64
	// MaxChunkBytes bounds the data length of every chunk.
	MaxChunkBytes int64
	// MaxTotalBytes bounds the length of the whole file.
	MaxTotalBytes int64
}

// DefaultLimits are the limits used for zero fields of [Limits]: 2^28 pixels
// (16384×16384), 256 MiB per chunk and 1 GiB per file.
var DefaultLimits = Limits{
	MaxPixels:     1 << 28,
	MaxChunkBytes: 1 << 28,
	MaxTotalBytes: 1 << 30,
}

// resolve replaces zero fields by the defaults and negative ones by "no limit".
func (l Limits) resolve() Limits {
	f := func(v, def int64) int64 {
		switch {
		case v == 0:
			if def <= 0 {
				return math.MaxInt64
			}
			return def
		case v < 0:
			return math.MaxInt64
		}
		return v
	}
	return Limits{
		MaxPixels:     f(l.MaxPixels, DefaultLimits.MaxPixels),
		MaxChunkBytes: f(l.MaxChunkBytes, DefaultLimits.MaxChunkBytes),
		MaxTotalBytes: f(l.MaxTotalBytes, DefaultLimits.MaxTotalBytes),
	}
}

// tooLarge wraps ErrTooLarge with what exceeded which limit.
func tooLarge(what string, n, limit int64) error {
	return fmt.Errorf("%w: %s %d > %d", ErrTooLarge, what, n, limit)
}
