package codec

import (
	"bytes"
	"fmt"
	"image"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aezip/aezip/model"
)

// setStrips sets the strip heights for one test.
func setStrips(t *testing.T, rows, hsRows int) {
	t.Helper()
	r, h := stripRows, hsStripRows
	t.Cleanup(func() { stripRows, hsStripRows = r, h })
	stripRows, hsStripRows = rows, hsRows
}

// noisy returns a w×h RGBA image of smooth gradients plus noise, so that
// every latent row differs.
func noisy(w, h int, seed uint64) *image.RGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := m.PixOffset(x, y)
			m.Pix[i] = uint8(x*255/w) ^ uint8(r.IntN(32))
			m.Pix[i+1] = uint8(y*255/h) ^ uint8(r.IntN(32))
			m.Pix[i+2] = uint8((x+y)*127/(w+h)) ^ uint8(r.IntN(64))
			m.Pix[i+3] = 0xff
		}
	}
	return m
}

// TestStripsBitIdentical checks that every strip driver gives exactly the
// result of the untiled transform, for strips as small as one row (so that
// every strip boundary needs the full context) and image heights that are
// not multiples of the strip height.
func TestStripsBitIdentical(t *testing.T) {
	mdl := tinyModel(t)
	for _, size := range [][2]int{{70, 200}, {130, 333}} {
		src := noisy(size[0], size[1], 3)
		p := newPlanes(src)
		x := &model.Tensor{C: 3, H: p.ph, W: p.pw, Data: p.rgb}
		wantY := mdl.Analysis.Forward(x)
		lc, err := newLatentCoder(mdl, p.pw, p.ph)
		require.NoError(t, err)
		e, err := lc.encode(scaleChannels(wantY, mdl.Gain(3.5), 0), 0, model.Float32, true)
		require.NoError(t, err)
		zhat := make([]int32, mdl.Arch.N*lc.hz*lc.wz)
		for i := range zhat {
			zhat[i] = int32(i%7) - 3
		}
		wantMean, wantIdx := mdl.HyperSynthesis.Forward(zhat, lc.hz, lc.wz)
		invGain := mdl.InvGain(3.5)
		yhat := model.NewTensor(mdl.Arch.M, lc.hy, lc.wy)
		n := lc.hy * lc.wy
		for c := 0; c < mdl.Arch.M; c++ {
			reconstructInto(yhat.Data[c*n:][:n], e.sym[c*n:][:n], e.mean[c*n:][:n], invGain[c], mdl.Arch.MeanBits)
		}
		wantX := mdl.Synthesis.Forward(yhat)
		for _, rows := range []int{1, 2, 3, 32} {
			t.Run(fmt.Sprintf("%dx%d/strip%d", size[0], size[1], rows), func(t *testing.T) {
				setStrips(t, rows, rows)
				s := &tileSource{m: src, r: src.Bounds(), pw: p.pw, ph: p.ph}
				for _, prec := range []model.Precision{model.Float32, model.BF16} {
					want := mdl.Analysis.ForwardPrecision(x, 0, 0, prec)
					y := analyseTile(mdl, s, 0, prec, nil)
					assert.Equal(t, want.Data, y.Data, "g_a %v", prec)
				}

				mean, idx := hyperSynthesisStrips(mdl, zhat, lc.hz, lc.wz, 0)
				assert.Equal(t, wantMean, mean, "h_s means")
				assert.Equal(t, widen(wantIdx), idx, "h_s scale indices")

				got := model.NewTensor(3, p.ph, p.pw)
				var next int
				lc.synthesiseTile(e.sym, e.mean, invGain, 0, func(out *model.Tensor, first, n, y0 int) {
					assert.Equal(t, next, y0, "strips in order, without gaps")
					next = y0 + n
					copyRows(got, out, y0, y0+n, y0-first)
				})
				assert.Equal(t, p.ph, next)
				assert.Equal(t, wantX.Data, got.Data, "g_s")
			})
		}
	}
}

// TestStripsSameFile checks that the file and the decoded image do not
// depend on the strip heights, for every colour type and rate control.
func TestStripsSameFile(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 90, 150))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 7)
	}
	alpha := image.NewNRGBA(image.Rect(0, 0, 100, 140))
	for i := range alpha.Pix {
		alpha.Pix[i] = uint8(i * 13)
	}
	tests := []struct {
		name string
		m    image.Image
		opts []EncoderOption
	}{
		{"rgb", noisy(120, 170, 5), nil},
		{"gray", gray, nil},
		{"alpha", alpha, nil},
		{"psnr", noisy(120, 170, 6), []EncoderOption{WithTargetPSNR(20)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := encodeBytes(t, tc.m, tc.opts...)
			wantImg, err := decodeBytes(t, want)
			require.NoError(t, err)
			setStrips(t, 1, 1)
			got := encodeBytes(t, tc.m, tc.opts...)
			assert.True(t, bytes.Equal(want, got), "file changed with the strip height")
			gotImg, err := decodeBytes(t, got)
			require.NoError(t, err)
			assert.Equal(t, wantImg, gotImg)
		})
	}
}
