// This file implements the alpha chunk payload, as specified in docs/spec.md
// §6 (alpha): the alpha plane, row-major, each byte replaced by its
// difference (mod 256) from the left neighbour (from the byte above in the
// first column, raw for the first byte), then compressed as one zstd frame.

package codec

import (
	"sync"

	"github.com/klauspost/compress/zstd"
)

// alphaEncoder is shared: EncodeAll is safe for concurrent use and, with a
// fixed level and one goroutine, its output is deterministic.
var alphaEncoder = sync.OnceValue(func() *zstd.Encoder {
	e, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(false)) // the container has its own CRC
	if err != nil {
		panic("codec: zstd encoder: " + err.Error()) // only fails on bad options
	}
	return e
})

// alphaDecoder limits every output to the capacity of dst (WithDecodeAllCapLimit),
// so a hostile frame cannot make it allocate beyond the w×h plane.
var alphaDecoder = sync.OnceValue(func() *zstd.Decoder {
	d, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecodeAllCapLimit(true),
		zstd.WithDecoderMaxWindow(1<<27))
	if err != nil {
		panic("codec: zstd decoder: " + err.Error()) // only fails on bad options
	}
	return d
})

func encodeAlpha(a []byte, w int) []byte {
	d := make([]byte, len(a))
	for i := range a {
		switch {
		case i == 0:
			d[i] = a[i]
		case i%w == 0:
			d[i] = a[i] - a[i-w]
		default:
			d[i] = a[i] - a[i-1]
		}
	}
	return alphaEncoder().EncodeAll(d, nil)
}

// decodeAlpha returns the w×h alpha plane coded in payload, or an error when
// the payload is not a zstd frame of exactly w×h bytes.
func decodeAlpha(payload []byte, w, h int) ([]byte, error) {
	n := w * h
	a, err := alphaDecoder().DecodeAll(payload, make([]byte, 0, n))
	if err != nil {
		return nil, corruptf("alpha chunk: %v", err)
	}
	if len(a) != n {
		return nil, corruptf("alpha chunk: %d bytes, want %d", len(a), n)
	}
	for i := 1; i < n; i++ {
		if i%w == 0 {
			a[i] += a[i-w]
		} else {
			a[i] += a[i-1]
		}
	}
	return a, nil
}
