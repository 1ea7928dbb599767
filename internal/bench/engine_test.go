// This file tests the engine's aggregation and failure handling with a fake codec.

package bench

import (
	"errors"
	"image"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeCodec is lossless, stores 3 bytes per pixel, and fails on one image.
type fakeCodec struct{ failOn string }

func (fakeCodec) Name() string       { return "fake" }
func (fakeCodec) Version() string    { return "fake 1" }
func (fakeCodec) Settings() []string { return []string{"1", "2"} }

func (f fakeCodec) Encode(src *Source, setting string) ([]byte, time.Duration, error) {
	if src.Name == f.failOn {
		return nil, 0, errors.New("fake: refused")
	}
	return make([]byte, 3*src.Pixels()), time.Millisecond, nil
}

func (fakeCodec) Decode(data []byte) (image.Image, time.Duration, error) {
	return nil, 0, errors.New("fake: decode needs the source")
}

// echoCodec returns the source unchanged, at setting-dependent size.
type echoCodec struct{ last image.Image }

func (*echoCodec) Name() string       { return "echo" }
func (*echoCodec) Version() string    { return "echo 1" }
func (*echoCodec) Settings() []string { return []string{"1", "2"} }
func (e *echoCodec) Encode(src *Source, setting string) ([]byte, time.Duration, error) {
	e.last = src.Image
	n := src.Pixels() / 8 // 1 bpp
	if setting == "2" {
		n *= 2
	}
	return make([]byte, n), 2 * time.Millisecond, nil
}
func (e *echoCodec) Decode(data []byte) (image.Image, time.Duration, error) {
	return e.last, 3 * time.Millisecond, nil
}

func TestRunAggregatesAndFailures(t *testing.T) {
	dir := writeSynthDir(t)
	images, err := ListImages(dir, 0)
	require.NoError(t, err)
	require.Len(t, images, 2)
	echo := &echoCodec{}
	jobs := []Job{{echo, echo.Settings()}, {fakeCodec{}, []string{"1"}}}
	steps := 0
	res, err := Run(images, jobs, 1, t.TempDir(), func() { steps++ })
	require.NoError(t, err)
	assert.Equal(t, 2*3, steps)
	// The fake codec cannot decode: both its measurements fail and it has no aggregate.
	assert.Len(t, res.Errors, 2)
	require.Len(t, res.Aggregate, 2)
	for i, r := range res.Aggregate {
		assert.Equal(t, "echo", r.Codec)
		assert.Equal(t, 2, r.Images)
		assert.InDelta(t, float64(i+1), r.BPP, 1e-12)
		assert.Equal(t, 100.0, r.PSNR, "lossless PSNR is capped")
		assert.InDelta(t, 1, r.MSSSIM, 1e-12)
		assert.Equal(t, 2.0, r.EncMS)
		assert.Equal(t, 3.0, r.DecMS)
	}
}

func TestRunBadImage(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(dir+"/bad.png", []byte("not a png"), 0o600))
	_, err := Run([]string{dir + "/bad.png"}, []Job{{goJPEG{}, []string{"50"}}}, 1, t.TempDir(), nil)
	assert.Error(t, err)
}
