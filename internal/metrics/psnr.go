// This file implements MSE and PSNR on 8-bit RGB.

package metrics

import (
	"image"
	"math"
)

// MaxPSNR is the value, in dB, that averaging code should use in place of the
// +Inf PSNR of a lossless reconstruction. 100 dB is far above any lossy
// 8-bit result (an MSE of 6.5e-6).
const MaxPSNR = 100.0

// MSE returns the mean squared error between a and b over all R, G and B
// samples (equivalently, the mean of the three per-channel MSEs).
func MSE(a, b image.Image) (float64, error) {
	pa, pb, err := pairPlanes(a, b)
	if err != nil {
		return 0, err
	}
	var sum float64
	n := 0
	for c := range pa {
		for i, v := range pa[c].pix {
			d := v - pb[c].pix[i]
			sum += d * d
		}
		n += len(pa[c].pix)
	}
	return sum / float64(n), nil
}

// PSNRFromMSE returns 10·log10(255²/mse), and +Inf for mse == 0.
func PSNRFromMSE(mse float64) float64 {
	if mse <= 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// PSNR returns the peak signal-to-noise ratio in dB between a and b, computed
// from [MSE]. It is +Inf when the images are identical.
func PSNR(a, b image.Image) (float64, error) {
	mse, err := MSE(a, b)
	if err != nil {
		return 0, err
	}
	return PSNRFromMSE(mse), nil
}
