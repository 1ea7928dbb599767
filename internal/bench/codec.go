// This file implements the Codec abstraction the engine sweeps, and Source,
// one input image prepared for in-process and external codecs.

package bench

import (
	"bufio"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"time"
)

// Codec is one codec under test, in-process or an external tool.
type Codec interface {
	// Name is the short name used by -vs, -ref and in the outputs.
	Name() string
	// Version describes the implementation, e.g. the tool's version line.
	Version() string
	// Settings is the default sweep, lowest quality first.
	Settings() []string
	// Encode compresses src at one setting and returns the whole file and
	// the time spent in the codec.
	Encode(src *Source, setting string) ([]byte, time.Duration, error)
	// Decode decompresses a file made by Encode and returns the time spent in the codec.
	Decode(data []byte) (image.Image, time.Duration, error)
}

// Source is one input image. External codecs read it from files prepared by
// [Source.Prepare] so that writing them is not counted as encoding time.
type Source struct {
	// Name is the file's base name.
	Name string
	// Image is the decoded input.
	Image image.Image
	// PNG and PPM are paths of lossless copies of Image, set by Prepare.
	PNG, PPM string
}

// Pixels returns the number of pixels of the source image.
func (s *Source) Pixels() int {
	return s.Image.Bounds().Dx() * s.Image.Bounds().Dy()
}

// Prepare writes the PNG and PPM copies of the image into dir.
func (s *Source) Prepare(dir string) error {
	base := filepath.Join(dir, s.Name)
	s.PNG, s.PPM = base+".png", base+".ppm"
	if err := writeFile(s.PNG, func(w *bufio.Writer) error {
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode(w, s.Image)
	}); err != nil {
		return err
	}
	return writeFile(s.PPM, func(w *bufio.Writer) error { return writePPM(w, s.Image) })
}

func writeFile(path string, fn func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := fn(w); err != nil {
		f.Close()
		return fmt.Errorf("bench: writing %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// timed runs fn and returns its wall time.
func timed(fn func() error) (time.Duration, error) {
	t0 := time.Now()
	err := fn()
	return time.Since(t0), err
}
