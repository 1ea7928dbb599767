// This file implements reading a file, as specified in docs/spec.md §2.

package format

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// Read reads one aezip file from r and consumes exactly its bytes: it never
// reads past the end chunk, so that the next file of a frame stream can follow.
// It returns [io.EOF] if r ends before the first byte, [io.ErrUnexpectedEOF] if
// it ends inside the file, and otherwise a [FormatError], an
// [UnsupportedError], an error wrapping [ErrChecksum] or [ErrTooLarge], or the
// error of r.
func Read(r io.Reader, lim Limits) (*File, error) {
	z, err := NewDecoder(r, lim)
	if err != nil {
		return nil, err
	}
	return z.Decode()
}

// ReadHeader reads the signature, the version and the header chunk of one
// file from r, enough for [image.DecodeConfig]. It consumes only those bytes
// and reports errors as [Read] does. Pass a negative [Limits.MaxPixels] to learn
// the size of an image however large it is.
func ReadHeader(r io.Reader, lim Limits) (Header, error) {
	z, err := NewDecoder(r, lim)
	if err != nil {
		return Header{}, err
	}
	return z.Header(), nil
}

// A Decoder reads one file in two steps: [NewDecoder] reads and checks the
// header, so that a caller can check the image size before going on, and
// [Decoder.Decode] reads the rest. It reads r with [io.ReadFull] in pieces no
// larger than needed and never reads past the end chunk; wrap an unbuffered r
// in a [bufio.Reader] (and keep using that one for the following frames).
// (It is not called Reader because it does not implement [io.Reader].)
type Decoder struct {
	r            io.Reader
	lim          Limits
	n            int64 // bytes consumed from r
	major, minor uint8
	hdr          Header
	done         bool
}

// NewDecoder reads the signature, the version and the header chunk of a file
// from r. It returns [io.EOF] if r is empty, and errors as [Read] otherwise.
func NewDecoder(r io.Reader, lim Limits) (*Decoder, error) {
	z := &Decoder{r: r, lim: lim.resolve()}
	if err := z.readPreamble(); err != nil {
		return nil, err
	}
	if err := z.readHeader(); err != nil {
		return nil, err
	}
	return z, nil
}

// Header returns the header of the file.
func (z *Decoder) Header() Header { return z.hdr }

// Version returns the version of the file. The major version is always
// [Major]; the minor version may be larger than [Minor].
func (z *Decoder) Version() (major, minor int) { return int(z.major), int(z.minor) }

// InputOffset returns the number of bytes read from the underlying reader,
// which is the offset in the file of the next byte to read.
func (z *Decoder) InputOffset() int64 { return z.n }

// readPreamble reads and checks the signature and the version bytes.
func (z *Decoder) readPreamble() error {
	var b [preambleLen]byte
	k, err := io.ReadFull(z.r, b[:])
	z.n += int64(k)
	sig := min(k, len(Magic))
	if string(b[:sig]) != Magic[:sig] {
		if sig >= 4 && string(b[:4]) == Magic[:4] {
			return FormatError("damaged signature (text-mode transfer?)")
		}
		return FormatError("not an aezip file")
	}
	if err != nil {
		// A clean io.EOF (no byte at all) ends a frame stream.
		return err
	}
	z.major, z.minor = b[len(Magic)], b[len(Magic)+1]
	if z.major != Major {
		return UnsupportedError(fmt.Sprintf("major version %d", z.major))
	}
	return nil
}

// readHeader reads the AHDR chunk, whose CRC also covers the version bytes.
func (z *Decoder) readHeader() error {
	t, length, err := z.readChunkHead()
	if err != nil {
		return err
	}
	switch {
	case t != typeHeader:
		return FormatError(fmt.Sprintf("first chunk is %q, not AHDR", t[:]))
	case length < headerLen, length > maxHeaderLen,
		length != headerLen && z.minor <= Minor:
		// Only a later minor version may append header fields.
		return FormatError(fmt.Sprintf("header length %d", length))
	}
	d, err := z.readChunkBody([]byte{z.major, z.minor}, t, length)
	if err != nil {
		return err
	}
	h, err := parseHeader(d)
	if err != nil {
		return err
	}
	if px := int64(h.Width) * int64(h.Height); px > z.lim.MaxPixels {
		return tooLarge("pixels", px, z.lim.MaxPixels)
	}
	z.hdr = h
	return nil
}

// readChunkHead reads a chunk's length and type and checks them against the
// hard limits and z.lim, before anything is allocated for the data.
func (z *Decoder) readChunkHead() (ChunkType, int64, error) {
	var b [8]byte
	if err := z.readFull(b[:]); err != nil {
		return ChunkType{}, 0, err
	}
	length := int64(binary.BigEndian.Uint32(b[:4]))
	t := ChunkType(b[4:])
	switch {
	case !t.Valid():
		return t, 0, FormatError(fmt.Sprintf("invalid chunk type %q", t[:]))
	case length > MaxChunkLen:
		return t, 0, FormatError(fmt.Sprintf("%s chunk length %d", t, length))
	case length > z.lim.MaxChunkBytes:
		return t, 0, tooLarge(t.String()+" chunk bytes", length, z.lim.MaxChunkBytes)
	}
	// The data and the CRC must fit the file limit; z.n never exceeds it.
	if end := z.n + length + 4; end > z.lim.MaxTotalBytes || end < 0 {
		return t, 0, tooLarge("file bytes", end, z.lim.MaxTotalBytes)
	}
	return t, length, nil
}

