// This file implements the in-process peer for Go's image/jpeg.

package bench

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"runtime"
	"strconv"
	"time"
)

// goJPEG is Go's standard-library baseline JPEG encoder (4:2:0, no
// Huffman optimisation) and decoder.
type goJPEG struct{}

func (goJPEG) Name() string    { return "jpeg" }
func (goJPEG) Version() string { return "Go image/jpeg, " + runtime.Version() }
func (goJPEG) Settings() []string {
	return []string{"3", "5", "10", "15", "20", "30", "40", "50", "60", "70", "80"}
}

func (goJPEG) Encode(src *Source, setting string) ([]byte, time.Duration, error) {
	q, err := strconv.Atoi(setting)
	if err != nil || q < 1 || q > 100 {
		return nil, 0, fmt.Errorf("bench: jpeg setting %q is not a quality 1..100", setting)
	}
	var buf bytes.Buffer
	d, err := timed(func() error { return jpeg.Encode(&buf, src.Image, &jpeg.Options{Quality: q}) })
	return buf.Bytes(), d, err
}

func (goJPEG) Decode(data []byte) (image.Image, time.Duration, error) {
	var m image.Image
	d, err := timed(func() (err error) {
		m, err = jpeg.Decode(bytes.NewReader(data))
		return err
	})
	return m, d, err
}
