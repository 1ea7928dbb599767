// This file implements the source images of the vectors: crops of the
// module's testdata/kitten.png and synthetic patterns.

package main

import (
	"image"
	"image/color"
	"image/draw"
)

// crop returns the w×h pixels of m at (x, y) as an *image.RGBA with
// origin (0, 0).
func crop(m image.Image, x, y, w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), m, image.Pt(x, y), draw.Src)
	return out
}

// toGray converts m with color.GrayModel.
func toGray(m image.Image) *image.Gray {
	b := m.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), m, b.Min, draw.Src)
	return out
}

// withAlpha returns the colours of m (opaque) with an alpha ramp along the
// diagonal: fully transparent in the top-left corner, opaque in the
// bottom-right, every value in between.
func withAlpha(m image.Image) *image.NRGBA {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
			a := (x + y) * 3 * 255 / (w + h - 2) // 0 … 3·255
			a = min(max(a-255, 0), 255)
			out.SetNRGBA(x, y, color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a)})
		}
	}
	return out
}

// grayWithAlpha is withAlpha of the gray version of m, with R = G = B.
func grayWithAlpha(m image.Image) *image.NRGBA {
	return withAlpha(toGray(m))
}

// pattern returns a synthetic w×h image: colour ramps, a checkerboard of
// 5-pixel squares and a sharp diagonal edge, which exercise the synthesis
// with content unlike the training photographs.
func pattern(w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r := uint8(x * 255 / max(w-1, 1))
			g := uint8(y * 255 / max(h-1, 1))
			bl := uint8(60)
			if (x/5+y/5)%2 == 0 {
				bl = 200
			}
			if x > y+10 {
				r, g = 255-r, 255-g
			}
			out.SetRGBA(x, y, color.RGBA{r, g, bl, 255})
		}
	}
	return out
}
