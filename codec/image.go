// This file implements the conversion between image.Image and the padded
// float32 planes the transforms work on, as specified in docs/spec.md §6
// (padding, crop and colour conversion).

package codec

import (
	"image"
	"image/color"
	"sync"
	"sync/atomic"

	"github.com/aezip/aezip/internal/gemm"
)

// padMultiple is the factor the image is padded to: g_a downsamples by 16
// and h_a by a further 4.
const padMultiple = 64

// planes is an image as three float32 planes (R, G, B) of value/255, padded
// on the right and bottom to pw × ph by edge replication.
type planes struct {
	w, h   int // image size
	pw, ph int // padded size
	rgb    []float32
	gray   bool   // the source was grayscale
	alpha  []byte // w×h alpha values, nil when the image is opaque
}

// unit maps an 8-bit value to the transforms' [0, 1] range.
var unit = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

func padded(n int) int { return (n + padMultiple - 1) / padMultiple * padMultiple }

// newPlanes converts m. Callers have checked that its bounds are not empty.
func newPlanes(m image.Image) *planes { return newPlanesRect(m, m.Bounds()) }

// newPlanesRect converts the part r of m (r inside m's bounds, not empty),
// padded to multiples of padMultiple.
func newPlanesRect(m image.Image, r image.Rectangle) *planes {
	return newPlanesPadded(m, r, padded(r.Dx()), padded(r.Dy()), 1)
}

// newPlanesPadded converts the part r of m (inside m's bounds, not empty),
// padded by edge replication to pw × ph (at least r's size), on up to
// workers goroutines for large images of the common types.
func newPlanesPadded(m image.Image, r image.Rectangle, pw, ph, workers int) *planes {
	b := r
	p := &planes{w: b.Dx(), h: b.Dy(), pw: pw, ph: ph}
	// Every element is written below (conversion, then padding), so a
	// recycled buffer needs no clearing.
	p.rgb = getRGB(3 * p.pw * p.ph)
	if p.w*p.h < parallelPixels {
		workers = 1
	}
	switch m := m.(type) {
	case *image.RGBA:
		if workers < 2 || !p.parallel(workers, func(y0, y1 int) bool { return p.opaque(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), y0, y1) }) {
			p.fromRGBA(m, b)
		}
	case *image.NRGBA:
		if workers < 2 || !p.parallel(workers, func(y0, y1 int) bool { return p.opaque(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), y0, y1) }) {
			p.fromNRGBA(m, b)
		}
	case *image.YCbCr:
		p.parallel(max(workers, 1), func(y0, y1 int) bool { p.fromYCbCr(m, b, y0, y1); return true })
	case *image.Gray:
		p.gray = true
		p.parallel(max(workers, 1), func(y0, y1 int) bool { p.fromGray(m, b, y0, y1); return true })
	default:
		p.fromGeneric(m, b)
	}
	p.pad()
	return p
}

// rgbBuffers recycles the planes of g_a's strips (analyseTile returns
// them), which would otherwise be allocated and cleared by the runtime on
// the encoder's serial path: 4.7 MB for a 768×512 image.
var rgbBuffers sync.Pool

// getRGB returns a buffer of n floats with arbitrary contents.
func getRGB(n int) []float32 {
	if b, ok := rgbBuffers.Get().(*[]float32); ok && cap(*b) >= n {
		return (*b)[:n]
	}
	return make([]float32, n)
}

// putRGB gives a buffer from getRGB back; the caller must not use it again.
func putRGB(b []float32) { rgbBuffers.Put(&b) }

// parallelPixels is the image size from which newPlanesPadded converts on
// several goroutines (a variable so that tests can lower it): the
// conversion would otherwise be a serial millisecond or more at the start
// of every encode.
var parallelPixels = 1 << 16

// parallel runs conv on bands of rows [y0, y1) covering the image, on up to
// workers goroutines (on the caller's alone for one), and reports whether
// every call returned true.
func (p *planes) parallel(workers int, conv func(y0, y1 int) bool) bool {
	var failed atomic.Bool
	inParallel(max(workers, 1), p.h, 1, func(y0, y1 int) {
		if !conv(y0, y1) {
			failed.Store(true)
		}
	})
	return !failed.Load()
}

