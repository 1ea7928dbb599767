// This file implements Inspect, the container-level description of a file
// used by "aezip info", as specified in docs/spec.md §6.

package codec

import (
	"encoding/hex"
	"io"

	"github.com/aezip/aezip/format"
)

// Info describes one aezip file without decoding its image.
type Info struct {
	Major, Minor  int    // container version
	Width, Height int    // image size in pixels
	ColorType     string // "rgb", "rgba", "gray" or "gray+alpha"
	Quality       float64
	ModelID       string // hex
	M, N          int    // latent channel counts
	Tiles         int
	TileWidth     int   `json:",omitempty"`
	TileHeight    int   `json:",omitempty"`
	HyperBytes    int64 // entropy-coded ẑ, all tiles
	LatentBytes   int64 // entropy-coded ŷ, all tiles
	AlphaBytes    int64 `json:",omitempty"`
	MetadataBytes int64 `json:",omitempty"` // ICC, EXIF, XMP and unknown chunks
	FileBytes     int64
	BitsPerPixel  float64
}

// Inspect reads one aezip file from r (within the format's default limits)
// and describes it. It checks the container, not the entropy-coded data.
func Inspect(r io.Reader) (*Info, error) {
	cr := &countingReader{r: r}
	zr, err := format.NewDecoder(cr, format.Limits{})
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	f, err := zr.Decode()
	if err != nil {
		return nil, err
	}
	h := f.Header
	in := &Info{
		Width: h.Width, Height: h.Height, ColorType: h.ColorType.String(),
		Quality: float64(h.Quality) / 100, ModelID: hex.EncodeToString(h.ModelID[:]),
		M: h.M, N: h.N, Tiles: len(f.Tiles), TileWidth: h.TileWidth, TileHeight: h.TileHeight,
		AlphaBytes: int64(len(f.Alpha)), FileBytes: cr.n,
	}
	in.Major, in.Minor = zr.Version()
	for _, t := range f.Tiles {
		in.HyperBytes += int64(len(t.Hyper))
		in.LatentBytes += int64(len(t.Latent))
	}
	in.MetadataBytes = int64(len(f.ICC) + len(f.EXIF) + len(f.XMP))
	for _, c := range f.Unknown {
		in.MetadataBytes += int64(len(c.Data))
	}
	in.BitsPerPixel = float64(8*in.FileBytes) / (float64(h.Width) * float64(h.Height))
	return in, nil
}
