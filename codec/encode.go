// This file implements the encoder: tiling, the analysis transform run once
// per image, coding at a quality, and the container, as specified in
// docs/spec.md §6.

package codec

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"math"

	"github.com/aezip/aezip/format"
	"github.com/aezip/aezip/model"
)

// Container tiles: images up to autoTileArea padded pixels are one tile (no
// seams); larger ones are cut into autoTile × autoTile tiles so that the
// latents, which the rate control keeps, stay bounded whatever the image
// size. They are variables so that tests can tile small images.
var (
	autoTileArea = 4096 * 4096
	autoTile     = 4096
)

// Encode writes m to w as one aezip file. Any image.Image works: 8-bit
// RGB, gray and RGBA/NRGBA images have fast paths, 16-bit images are
// reduced to 8 bits, transparency is kept losslessly in an alpha chunk, and
// grayscale images (image.Gray, image.Gray16) decode as *image.Gray.
func Encode(w io.Writer, m image.Image, opts ...EncoderOption) error {
	o, err := newEncoderOptions(opts)
	if err != nil {
		return err
	}
	return encode(w, m, &o)
}

func encode(w io.Writer, m image.Image, o *encoderOptions) error {
	a, err := analyse(m, o)
	if err != nil {
		return err
	}
	var b []byte
	switch {
	case o.targetBPP > 0:
		b, err = a.searchBPP(o.targetBPP)
	case o.targetPSNR > 0:
		b, err = a.searchPSNR(o.targetPSNR)
	default:
		b, _, err = a.encodeAt(qualityUnits(o.quality), false)
	}
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// qualityUnits converts quality to the header's 1/100 units.
func qualityUnits(q float64) uint16 {
	return uint16(math.Round(min(max(q, 0), 100) * 100))
}

// levelOf returns the level t of header quality units for a model of L
// levels: t = Q/10000 · (L−1).
func levelOf(q uint16, levels int) float64 {
	return float64(q) / format.MaxQuality * float64(levels-1)
}

// tile is one tile of the image being encoded, with its analysis output.
type tile struct {
	r   image.Rectangle // in image coordinates, origin at (0, 0)
	src *tileSource
	y   *model.Tensor // g_a output, before the gain
	lc  *latentCoder
}

// analysis holds everything about an image that does not depend on the
// quality, so that rate control only repeats what does.
type analysis struct {
	m     *model.Model
	o     *encoderOptions
	hdr   format.Header
	tiles []tile
	alpha []byte // compressed alpha plane, nil when opaque
	gray  bool
}

func analyse(m image.Image, o *encoderOptions) (*analysis, error) {
	if m == nil {
		return nil, errors.New("codec: nil image")
	}
	b := m.Bounds()
	if b.Empty() {
		return nil, ErrEmptyImage
	}
	w, h := b.Dx(), b.Dy()
	if w > format.MaxDimension || h > format.MaxDimension {
		return nil, fmt.Errorf("%w: %d×%d exceeds the format's %d pixels per side", ErrTooLarge, w, h, format.MaxDimension)
	}
	mdl, err := pickModel(o.model)
	if err != nil {
		return nil, err
	}
	a := &analysis{m: mdl, o: o}
	a.hdr = format.Header{Width: w, Height: h, ModelID: mdl.ID(), M: mdl.Arch.M, N: mdl.Arch.N}
	if int64(padded(w))*int64(padded(h)) > int64(autoTileArea) {
		a.hdr.TileWidth, a.hdr.TileHeight = autoTile, autoTile
	}
	if n := a.hdr.TileCount(); n > format.MaxTiles {
		return nil, fmt.Errorf("%w: %d tiles", ErrTooLarge, n)
	}
	var alpha []byte
	for i := range a.hdr.TileCount() {
		r := a.hdr.TileBounds(i)
		src := &tileSource{m: m, r: r.Add(b.Min), pw: padded(r.Dx()), ph: padded(r.Dy()), workers: o.concurrency}
		lc, err := newLatentCoder(mdl, src.pw, src.ph)
		if err != nil {
			return nil, err
		}
		// The strips overlap; each records the alpha and colour type of
		// its rows, the overlap twice with the same values.
		y := analyseTile(mdl, src, o.concurrency, o.precision, func(p *planes, y0 int) {
			a.gray = p.gray // the same for every strip
			if p.alpha == nil {
				return
			}
			if alpha == nil {
				alpha = make([]byte, w*h)
				for j := range alpha {
					alpha[j] = 0xff
				}
			}
			for y := 0; y < p.h; y++ {
				copy(alpha[(r.Min.Y+y0+y)*w+r.Min.X:][:p.w], p.alpha[y*p.w:][:p.w])
			}
		})
		if err := o.cancelled(); err != nil {
			return nil, err
		}
		a.tiles = append(a.tiles, tile{r: r, src: src, y: y, lc: lc})
	}
	switch {
	case a.gray && alpha != nil:
		a.hdr.ColorType = format.GrayAlpha
	case a.gray:
		a.hdr.ColorType = format.Gray
	case alpha != nil:
		a.hdr.ColorType = format.RGBA
	default:
		a.hdr.ColorType = format.RGB
	}
	if alpha != nil {
		a.alpha = encodeAlpha(alpha, w)
	}
	return a, nil
}

// encodeAt codes the image at quality q (1/100 units) and returns the file.
// With psnr it also decodes it and returns its PSNR in dB.
func (a *analysis) encodeAt(q uint16, psnr bool) ([]byte, float64, error) {
	f, p, err := a.code(q, psnr)
	if err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), p, nil
}