// opaque converts rows [y0, y1) of 8-bit RGBA or NRGBA pixels (row stride
// stride from pix[off]) as long as they are opaque, where both forms agree,
// and reports whether all were: otherwise the caller converts the image
// again, alpha included, on one goroutine.
func (p *planes) opaque(pix []uint8, stride, off, y0, y1 int) bool {
	for y := y0; y < y1; y++ {
		row := pix[off+y*stride:][:4*p.w]
		for x := 0; x < p.w; x++ {
			s := row[4*x : 4*x+4 : 4*x+4]
			if s[3] != 0xff {
				return false
			}
			p.set(x, y, s[0], s[1], s[2])
		}
	}
	return true
}

func (p *planes) set(x, y int, r, g, b uint8) {
	i := y*p.pw + x
	n := p.pw * p.ph
	p.rgb[i], p.rgb[n+i], p.rgb[2*n+i] = unit[r], unit[g], unit[b]
}

// setAlpha records the alpha of pixel (x, y), allocating the alpha plane at
// the first non-opaque pixel.
func (p *planes) setAlpha(x, y int, a uint8) {
	if p.alpha == nil {
		if a == 0xff {
			return
		}
		p.alpha = make([]byte, p.w*p.h)
		for i := range p.alpha[:y*p.w+x] {
			p.alpha[i] = 0xff
		}
	}
	p.alpha[y*p.w+x] = a
}

func (p *planes) fromNRGBA(m *image.NRGBA, b image.Rectangle) {
	for y := 0; y < p.h; y++ {
		row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < p.w; x++ {
			s := row[4*x : 4*x+4 : 4*x+4]
			p.set(x, y, s[0], s[1], s[2])
			p.setAlpha(x, y, s[3])
		}
	}
}

func (p *planes) fromRGBA(m *image.RGBA, b image.Rectangle) {
	for y := 0; y < p.h; y++ {
		row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < p.w; x++ {
			s := row[4*x : 4*x+4 : 4*x+4]
			if s[3] == 0xff {
				p.set(x, y, s[0], s[1], s[2])
				p.setAlpha(x, y, 0xff)
				continue
			}
			// Premultiplied: convert exactly as the generic path does.
			c := color.NRGBAModel.Convert(color.RGBA{s[0], s[1], s[2], s[3]}).(color.NRGBA)
			p.set(x, y, c.R, c.G, c.B)
			p.setAlpha(x, y, c.A)
		}
	}
}

func (p *planes) fromYCbCr(m *image.YCbCr, b image.Rectangle, y0, y1 int) {
	for y := y0; y < y1; y++ {
		for x := 0; x < p.w; x++ {
			yi := m.YOffset(b.Min.X+x, b.Min.Y+y)
			ci := m.COffset(b.Min.X+x, b.Min.Y+y)
			// color.YCbCr.RGBA is what m.At(x, y).RGBA() returns, so the
			// fast path equals the generic one.
			r, g, bl, _ := color.YCbCr{Y: m.Y[yi], Cb: m.Cb[ci], Cr: m.Cr[ci]}.RGBA()
			p.set(x, y, uint8(r>>8), uint8(g>>8), uint8(bl>>8))
		}
	}
}

func (p *planes) fromGray(m *image.Gray, b image.Rectangle, y0, y1 int) {
	for y := y0; y < y1; y++ {
		row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < p.w; x++ {
			v := row[x]
			p.set(x, y, v, v, v)
		}
	}
}

// fromGeneric handles every other image type through its colour model:
// 16-bit images are reduced to 8 bits, paletted and other images with
// transparency keep their alpha.
func (p *planes) fromGeneric(m image.Image, b image.Rectangle) {
	p.gray = isGrayModel(m.ColorModel())
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			c := m.At(b.Min.X+x, b.Min.Y+y)
			if r, g, bl, a := c.RGBA(); a == 0xffff {
				p.set(x, y, uint8(r>>8), uint8(g>>8), uint8(bl>>8))
				p.setAlpha(x, y, 0xff)
				continue
			}
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			p.set(x, y, n.R, n.G, n.B)
			p.setAlpha(x, y, n.A)
		}
	}
}

func isGrayModel(cm color.Model) bool {
	return cm == color.GrayModel || cm == color.Gray16Model
}

// pad replicates the last column and row into the padding, as PyTorch's
// F.pad(mode="replicate") does.
func (p *planes) pad() {
	n := p.pw * p.ph
	for c := 0; c < 3; c++ {
		pl := p.rgb[c*n : (c+1)*n]
		for y := 0; y < p.h; y++ {
			row := pl[y*p.pw : (y+1)*p.pw]
			for x := p.w; x < p.pw; x++ {
				row[x] = row[p.w-1]
			}
		}
		last := pl[(p.h-1)*p.pw : p.h*p.pw]
		for y := p.h; y < p.ph; y++ {
			copy(pl[y*p.pw:(y+1)*p.pw], last)
		}
	}
}

