// Test helper: the image that §6.6 builds from the g_s outputs of every
// tile, written independently of package codec.

package conformance

import (
	"bytes"
	"image"
	"image/color"
	"math"

	"github.com/aezip/aezip/format"
)

func readHeader(file []byte) (format.Header, error) {
	return format.ReadHeader(bytes.NewReader(file), format.Limits{})
}

// to8 is the §6.6 conversion of a g_s output to 8 bits.
func to8(v float32) uint8 {
	if v != v {
		return 0
	}
	return uint8(min(max(math.Floor(255*float64(v)+0.5), 0), 255))
}

// renderTiles places the padded g_s outputs xs (3 planes per tile, tiles
// in order) into an image of h's size; colour only (alpha is opaque).
func renderTiles(h format.Header, xs []float32, ct string) image.Image {
	out := image.NewNRGBA(image.Rect(0, 0, h.Width, h.Height))
	off := 0
	for i := range h.TileCount() {
		r := h.TileBounds(i)
		pw, ph := (r.Dx()+63)/64*64, (r.Dy()+63)/64*64
		n := pw * ph
		p := xs[off : off+3*n]
		off += 3 * n
		for y := 0; y < r.Dy(); y++ {
			for x := 0; x < r.Dx(); x++ {
				j := y*pw + x
				c := color.NRGBA{to8(p[j]), to8(p[n+j]), to8(p[2*n+j]), 255}
				if ct == "gray" || ct == "graya" {
					g := to8((p[j] + p[n+j] + p[2*n+j]) / 3)
					c = color.NRGBA{g, g, g, 255}
				}
				out.SetNRGBA(r.Min.X+x, r.Min.Y+y, c)
			}
		}
	}
	return out
}
