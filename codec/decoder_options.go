// This file implements the decoder options, as specified in docs/spec.md §6
// (decoder limits).

package codec

import (
	"errors"
	"runtime"

	"github.com/aezip/aezip/model"
)

// Default decoder limits: enough for a 64-megapixel photograph, small enough
// that a hostile header cannot make a server allocate without bound.
const (
	DefaultMaxPixels = 64 << 20
	DefaultMaxMemory = 16 << 30
)

// DecoderOption configures a [Decoder] (and so [Reader]).
type DecoderOption func(*decoderOptions) error

type decoderOptions struct {
	model       *model.Model // nil: the embedded default model
	maxPixels   int64
	maxMemory   int64
	concurrency int
}

func (o *decoderOptions) setDefault() {
	*o = decoderOptions{
		maxPixels:   DefaultMaxPixels,
		maxMemory:   DefaultMaxMemory,
		concurrency: runtime.GOMAXPROCS(0),
	}
}

func newDecoderOptions(opts []DecoderOption) (decoderOptions, error) {
	var o decoderOptions
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

// WithMaxPixels makes the decoder refuse, with [ErrTooLarge], any image whose
// width × height exceeds n, checked from the header before anything is
// allocated. The default is [DefaultMaxPixels]; n must be positive. A
// [Decoder] keeps it across Reset.
func WithMaxPixels(n int64) DecoderOption {
	return func(o *decoderOptions) error {
		if n <= 0 {
			return errors.New("codec: max pixels must be positive")
		}
		o.maxPixels = n
		return nil
	}
}

// WithMaxMemory makes the decoder refuse, with [ErrTooLarge], any image whose
// decoding would need more than n bytes of working memory, estimated from the
// header and the model's widths before anything is allocated (see
// [DecodeMemory]). The default is [DefaultMaxMemory]; n must be positive. A
// [Decoder] keeps it across Reset.
func WithMaxMemory(n int64) DecoderOption {
	return func(o *decoderOptions) error {
		if n <= 0 {
			return errors.New("codec: max memory must be positive")
		}
		o.maxMemory = n
		return nil
	}
}

// WithDecoderModel sets the model used to decode; the default (nil) is the
// embedded model ([DefaultModel]). A file made with another model fails with
// [ErrModelMismatch]. A [Decoder] keeps it across Reset.
func WithDecoderModel(m *model.Model) DecoderOption {
	return func(o *decoderOptions) error {
		o.model = m
		return nil
	}
}

// WithDecoderConcurrency sets how many goroutines one decode may use; 0 (the
// default) means runtime.GOMAXPROCS(0). Negative values are an error. A
// [Decoder] keeps it across Reset. As for [WithConcurrency], the limit
// goes to every transform; the decoded image never depends on it.
func WithDecoderConcurrency(n int) DecoderOption {
	return func(o *decoderOptions) error {
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