// to8 maps a synthesis output back to 8 bits: clamp(round(255·v)).
func to8(v float32) uint8 { return gemm.To8(v) }

// newOutput allocates the decoded image: an *image.Gray for grayscale
// files, an *image.NRGBA when alpha is present, an *image.RGBA otherwise.
func newOutput(w, h int, gray, alpha bool) image.Image {
	r := image.Rect(0, 0, w, h)
	switch {
	case alpha:
		return image.NewNRGBA(r)
	case gray:
		return image.NewGray(r)
	}
	return image.NewRGBA(r)
}

// putTile stores the decoded planes (3 × pw × ph) of the tile at r into m,
// cropping the padding.
func putTile(m image.Image, r image.Rectangle, rgb []float32, pw, ph int, gray bool) {
	putRows(m, r, rgb, pw, ph, 0, 0, ph, gray)
}

// putRows stores rows [first, first+n) of the decoded planes rgb (3 × pw ×
// ph) as rows [y0, y0+n) of the tile at r in m, cropping the padding (rows
// at or below r's height and columns right of its width). Grayscale files
// take the mean of the three channels, computed in float32. Alpha is left at
// 255 (see putAlpha).
func putRows(m image.Image, r image.Rectangle, rgb []float32, pw, ph, first, y0, n int, gray bool) {
	k := pw * ph
	rp, gp, bp := rgb[:k], rgb[k:2*k], rgb[2*k:3*k]
	w := r.Dx()
	for y := y0; y < min(y0+n, r.Dy()); y++ {
		src := (first + y - y0) * pw
		switch m := m.(type) {
		case *image.Gray:
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):][:w]
			for x := range row {
				i := src + x
				row[x] = to8((rp[i] + gp[i] + bp[i]) / 3)
			}
		case *image.NRGBA:
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):][:4*w]
			if !gray {
				gemm.RGBA8(row, rp[src:src+w], gp[src:src+w], bp[src:src+w])
				continue
			}
			for x := 0; x < w; x++ {
				i := src + x
				s := row[4*x : 4*x+4 : 4*x+4]
				v := to8((rp[i] + gp[i] + bp[i]) / 3)
				s[0], s[1], s[2], s[3] = v, v, v, 0xff
			}
		case *image.RGBA:
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):][:4*w]
			gemm.RGBA8(row, rp[src:src+w], gp[src:src+w], bp[src:src+w])
		}
	}
}

// putRowsWorkers is putRows on up to workers goroutines, each storing a
// run of whole rows; every pixel is converted on its own, so the image is
// the same for any split. Small bands stay on the calling goroutine.
func putRowsWorkers(m image.Image, r image.Rectangle, rgb []float32, pw, ph, first, y0, n int, gray bool, workers int) {
	rows := min(y0+n, r.Dy()) - y0
	workers = min(workers, rows*r.Dx()/minPixelsPerWorker)
	if workers <= 1 {
		putRows(m, r, rgb, pw, ph, first, y0, n, gray)
		return
	}
	var wg sync.WaitGroup
	for i := range workers {
		a, b := rows*i/workers, rows*(i+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			putRows(m, r, rgb, pw, ph, first+a, y0+a, b-a, gray)
		}()
	}
	wg.Wait()
}

// minPixelsPerWorker keeps the conversion of small bands serial: below it
// starting a goroutine costs more than it saves.
const minPixelsPerWorker = 1 << 15

// putAlpha stores the w×h alpha plane into an *image.NRGBA.
func putAlpha(m *image.NRGBA, alpha []byte) {
	w := m.Rect.Dx()
	for i, a := range alpha {
		m.Pix[m.PixOffset(i%w, i/w)+3] = a
	}
}

// outputImage crops the decoded planes (3 × pw × ph, pw ≥ w, ph ≥ h) of a
// single-tile image to w × h (see newOutput for the type).
func outputImage(rgb []float32, w, h, pw, ph int, gray bool, alpha []byte) image.Image {
	m := newOutput(w, h, gray, alpha != nil)
	putTile(m, m.Bounds(), rgb, pw, ph, gray)
	if alpha != nil {
		putAlpha(m.(*image.NRGBA), alpha)
	}
	return m
}