// readChunkBody reads length bytes of data and the CRC, and checks the CRC of
// vb, t and the data.
func (z *Decoder) readChunkBody(vb []byte, t ChunkType, length int64) ([]byte, error) {
	d, err := z.readData(int(length))
	if err != nil {
		return nil, err
	}
	var b [4]byte
	if err := z.readFull(b[:]); err != nil {
		return nil, err
	}
	crc := crc32.Update(0, castagnoli, vb)
	crc = crc32.Update(crc, castagnoli, t[:])
	crc = crc32.Update(crc, castagnoli, d)
	if got := binary.BigEndian.Uint32(b[:]); got != crc {
		return nil, fmt.Errorf("%w in %s chunk at offset %d", ErrChecksum, t, z.n-length-12)
	}
	return d, nil
}

// readData reads n bytes. Its buffer starts small and at most doubles as bytes
// arrive, so a truncated file whose chunk declares a huge length costs memory
// in proportion to the bytes actually read, not to the declared length.
func (z *Decoder) readData(n int) ([]byte, error) {
	const first = 64 << 10
	buf := make([]byte, 0, min(n, first))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(n-len(buf), len(buf)))
		}
		end := min(n, cap(buf))
		if err := z.readFull(buf[len(buf):end]); err != nil {
			return nil, err
		}
		buf = buf[:end]
	}
	return buf, nil
}

// readFull fills b from z.r; the end of input is unexpected here.
func (z *Decoder) readFull(b []byte) error {
	k, err := io.ReadFull(z.r, b)
	z.n += int64(k)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// Decode reads the chunks that follow the header, up to and including the
// end chunk, and returns the file. It may be called once; it reads nothing
// past the end chunk and reports errors as [Read] does.
func (z *Decoder) Decode() (*File, error) {
	if z.done {
		return nil, errors.New("aezip: Decode called twice")
	}
	z.done = true
	f := &File{Header: z.hdr}
	ntiles := z.hdr.TileCount()
	for {
		t, length, err := z.readChunkHead()
		if err != nil {
			return nil, err
		}
		d, err := z.readChunkBody(nil, t, length)
		if err != nil {
			return nil, err
		}
		switch t {
		case typeHeader:
			return nil, FormatError("duplicate AHDR chunk")
		case typeTile:
			if err := f.addTile(d, ntiles); err != nil {
				return nil, err
			}
		case typeAlpha:
			switch {
			case !z.hdr.ColorType.HasAlpha():
				return nil, FormatError("ALPH chunk for colour type " + z.hdr.ColorType.String())
			case f.Alpha != nil:
				return nil, FormatError("duplicate ALPH chunk")
			case len(f.Tiles) > 0:
				return nil, FormatError("ALPH chunk after TILE")
			case len(d) == 0:
				return nil, FormatError("empty ALPH chunk")
			}
			f.Alpha = d
		case typeICC, typeEXIF, typeXMP:
			p := &f.ICC
			if t == typeEXIF {
				p = &f.EXIF
			} else if t == typeXMP {
				p = &f.XMP
			}
			switch {
			case *p != nil:
				return nil, FormatError(fmt.Sprintf("duplicate %s chunk", t))
			case len(d) == 0:
				return nil, FormatError(fmt.Sprintf("empty %s chunk", t))
			}
			*p = d
		case typeEnd:
			switch {
			case len(d) != 0:
				return nil, FormatError("AEND chunk with data")
			case len(f.Tiles) != ntiles:
				return nil, FormatError(fmt.Sprintf("%d of %d tiles", len(f.Tiles), ntiles))
			case z.hdr.ColorType.HasAlpha() && f.Alpha == nil:
				return nil, FormatError("missing ALPH chunk")
			}
			return f, nil
		default:
			if t.Critical() {
				return nil, UnsupportedError(fmt.Sprintf("critical chunk %q", t[:]))
			}
			// Each kept chunk costs more memory than its 12 bytes of framing,
			// so only the first few are kept; the rest are checked and dropped.
			if len(f.Unknown) < MaxUnknown {
				f.Unknown = append(f.Unknown, Chunk{Type: t, Data: d})
			}
		}
	}
}

// addTile parses TILE data, which must hold the next tile in index order.
func (f *File) addTile(d []byte, ntiles int) error {
	if len(d) < tileFixedLen {
		return FormatError(fmt.Sprintf("TILE chunk length %d", len(d)))
	}
	be := binary.BigEndian
	idx := be.Uint32(d[0:])
	if int64(idx) != int64(len(f.Tiles)) || len(f.Tiles) >= ntiles {
		return FormatError(fmt.Sprintf("tile index %d, want %d of %d", idx, len(f.Tiles), ntiles))
	}
	var dims [4]int
	for i := range dims {
		v := be.Uint32(d[4+4*i:])
		if v < 1 || v > MaxDimension {
			return FormatError(fmt.Sprintf("tile %d: latent size %d out of range", idx, v))
		}
		dims[i] = int(v)
	}
	hl := int64(be.Uint32(d[20:]))
	if hl > int64(len(d)-tileFixedLen) {
		return FormatError(fmt.Sprintf("tile %d: hyper stream length %d exceeds chunk", idx, hl))
	}
	p := d[tileFixedLen:]
	// Full slice expressions keep an append to Hyper from overwriting Latent.
	f.Tiles = append(f.Tiles, Tile{
		HY: dims[0], WY: dims[1], HZ: dims[2], WZ: dims[3],
		Hyper:  p[:hl:hl],
		Latent: p[hl:],
	})
	return nil
}
