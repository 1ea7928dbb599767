// This file implements the options of the server-side handler.

package transport

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/model"
)

// Option configures a handler made by [NewHandler].
type Option func(*options) error

type options struct {
	quality         float64
	targetBPP       float64
	targetPSNR      float64
	encoderOpts     []codec.EncoderOption
	maxSourceBytes  int64
	maxSourcePixels int64
	maxConcurrent   int
	maxQueue        int
	queueTimeout    time.Duration
	cacheBytes      int64
	retryAfter      time.Duration
}

func (o *options) setDefault() {
	*o = options{
		quality:         codec.DefaultQuality,
		maxSourceBytes:  32 << 20,
		maxSourcePixels: 40 << 20,
		maxConcurrent:   runtime.GOMAXPROCS(0),
		maxQueue:        64,
		queueTimeout:    10 * time.Second,
		cacheBytes:      64 << 20,
		retryAfter:      time.Second,
	}
}

// settings is the part of the options that changes the encoded bytes; it is
// part of every cache key and ETag. Machines that can run the bfloat16
// analysis (codec.WithPrecision) may encode other bytes than those that
// cannot, so they mark their tags: a strong tag must not match two
// different representations.
func (o *options) settings() string {
	s := fmt.Sprintf("q=%g;bpp=%g;psnr=%g", o.quality, o.targetBPP, o.targetPSNR)
	if model.BF16Available() {
		s += ";bf16"
	}
	return s
}

func (o *options) encoderOptions() []codec.EncoderOption {
	opts := append([]codec.EncoderOption(nil), o.encoderOpts...)
	switch {
	case o.targetBPP > 0:
		opts = append(opts, codec.WithTargetBPP(o.targetBPP))
	case o.targetPSNR > 0:
		opts = append(opts, codec.WithTargetPSNR(o.targetPSNR))
	default:
		opts = append(opts, codec.WithQuality(o.quality))
	}
	return opts
}

// WithQuality sets the encoding quality, 0 to 100. The default is
// [codec.DefaultQuality]. It clears WithTargetBPP and WithTargetPSNR.
func WithQuality(q float64) Option {
	return func(o *options) error {
		if !(q >= 0 && q <= 100) {
			return fmt.Errorf("transport: quality %v out of range [0, 100]", q)
		}
		o.quality, o.targetBPP, o.targetPSNR = q, 0, 0
		return nil
	}
}

// WithTargetBPP makes the handler encode every image at the quality whose
// size is closest to b bits per pixel (see [codec.WithTargetBPP]). It clears
// WithTargetPSNR.
func WithTargetBPP(b float64) Option {
	return func(o *options) error {
		if !(b > 0 && b <= 64) {
			return fmt.Errorf("transport: target bpp %v out of range (0, 64]", b)
		}
		o.targetBPP, o.targetPSNR = b, 0
		return nil
	}
}

// WithTargetPSNR makes the handler encode every image at the lowest quality
// that reaches p dB (see [codec.WithTargetPSNR]). It clears WithTargetBPP.
func WithTargetPSNR(p float64) Option {
	return func(o *options) error {
		if !(p > 0 && p <= 100) {
			return fmt.Errorf("transport: target PSNR %v out of range (0, 100]", p)
		}
		o.targetPSNR, o.targetBPP = p, 0
		return nil
	}
}

// WithEncoderOptions adds codec options (a model, a concurrency) to every
// encode. Options that select the rate are overridden by WithQuality,
// WithTargetBPP and WithTargetPSNR.
func WithEncoderOptions(opts ...codec.EncoderOption) Option {
	return func(o *options) error {
		o.encoderOpts = append(o.encoderOpts, opts...)
		return nil
	}
}

// WithMaxSourceBytes limits the size of a source image that is transcoded;
// larger responses pass through untouched. The default is 32 MiB.
func WithMaxSourceBytes(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return errors.New("transport: max source bytes must be positive")
		}
		o.maxSourceBytes = n
		return nil
	}
}

// WithMaxSourcePixels limits the width×height of a source image that is
// transcoded; larger images pass through untouched. The default is 40 Mi pixels.
func WithMaxSourcePixels(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return errors.New("transport: max source pixels must be positive")
		}
		o.maxSourcePixels = n
		return nil
	}
}

// WithMaxConcurrent limits how many encodes run at once. The default is
// GOMAXPROCS.
func WithMaxConcurrent(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return errors.New("transport: max concurrent encodes must be positive")
		}
		o.maxConcurrent = n
		return nil
	}
}

// WithQueue sets how many encodes may wait for a free slot (default 64) and
// how long each may wait (default 10 s). A request beyond either limit gets
// 503 Service Unavailable with a Retry-After header.
func WithQueue(n int, timeout time.Duration) Option {
	return func(o *options) error {
		if n < 0 || timeout < 0 {
			return errors.New("transport: queue length and timeout must not be negative")
		}
		o.maxQueue, o.queueTimeout = n, timeout
		return nil
	}
}

// WithCacheBytes sets the size of the cache of encoded results; 0 disables
// it. The default is 64 MiB.
func WithCacheBytes(n int64) Option {
	return func(o *options) error {
		if n < 0 {
			return errors.New("transport: cache size must not be negative")
		}
		o.cacheBytes = n
		return nil
	}
}
