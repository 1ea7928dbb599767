// This file implements the adapter that benchmarks aezip itself through the
// public API of package codec.

package bench

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/model"
)

// selfName is the name under which aezip itself appears in reports.
const selfName = "aezip"

// aezipCodec encodes with codec.Encode at a quality and decodes with codec.Decode.
type aezipCodec struct {
	name        string
	m           *model.Model
	concurrency int
	precision   model.Precision
	settings    []string
	version     string
}

// newAezip returns the aezip codec with the model in modelPath, or the
// embedded default model when modelPath is empty, encoding at precision
// prec and reported under name; concurrency 0 means GOMAXPROCS.
func newAezip(modelPath string, concurrency int, prec model.Precision, name string) (Codec, error) {
	var m *model.Model
	if modelPath != "" {
		f, err := os.Open(modelPath)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if m, err = model.Load(f); err != nil {
			return nil, err
		}
	} else {
		var err error
		if m, err = codec.DefaultModel(); err != nil {
			if errors.Is(err, codec.ErrNoModel) {
				return nil, errors.New("no model embedded in this build (give one with -model FILE)")
			}
			return nil, err
		}
	}
	if concurrency == 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	// The default sweep is the model's trained gain levels: t = 0..L-1,
	// q = 100·t/(L-1).
	var settings []string
	L := m.Arch.Levels
	for t := 0; t < L; t++ {
		q := 100.0
		if L > 1 {
			q = 100 * float64(t) / float64(L-1)
		}
		settings = append(settings, strconv.FormatFloat(q, 'f', -1, 64))
	}
	id := m.ID()
	// The report names the arithmetic the analysis actually ran in.
	ran := model.Float32
	if prec == model.BF16 && model.BF16Available() {
		ran = model.BF16
	}
	return &aezipCodec{
		name: name, m: m, concurrency: concurrency, precision: prec, settings: settings,
		version: fmt.Sprintf("aezip %s, model %x (N=%d, M=%d, L=%d), %d goroutines, %s analysis",
			runtime.Version(), id[:6], m.Arch.N, m.Arch.M, L, concurrency, ran),
	}, nil
}

func (c *aezipCodec) Name() string       { return c.name }
func (c *aezipCodec) Version() string    { return c.version }
func (c *aezipCodec) Settings() []string { return c.settings }

func (c *aezipCodec) Encode(src *Source, setting string) ([]byte, time.Duration, error) {
	q, err := strconv.ParseFloat(setting, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("bench: aezip setting %q is not a quality 0..100", setting)
	}
	var buf bytes.Buffer
	d, err := timed(func() error {
		return codec.Encode(&buf, src.Image, codec.WithQuality(q), codec.WithModel(c.m),
			codec.WithConcurrency(c.concurrency), codec.WithPrecision(c.precision))
	})
	return buf.Bytes(), d, err
}

func (c *aezipCodec) Decode(data []byte) (image.Image, time.Duration, error) {
	var m image.Image
	d, err := timed(func() error {
		dec, err := codec.NewDecoder(bytes.NewReader(data), codec.WithDecoderModel(c.m),
			codec.WithDecoderConcurrency(c.concurrency))
		if err != nil {
			return err
		}
		m, err = dec.Decode()
		return err
	})
	return m, d, err
}
