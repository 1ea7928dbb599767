// Package metrics implements the full-reference image quality metrics used by
// aezip's benchmark: PSNR and single- and multi-scale SSIM on 8-bit RGB.
//
// Both metrics work on the 8-bit R, G and B samples of two images of the same
// size (alpha is ignored after compositing on black, which is what
// [image.Image.At] followed by RGBA()>>8 gives for non-opaque images).
//
// # PSNR
//
// The mean squared error is taken over all R, G and B samples together (the
// mean of the three per-channel MSEs), and PSNR = 10·log10(255²/MSE). Identical
// images have PSNR = +Inf; callers that average PSNRs should cap it (the
// benchmark uses [MaxPSNR]).
//
// # SSIM and MS-SSIM
//
// SSIM follows Wang et al. 2004 with an 11×11 Gaussian window (σ = 1.5,
// normalised to sum 1), K1 = 0.01, K2 = 0.03, L = 255, population (not
// sample) covariances, and the mean of the SSIM map over the "valid" region
// only (positions where the whole window lies inside the image). This is the
// same number as scikit-image's structural_similarity with
// gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
// data_range=255, which filters with reflection and then crops 5 pixels from
// every side.
//
// MS-SSIM follows Wang, Simoncelli and Bovik 2003 with M = 5 scales, exponents
// 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 and 2×2 box averaging between scales
// (an odd last row or column is dropped). At scales 1..M-1 the mean of the
// contrast-structure map cs is used, at scale M the mean of the full SSIM map
// (the convention of the TensorFlow and pytorch_msssim implementations).
// Negative means are clamped to 0 before exponentiation so that the result is
// always a real number in [0, 1]. Each of R, G and B is scored separately and
// the three results are averaged.
//
// An image whose smaller side is under 176 = 11·2⁴ pixels cannot host five
// scales; MS-SSIM then uses the largest number of scales M' ≥ 1 whose coarsest
// image is still at least 11×11, with the first M' exponents renormalised to
// sum 1. Images smaller than 11×11 give [ErrTooSmall].
package metrics
