// This file implements the conversion of images to float64 R, G, B planes.

package metrics

import "image"

// plane is one channel of an image, row-major, with 8-bit sample values.
type plane struct {
	w, h int
	pix  []float64
}

// rgbPlanes returns the 8-bit R, G and B samples of m as three planes.
func rgbPlanes(m image.Image) ([3]plane, error) {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	var ps [3]plane
	if w <= 0 || h <= 0 {
		return ps, ErrEmpty
	}
	for c := range ps {
		ps[c] = plane{w: w, h: h, pix: make([]float64, w*h)}
	}
	if rgba, ok := m.(*image.RGBA); ok {
		// Fast path for the decoders' most common output; same values as At().RGBA()>>8.
		for y := 0; y < h; y++ {
			row := rgba.Pix[(y)*rgba.Stride:]
			for x := 0; x < w; x++ {
				i := y*w + x
				ps[0].pix[i] = float64(row[4*x])
				ps[1].pix[i] = float64(row[4*x+1])
				ps[2].pix[i] = float64(row[4*x+2])
			}
		}
		return ps, nil
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := y*w + x
			ps[0].pix[i] = float64(r >> 8)
			ps[1].pix[i] = float64(g >> 8)
			ps[2].pix[i] = float64(bl >> 8)
		}
	}
	return ps, nil
}

// pairPlanes converts both images and checks that their sizes agree.
func pairPlanes(a, b image.Image) (pa, pb [3]plane, err error) {
	if a.Bounds().Dx() != b.Bounds().Dx() || a.Bounds().Dy() != b.Bounds().Dy() {
		return pa, pb, ErrSizeMismatch
	}
	if pa, err = rgbPlanes(a); err != nil {
		return pa, pb, err
	}
	pb, err = rgbPlanes(b)
	return pa, pb, err
}