// code codes the image at quality q into a container file (and its PSNR,
// with psnr).
func (a *analysis) code(q uint16, psnr bool) (*format.File, float64, error) {
	if err := a.o.cancelled(); err != nil {
		return nil, 0, err
	}
	t := levelOf(q, a.m.Arch.Levels)
	gain := a.m.Gain(t)
	var invGain []float32
	if psnr {
		invGain = a.m.InvGain(t)
	}
	f := &format.File{Header: a.hdr, Alpha: a.alpha}
	f.Header.Quality = q
	var sse float64
	var count int
	for i := range a.tiles {
		tl := &a.tiles[i]
		yp := scaleChannels(tl.y, gain, a.o.concurrency)
		e, err := tl.lc.encode(yp, a.o.concurrency, a.o.precision, psnr)
		if err != nil {
			return nil, 0, err
		}
		f.Tiles = append(f.Tiles, format.Tile{HY: tl.lc.hy, WY: tl.lc.wy, HZ: tl.lc.hz, WZ: tl.lc.wz, Hyper: e.z, Latent: e.y})
		if psnr {
			h := tl.r.Dy()
			tl.lc.synthesiseTile(e.sym, e.mean, invGain, a.o.concurrency, func(out *model.Tensor, first, n, y0 int) {
				if n = min(n, h-y0); n > 0 {
					s, k := squaredError(tl.src.rows(y0, y0+n), out, first, a.gray)
					sse, count = sse+s, count+k
				}
			})
		}
	}
	if !psnr {
		return f, 0, nil
	}
	if sse == 0 {
		return f, math.Inf(1), nil
	}
	return f, 10 * math.Log10(255*255*float64(count)/sse), nil
}

// scaleChannels returns y ⊙ g (g per channel) as a new tensor, computed on
// up to workers goroutines.
func scaleChannels(y *model.Tensor, g []float32, workers int) *model.Tensor {
	out := model.NewTensor(y.C, y.H, y.W)
	n := y.H * y.W
	inParallel(workers, y.C, max(1, parallelElems/max(n, 1)), func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			gc := g[c]
			src, dst := y.Data[c*n:(c+1)*n], out.Data[c*n:(c+1)*n]
			for i, v := range src {
				dst[i] = v * gc
			}
		}
	})
	return out
}

// squaredError returns the sum of squared 8-bit errors between the source
// rows src (p.h rows of p.w pixels) and rows [first, first+p.h) of the
// decoded planes out, over the samples the decoder returns (one per pixel
// for gray, three for colour), and their count.
func squaredError(p *planes, out *model.Tensor, first int, gray bool) (float64, int) {
	n, k := p.pw*p.ph, out.H*out.W
	var sse float64
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			i, j := y*p.pw+x, (first+y)*out.W+x
			if gray {
				d := float64(to8((out.Data[j]+out.Data[k+j]+out.Data[2*k+j])/3)) - float64(to8(p.rgb[i]))
				sse += d * d
				continue
			}
			for c := 0; c < 3; c++ {
				d := float64(to8(out.Data[c*k+j])) - float64(to8(p.rgb[c*n+i]))
				sse += d * d
			}
		}
	}
	if gray {
		return sse, p.w * p.h
	}
	return sse, 3 * p.w * p.h
}

// searchBPP returns the file at the highest quality (to 0.1) whose size is
// at most target bits per pixel, or at quality 0 if none is. It assumes
// size grows with quality, which the test suite checks.
func (a *analysis) searchBPP(target float64) ([]byte, error) {
	pixels := float64(a.hdr.Width) * float64(a.hdr.Height)
	fits := func(b []byte) bool { return float64(8*len(b))/pixels <= target }
	lo, hi := 0, format.MaxQuality // invariant: fits(lo) or lo == 0; !fits(hi) unless hi == max
	best, _, err := a.encodeAt(uint16(hi), false)
	if err != nil || fits(best) {
		return best, err
	}
	best, _, err = a.encodeAt(0, false)
	if err != nil || !fits(best) {
		return best, err
	}
	for hi-lo > 10 {
		mid := (lo + hi) / 2
		b, _, err := a.encodeAt(uint16(mid), false)
		if err != nil {
			return nil, err
		}
		if fits(b) {
			lo, best = mid, b
		} else {
			hi = mid
		}
	}
	return best, nil
}

// searchPSNR returns the file at the lowest quality (to 0.1) whose decoded
// image reaches target dB, or at quality 100 if none does.
func (a *analysis) searchPSNR(target float64) ([]byte, error) {
	lo, hi := 0, format.MaxQuality
	best, p, err := a.encodeAt(uint16(lo), true)
	if err != nil || p >= target {
		return best, err
	}
	best, p, err = a.encodeAt(uint16(hi), true)
	if err != nil || p < target {
		return best, err
	}
	for hi-lo > 10 {
		mid := (lo + hi) / 2
		b, p, err := a.encodeAt(uint16(mid), true)
		if err != nil {
			return nil, err
		}
		if p >= target {
			hi, best = mid, b
		} else {
			lo = mid
		}
	}
	return best, nil
}
