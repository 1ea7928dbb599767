// This file implements the byte-level streaming forms: Writer, an
// io.WriteCloser that takes the bytes of an image in any registered format
// (PNG, JPEG, GIF, ... as imported by the program) and writes it as aezip,
// and Reader, an io.Reader that turns aezip files into PNG bytes. They make
// io.Copy, io.Pipe and net.Conn plumbing work; see docs/spec.md §6.

package codec

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
)

// Writer is an io.WriteCloser that transcodes one image to aezip: the bytes
// written are a complete image file in any format registered with the image
// package (import image/png, image/jpeg, ... for those), and Close decodes
// it and writes it as one aezip file to the underlying writer. Image files
// carry no reliable end marker for every format, so one Writer holds one
// image; call Reset for the next. Close does not close the underlying
// writer. The input bytes are held in memory until Close (they are smaller
// than the decoded image).
type Writer struct {
	w      io.Writer
	opts   encoderOptions
	buf    bytes.Buffer
	closed bool
}

// NewWriter returns a Writer that writes aezip to w. It fails only on an
// invalid option.
func NewWriter(w io.Writer, opts ...EncoderOption) (*Writer, error) {
	o, err := newEncoderOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Writer{w: w, opts: o}, nil
}

// Write appends p to the image being received.
func (z *Writer) Write(p []byte) (int, error) {
	if z.closed {
		return 0, ErrClosed
	}
	return z.buf.Write(p)
}

// Close decodes the received image, refusing it with [ErrTooLarge] when it
// has more than [DefaultMaxPixels] pixels, and writes it as aezip to the
// underlying writer. Closing twice is a no-op.
func (z *Writer) Close() error {
	if z.closed {
		return nil
	}
	z.closed = true
	defer z.buf.Reset()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(z.buf.Bytes()))
	if err != nil {
		return fmt.Errorf("codec: reading source image: %w", err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > DefaultMaxPixels {
		return fmt.Errorf("%w: source is %d×%d", ErrTooLarge, cfg.Width, cfg.Height)
	}
	m, _, err := image.Decode(bytes.NewReader(z.buf.Bytes()))
	if err != nil {
		return fmt.Errorf("codec: reading source image: %w", err)
	}
	return encode(z.w, m, &z.opts)
}

// Reset discards any bytes received and makes z write its next image to w,
// keeping its options.
func (z *Writer) Reset(w io.Writer) {
	z.w, z.closed = w, false
	z.buf.Reset()
}

// Reader is an io.Reader that decodes a stream of aezip files from the
// underlying reader and yields each image as a PNG file; several images
// give concatenated PNG files, which png.Decode reads one at a time (it
// never reads past a file's end). It applies the decoder options to every
// image. Like [Decoder] it reads nothing until the first Read.
type Reader struct {
	d   *Decoder
	buf bytes.Buffer
	enc png.Encoder
	err error
}

// NewReader returns a Reader over r. It fails only on an invalid option.
func NewReader(r io.Reader, opts ...DecoderOption) (*Reader, error) {
	d, err := NewDecoder(r, opts...)
	if err != nil {
		return nil, err
	}
	return &Reader{d: d, enc: png.Encoder{CompressionLevel: png.BestSpeed}}, nil
}

// Read reads PNG bytes. It returns io.EOF after the PNG of the last image,
// and the decoding error of an image that fails instead of its bytes.
func (z *Reader) Read(p []byte) (int, error) {
	for z.buf.Len() == 0 {
		if z.err != nil {
			return 0, z.err
		}
		m, err := z.d.Decode()
		if err != nil {
			z.err = err
			continue
		}
		if err := z.enc.Encode(&z.buf, m); err != nil {
			z.err = err
		}
	}
	return z.buf.Read(p)
}

// Reset makes z read a new stream from r, keeping its options.
func (z *Reader) Reset(r io.Reader) {
	z.d.Reset(r)
	z.buf.Reset()
	z.err = nil
}

// Close makes later Read calls fail with [ErrClosed]. It does not close the
// underlying reader.
func (z *Reader) Close() error {
	z.d.Close()
	z.buf.Reset()
	z.err = ErrClosed
	return nil
}
