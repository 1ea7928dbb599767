package codec

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frames returns a few small different images.
func frames(t *testing.T) []image.Image {
	k := kitten(t)
	var out []image.Image
	for i, sz := range [][2]int{{64, 48}, {1, 1}, {100, 37}} {
		m := image.NewRGBA(image.Rect(0, 0, sz[0], sz[1]))
		draw.Draw(m, m.Bounds(), k, image.Pt(20*i, 10*i), draw.Src)
		out = append(out, m)
	}
	return out
}

// sendFrames encodes ms to w with an Encoder, then closes it.
func sendFrames(t *testing.T, w io.Writer, ms []image.Image) error {
	e, err := NewEncoder(w, WithModel(tinyModel(t)), WithQuality(60))
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := e.Encode(m); err != nil {
			return err
		}
	}
	return e.Close()
}

// receiveFrames decodes every frame of r until io.EOF.
func receiveFrames(t *testing.T, r io.Reader) ([]image.Image, error) {
	d, err := NewDecoder(r, WithDecoderModel(tinyModel(t)))
	require.NoError(t, err)
	defer d.Close()
	var out []image.Image
	for {
		m, err := d.Decode()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

func checkFrames(t *testing.T, want, got []image.Image) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i].Bounds(), got[i].Bounds(), "frame %d", i)
	}
}

func TestFrameStreamBuffer(t *testing.T) {
	ms := frames(t)
	var buf bytes.Buffer
	require.NoError(t, sendFrames(t, &buf, ms))
	// The stream is the concatenation of the one-shot files.
	var cat []byte
	for _, m := range ms {
		cat = append(cat, encodeBytes(t, m, WithQuality(60))...)
	}
	assert.Equal(t, cat, buf.Bytes())
	got, err := receiveFrames(t, &buf)
	require.NoError(t, err)
	checkFrames(t, ms, got)
}

func TestFrameStreamPipe(t *testing.T) {
	ms := frames(t)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(sendFrames(t, pw, ms)) }()
	got, err := receiveFrames(t, pr)
	require.NoError(t, err)
	checkFrames(t, ms, got)
}

func TestFrameStreamTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	ms := frames(t)
	errc := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			errc <- err
			return
		}
		defer c.Close()
		errc <- sendFrames(t, c, ms)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	got, err := receiveFrames(t, c)
	require.NoError(t, err)
	require.NoError(t, <-errc)
	checkFrames(t, ms, got)
}

func TestFrameStreamTruncated(t *testing.T) {
	ms := frames(t)
	var buf bytes.Buffer
	require.NoError(t, sendFrames(t, &buf, ms))
	b := buf.Bytes()
	got, err := receiveFrames(t, bytes.NewReader(b[:len(b)-3]))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Len(t, got, len(ms)-1)
}

func TestEncoderDecoderCloseReset(t *testing.T) {
	m := frames(t)[0]
	var a, b bytes.Buffer
	e, err := NewEncoder(&a, WithModel(tinyModel(t)))
	require.NoError(t, err)
	require.NoError(t, e.Close())
	assert.ErrorIs(t, e.Encode(m), ErrClosed)
	e.Reset(&b)
	require.NoError(t, e.Encode(m))
	assert.Zero(t, a.Len())

	d, err := NewDecoder(&b, WithDecoderModel(tinyModel(t)))
	require.NoError(t, err)
	require.NoError(t, d.Close())
	_, err = d.Decode()
	assert.ErrorIs(t, err, ErrClosed)
	d.Reset(bytes.NewReader(b.Bytes()))
	_, err = d.Decode()
	assert.NoError(t, err)
	_, err = d.Decode()
	assert.Equal(t, io.EOF, err)
}

// TestWriterCopy transcodes PNG bytes to aezip through io.Copy and back to
// PNG through the Reader, over a pipe.
func TestWriterReaderCopy(t *testing.T) {
	k := kitten(t)
	var src bytes.Buffer
	require.NoError(t, png.Encode(&src, k))

	pr, pw := io.Pipe()
	go func() {
		z, err := NewWriter(pw, WithModel(tinyModel(t)))
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		if _, err := io.Copy(z, bytes.NewReader(src.Bytes())); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(z.Close())
	}()
	zr, err := NewReader(pr, WithDecoderModel(tinyModel(t)))
	require.NoError(t, err)
	var out bytes.Buffer
	_, err = io.Copy(&out, zr)
	require.NoError(t, err)
	m, err := png.Decode(&out)
	require.NoError(t, err)
	assert.Equal(t, k.Bounds(), m.Bounds())
	assert.Greater(t, psnr8(k, m), 14.0)
	assert.Zero(t, out.Len(), "one image, one PNG")
	require.NoError(t, zr.Close())
	_, err = zr.Read(make([]byte, 1))
	assert.ErrorIs(t, err, ErrClosed)

	// The Writer's output equals Encode's.
	var viaWriter bytes.Buffer
	z, err := NewWriter(&viaWriter, WithModel(tinyModel(t)))
	require.NoError(t, err)
	_, err = z.Write(src.Bytes())
	require.NoError(t, err)
	require.NoError(t, z.Close())
	assert.Equal(t, encodeBytes(t, k), viaWriter.Bytes())
	_, err = z.Write([]byte{1})
	assert.ErrorIs(t, err, ErrClosed)

	// Not an image.
	z.Reset(io.Discard)
	_, err = z.Write([]byte("hello"))
	require.NoError(t, err)
	assert.Error(t, z.Close())
}

// TestReaderSeveralFrames: several aezip frames become concatenated PNGs.
func TestReaderSeveralFrames(t *testing.T) {
	ms := frames(t)
	var buf bytes.Buffer
	require.NoError(t, sendFrames(t, &buf, ms))
	zr, err := NewReader(&buf, WithDecoderModel(tinyModel(t)))
	require.NoError(t, err)
	for i := range ms {
		m, err := png.Decode(zr)
		require.NoError(t, err, "frame %d", i)
		assert.Equal(t, ms[i].Bounds(), m.Bounds())
	}
	_, err = zr.Read(make([]byte, 1))
	assert.Equal(t, io.EOF, err)
}
