// This file implements the typed errors of the metrics package.

package metrics

import "errors"

var (
	// ErrSizeMismatch is returned when the two images do not have the same width and height.
	ErrSizeMismatch = errors.New("metrics: images differ in size")
	// ErrEmpty is returned for an image with no pixels.
	ErrEmpty = errors.New("metrics: empty image")
	// ErrTooSmall is returned by SSIM and MS-SSIM for an image smaller than the 11×11 window.
	ErrTooSmall = errors.New("metrics: image smaller than the 11x11 SSIM window")
)
