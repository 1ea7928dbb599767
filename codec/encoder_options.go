// This file implements the encoder options, as specified in docs/spec.md §6
// (quality ↔ level mapping).

package codec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/aezip/aezip/model"
)

// DefaultQuality is the quality used when no rate option is given.
const DefaultQuality = 50

// EncoderOption configures an [Encode] call or an [Encoder]. Options are
// applied in order; a later rate option (WithQuality, WithTargetBPP,
// WithTargetPSNR) replaces an earlier one.
type EncoderOption func(*encoderOptions) error

type encoderOptions struct {
	quality     float64 // used when targetBPP and targetPSNR are 0
	targetBPP   float64
	targetPSNR  float64
	model       *model.Model // nil: the embedded default model
	concurrency int
	precision   model.Precision
	ctx         context.Context // nil: never cancelled
}

func (o *encoderOptions) setDefault() {
	*o = encoderOptions{
		quality:     DefaultQuality,
		concurrency: runtime.GOMAXPROCS(0),
		precision:   model.BF16,
	}
}

func newEncoderOptions(opts []EncoderOption) (encoderOptions, error) {
	var o encoderOptions
	o.setDefault()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// WithQuality sets the quality q, a real number from 0 (smallest files) to
// 100 (best quality); the default is [DefaultQuality]. Quality is continuous:
// it selects the level t = q/100·(L−1) of the model's L gain levels, and the
// gain between two levels is interpolated geometrically. File size grows
// with q. WithQuality clears WithTargetBPP and WithTargetPSNR. An [Encoder]
// keeps it across Reset.
func WithQuality(q float64) EncoderOption {
	return func(o *encoderOptions) error {
		if !(q >= 0 && q <= 100) {
			return fmt.Errorf("codec: quality %v out of range [0, 100]", q)
		}
		o.quality, o.targetBPP, o.targetPSNR = q, 0, 0
		return nil
	}
}

// WithTargetBPP makes the encoder pick, per image, the highest quality whose
// encoded size (the whole file, container included) is at most b bits per
// pixel, found by bisection on the quality with real encodes (the analysis
// transform runs once; only the gain changes between tries). If even quality
// 0 is larger, quality 0 is used. The range is (0, 64]; there is no default
// (the encoder uses WithQuality unless this is given). It clears WithQuality
// and WithTargetPSNR. An [Encoder] keeps it across Reset.
func WithTargetBPP(b float64) EncoderOption {
	return func(o *encoderOptions) error {
		if !(b > 0 && b <= 64) {
			return fmt.Errorf("codec: target bpp %v out of range (0, 64]", b)
		}
		o.targetBPP, o.targetPSNR = b, 0
		return nil
	}
}

// WithTargetPSNR makes the encoder pick, per image, the lowest quality whose
// decoded RGB image reaches p dB PSNR against the 8-bit input, found by
// bisection on the quality with real encodes and decodes. If even quality 100
// falls short, quality 100 is used. The range is (0, 100]; there is no
// default. It clears WithQuality and WithTargetBPP. An [Encoder] keeps it
// across Reset.
func WithTargetPSNR(p float64) EncoderOption {
	return func(o *encoderOptions) error {
		if !(p > 0 && p <= 100) {
			return fmt.Errorf("codec: target PSNR %v out of range (0, 100]", p)
		}
		o.targetPSNR, o.targetBPP = p, 0
		return nil
	}
}

// WithModel sets the model used to encode. The default (nil) is the model
// embedded in the package (see [DefaultModel]). A decoder needs the same
// model: its ID is written into every file. An [Encoder] keeps it across
// Reset.
func WithModel(m *model.Model) EncoderOption {
	return func(o *encoderOptions) error {
		o.model = m
		return nil
	}
}

// WithConcurrency sets how many goroutines one encode may use; 0 (the
// default) means runtime.GOMAXPROCS(0). The output bytes never depend on it.
// Negative values are an error. An [Encoder] keeps it across Reset.
//
// The codec itself runs on the calling goroutine and hands the limit to
// every transform of package model, so with 1 no goroutine is started.
func WithConcurrency(n int) EncoderOption {
	return func(o *encoderOptions) error {
		if n < 0 {
			return errors.New("codec: negative concurrency")
		}
		if n == 0 {
			n = runtime.GOMAXPROCS(0)
		}
		o.concurrency = n
		return nil
	}
}

// WithPrecision sets the arithmetic of the encoder's analysis transforms
// (g_a and h_a), which only the encoder runs. The default, [model.BF16],
// computes their largest products from bfloat16 operands where
// [model.BF16Available] (processors with AVX512_BF16), about 1.5 times as
// fast as [model.Float32] for a BD-rate of about +0.04 % (docs/speed.md);
// elsewhere it is model.Float32. Files are valid either way, but with BF16
// an image may encode to different bytes on machines with and without
// those instructions; model.Float32 gives the same bytes on every amd64
// processor. An [Encoder] keeps it across Reset.
func WithPrecision(p model.Precision) EncoderOption {
	return func(o *encoderOptions) error {
		if p != model.Float32 && p != model.BF16 {
			return fmt.Errorf("codec: unknown precision %d", p)
		}
		o.precision = p
		return nil
	}
}

// WithContext makes the encoder give up with ctx.Err() once ctx is done.
// It is checked between stages (after the analysis transform of each tile,
// between rate-control tries), not inside a transform, so an encode returns
// within about one stage's time. The default is no cancellation. An
// [Encoder] keeps it across Reset.
func WithContext(ctx context.Context) EncoderOption {
	return func(o *encoderOptions) error {
		o.ctx = ctx
		return nil
	}
}

// cancelled returns the context's error, if any.
func (o *encoderOptions) cancelled() error {
	if o.ctx == nil {
		return nil
	}
	return o.ctx.Err()
}

// level maps quality q ∈ [0, 100] to the continuous level t ∈ [0, levels−1].
func level(q float64, levels int) float64 {
	t := q / 100 * float64(levels-1)
	return math.Min(math.Max(t, 0), float64(levels-1))
}
