// This file implements the adapter between the runner and this module's own
// codec package, as specified in docs/spec.md §8.

package conformance

import (
	"bytes"
	"errors"
	"image"
	"io"
	"sync"

	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/format"
	"github.com/aezip/aezip/model"
)

// AezipDecoder is the [Decoder] (and [LatentDecoder] and
// [MetadataDecoder]) for package codec. The zero value is ready to use; it
// caches the models it loads, keyed by their bytes.
type AezipDecoder struct {
	models sync.Map // string(model file) → *model.Model
}

func (d *AezipDecoder) model(b []byte) (*model.Model, error) {
	if m, ok := d.models.Load(string(b)); ok {
		return m.(*model.Model), nil
	}
	m, err := model.Load(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	d.models.Store(string(b), m)
	return m, nil
}

// Decode decodes file with codec.NewDecoder and the model file mfile.
func (d *AezipDecoder) Decode(file, mfile []byte) (image.Image, error) {
	m, err := d.model(mfile)
	if err != nil {
		return nil, err
	}
	dec, err := codec.NewDecoder(bytes.NewReader(file), codec.WithDecoderModel(m))
	if err != nil {
		return nil, err
	}
	img, err := dec.Decode()
	if err == io.EOF {
		// One image was asked for: an empty input is a truncated file.
		err = io.ErrUnexpectedEOF
	}
	return img, err
}

// DecodeLatents decodes the integers of file with [codec.DecodeLatents].
func (d *AezipDecoder) DecodeLatents(file, mfile []byte) ([]TileLatents, error) {
	m, err := d.model(mfile)
	if err != nil {
		return nil, err
	}
	l, err := codec.DecodeLatents(bytes.NewReader(file), codec.WithDecoderModel(m))
	if err != nil {
		return nil, err
	}
	out := make([]TileLatents, len(l.Tiles))
	for i, t := range l.Tiles {
		k := make([]int32, len(t.Scales))
		for j, v := range t.Scales {
			k[j] = int32(v)
		}
		out[i] = TileLatents{Z: t.Z, Symbols: t.Symbols, Means: t.Means, Scales: k}
	}
	return out, nil
}

// Metadata returns the ICC profile, EXIF and XMP data of file, read with
// package format.
func (d *AezipDecoder) Metadata(file []byte) (icc, exif, xmp []byte, err error) {
	f, err := format.Read(bytes.NewReader(file), format.Limits{})
	if err != nil {
		return nil, nil, nil, err
	}
	return f.ICC, f.EXIF, f.XMP, nil
}

// Class maps the errors of package codec (and format) to their classes.
func (d *AezipDecoder) Class(err error) ErrorClass {
	var (
		fe format.FormatError
		ue format.UnsupportedError
		ce *codec.CorruptInputError
	)
	switch {
	case err == nil:
		return None
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Truncated
	case errors.Is(err, codec.ErrChecksum):
		return Checksum
	case errors.Is(err, codec.ErrTooLarge):
		return TooLarge
	case errors.Is(err, codec.ErrModelMismatch):
		return ModelMismatch
	case errors.As(err, &ue):
		return Unsupported
	case errors.As(err, &fe):
		return Format
	case errors.As(err, &ce):
		return Corrupt
	}
	return Other
}
