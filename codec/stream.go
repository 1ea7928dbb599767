// This file implements the streaming API, as specified in docs/spec.md §6
// (frame streams): an Encoder writes a sequence of images as concatenated
// aezip files, a Decoder reads them back one by one.
//
// Naming: Encoder and Decoder do not satisfy io.Writer/io.Reader (they move
// images, not bytes), so they take the encoding/json names. Writer and
// Reader (transcode.go) are the byte-level io.WriteCloser / io.Reader forms.

package codec

import (
	"bufio"
	"errors"
	"image"
	"io"
)

// Encoder writes a stream of images to an io.Writer, each as one complete
// aezip file; the stream is the concatenation of the files. Each Encode
// writes its whole file before returning, so nothing is buffered between
// calls and there is nothing to flush. An Encoder is not safe for
// concurrent use.
type Encoder struct {
	w      io.Writer
	opts   encoderOptions
	closed bool
}

// NewEncoder returns an Encoder writing to w. It fails only on an invalid
// option.
func NewEncoder(w io.Writer, opts ...EncoderOption) (*Encoder, error) {
	o, err := newEncoderOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Encoder{w: w, opts: o}, nil
}

// Encode writes m as the next file of the stream. After an error the
// stream may hold part of a file; the Encoder stays usable (after Reset for
// a fresh stream).
func (e *Encoder) Encode(m image.Image) error {
	if e.closed {
		return ErrClosed
	}
	return encode(e.w, m, &e.opts)
}

// Reset makes e write a new stream to w, keeping its options, and reopens a
// closed Encoder.
func (e *Encoder) Reset(w io.Writer) {
	e.w, e.closed = w, false
}

// Close ends the stream: later Encode calls fail with [ErrClosed]. It does
// not close the underlying writer; there is no trailer, so closing is
// optional.
func (e *Encoder) Close() error {
	e.closed = true
	return nil
}

// Decoder reads a stream of aezip files (one or more, concatenated) from an
// io.Reader and returns the images one by one. It reads the input through
// its own buffer, so it may read past the last file it returned; give the
// whole stream to one Decoder. A Decoder is not safe for concurrent use.
//
// NewDecoder reads nothing, so that wrapping a network connection never
// blocks; the first Decode reads the first header.
type Decoder struct {
	br     *bufio.Reader
	opts   decoderOptions
	off    int64 // offset of the next file in the stream
	err    error // sticky error (not io.EOF)
	closed bool
}

// NewDecoder returns a Decoder reading from r. It fails only on an invalid
// option. NewDecoder(r, opts...).Decode() is the one-shot [Decode] with
// options.
func NewDecoder(r io.Reader, opts ...DecoderOption) (*Decoder, error) {
	o, err := newDecoderOptions(opts)
	if err != nil {
		return nil, err
	}
	d := &Decoder{opts: o}
	d.Reset(r)
	return d, nil
}

// Decode returns the next image of the stream, io.EOF when the stream ends
// cleanly after the last file, and io.ErrUnexpectedEOF when it ends inside
// a file. A decoding error is sticky: later calls return it too (the
// position of the next file is unknown after corrupt input), until Reset.
// Limit errors ([ErrTooLarge]) are reported before the image is
// allocated.
func (d *Decoder) Decode() (image.Image, error) {
	if d.closed {
		return nil, ErrClosed
	}
	if d.err != nil {
		return nil, d.err
	}
	if _, err := d.br.Peek(1); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		d.err = err
		return nil, err
	}
	cr := &countingReader{r: d.br}
	m, err := decodeFile(cr, d.off, &d.opts)
	d.off += cr.n
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		d.err = err
		return nil, err
	}
	return m, nil
}

// Reset makes d read a new stream from r, keeping its options; it clears
// a sticky error and reopens a closed Decoder.
func (d *Decoder) Reset(r io.Reader) {
	if d.br == nil {
		d.br = bufio.NewReader(r)
	} else {
		d.br.Reset(r)
	}
	d.off, d.err, d.closed = 0, nil, false
}

// Close makes later Decode calls fail with [ErrClosed]. It does not close
// the underlying reader.
func (d *Decoder) Close() error {
	d.closed = true
	return nil
}

// countingReader counts the bytes read, for error offsets and for the
// position of the next frame.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
