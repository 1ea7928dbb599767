package codec

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// extraGoroutines runs run while sampling runtime.NumGoroutine and returns
// the most goroutines seen beyond those that existed before (the sampler
// included).
func extraGoroutines(run func()) int {
	var peak atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if n := int64(runtime.NumGoroutine()); n > peak.Load() {
				peak.Store(n)
			}
		}
	}()
	base := runtime.NumGoroutine()
	run()
	close(done)
	wg.Wait()
	return int(peak.Load()) - base
}

// TestConcurrencyOne checks that WithConcurrency(1) and
// WithDecoderConcurrency(1) run everything on the calling goroutine, and
// that the sampler does see the workers of a concurrency of 2, so that the
// check can fail.
func TestConcurrencyOne(t *testing.T) {
	mdl := tinyModel(t)
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2 to run the sampler beside the codec")
	}
	m, err := benchImage()
	require.NoError(t, err)
	run := func(n int) int {
		return extraGoroutines(func() {
			var buf bytes.Buffer
			require.NoError(t, Encode(&buf, m, WithModel(mdl), WithConcurrency(n)))
			d, err := NewDecoder(bytes.NewReader(buf.Bytes()), WithDecoderModel(mdl), WithDecoderConcurrency(n))
			require.NoError(t, err)
			_, err = d.Decode()
			require.NoError(t, err)
		})
	}
	assert.Zero(t, run(1), "goroutines started with concurrency 1")
	seen := false
	for range 5 {
		if run(2) > 0 {
			seen = true
			break
		}
	}
	assert.True(t, seen, "the sampler never saw a worker goroutine with concurrency 2")
}

// TestDecoderConcurrencySameImage checks that the decoded image does not
// depend on the decoder's concurrency (TestOutputIndependentOfConcurrency
// covers the encoder).
func TestDecoderConcurrencySameImage(t *testing.T) {
	data := encodeBytes(t, kitten(t))
	want, err := decodeBytes(t, data)
	require.NoError(t, err)
	for _, n := range []int{1, 2, 3} {
		img, err := decodeBytes(t, data, WithDecoderConcurrency(n))
		require.NoError(t, err)
		assert.Equal(t, want, img, "decoder concurrency %d changed the image", n)
	}
}
