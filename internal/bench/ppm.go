// This file implements reading and writing binary 8-bit PPM (P6), the
// raw format exchanged with cjpeg/djpeg, dwebp and djxl.

package bench

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
)

// maxPPMPixels bounds what readPPM allocates (a 16384×16384 image).
const maxPPMPixels = 1 << 28

// errPPM is wrapped by every PPM parsing error.
var errPPM = errors.New("bench: invalid PPM")

func writePPM(w io.Writer, m image.Image) error {
	b := m.Bounds()
	if _, err := fmt.Fprintf(w, "P6\n%d %d\n255\n", b.Dx(), b.Dy()); err != nil {
		return err
	}
	row := make([]byte, 3*b.Dx())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := m.At(x, y).RGBA()
			i := 3 * (x - b.Min.X)
			row[i], row[i+1], row[i+2] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
		}
		if _, err := w.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// ppmInt reads one header integer, skipping whitespace and # comments.
func ppmInt(r *bufio.Reader) (int, error) {
	n, digits := 0, 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			return 0, fmt.Errorf("%w: short header", errPPM)
		}
		switch {
		case c == '#' && digits == 0:
			if _, err := r.ReadString('\n'); err != nil {
				return 0, fmt.Errorf("%w: short header", errPPM)
			}
		case c >= '0' && c <= '9':
			if n > 1<<20 {
				return 0, fmt.Errorf("%w: header value too large", errPPM)
			}
			n = 10*n + int(c-'0')
			digits++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if digits > 0 {
				return n, nil
			}
		default:
			return 0, fmt.Errorf("%w: unexpected byte %q in header", errPPM, c)
		}
	}
}

func readPPM(r io.Reader) (image.Image, error) {
	br := bufio.NewReader(r)
	var magic [2]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil || magic != [2]byte{'P', '6'} {
		return nil, fmt.Errorf("%w: not a binary PPM (P6)", errPPM)
	}
	w, err := ppmInt(br)
	if err != nil {
		return nil, err
	}
	h, err := ppmInt(br)
	if err != nil {
		return nil, err
	}
	maxval, err := ppmInt(br)
	if err != nil {
		return nil, err
	}
	if maxval != 255 {
		return nil, fmt.Errorf("%w: maxval %d, want 255", errPPM, maxval)
	}
	if w <= 0 || h <= 0 || w*h > maxPPMPixels {
		return nil, fmt.Errorf("%w: bad size %dx%d", errPPM, w, h)
	}
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	row := make([]byte, 3*w)
	for y := 0; y < h; y++ {
		if _, err := io.ReadFull(br, row); err != nil {
			return nil, fmt.Errorf("%w: truncated pixel data", errPPM)
		}
		for x := 0; x < w; x++ {
			m.SetRGBA(x, y, color.RGBA{row[3*x], row[3*x+1], row[3*x+2], 255})
		}
	}
	return m, nil
}
