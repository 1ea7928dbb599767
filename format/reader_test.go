// This file tests reading: every error path, truncation, limits, forward
// compatibility and frame streams.

package format

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"runtime"
	"testing"
	"testing/iotest"
)

type errKind int

const (
	kFormat errKind = iota
	kUnsupported
	kChecksum
	kTooLarge
	kUnexpectedEOF
	kEOF
)

func checkKind(t *testing.T, err error, want errKind) {
	t.Helper()
	var fe FormatError
	var ue UnsupportedError
	ok := false
	switch want {
	case kFormat:
		ok = errors.As(err, &fe)
	case kUnsupported:
		ok = errors.As(err, &ue)
	case kChecksum:
		ok = errors.Is(err, ErrChecksum)
	case kTooLarge:
		ok = errors.Is(err, ErrTooLarge)
	case kUnexpectedEOF:
		ok = err == io.ErrUnexpectedEOF
	case kEOF:
		ok = err == io.EOF
	}
	if !ok {
		t.Fatalf("got error %v (%T), want kind %d", err, err, want)
	}
}

func TestReadErrors(t *testing.T) {
	valid := build(1, 0, okHdr, okTile, okEnd)
	rgba := func(h *Header) { h.ColorType = RGBA }
	alpha := rawChunk{t: "ALPH", d: []byte{9}}
	tests := []struct {
		name string
		in   []byte
		lim  Limits
		want errKind
	}{
		{"empty", nil, Limits{}, kEOF},
		{"partial signature", []byte(Magic[:3]), Limits{}, kUnexpectedEOF},
		{"signature only", []byte(Magic), Limits{}, kUnexpectedEOF},
		{"no version minor", []byte(Magic + "\x01"), Limits{}, kUnexpectedEOF},
		{"not aezip", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), Limits{}, kFormat},
		{"short text", []byte("ab"), Limits{}, kFormat},
		{"CRLF to LF", append([]byte("\x8eAEZ\n\x1a\n\x01\x00"), valid[10:]...), Limits{}, kFormat},
		{"LF to CRLF", append([]byte("\x8eAEZ\r\n\x1a\r\n\x01\x00"), valid[10:]...), Limits{}, kFormat},
		{"high bit stripped", append([]byte{0x0e}, valid[1:]...), Limits{}, kFormat},
		{"major 2", build(2, 0, okHdr, okTile, okEnd), Limits{}, kUnsupported},
		{"major 0", build(0, 0, okHdr, okTile, okEnd), Limits{}, kUnsupported},
		{"version only", build(1, 0), Limits{}, kUnexpectedEOF},
		{"first chunk not AHDR", build(1, 0, okTile, okHdr, okEnd), Limits{}, kFormat},
		{"header too short", build(1, 0, rawChunk{t: "AHDR", d: hdr(nil)[:39]}, okTile, okEnd), Limits{}, kFormat},
		{"header too long for minor 0", build(1, 0, rawChunk{t: "AHDR", d: append(hdr(nil), 0)}, okTile, okEnd), Limits{}, kFormat},
		{"header over hard limit", build(1, 5, rawChunk{t: "AHDR", d: make([]byte, 1025)}, okTile, okEnd), Limits{}, kFormat},
		{"header crc", build(1, 0, rawChunk{t: "AHDR", d: hdr(nil), crc: u32(1)}, okTile, okEnd), Limits{}, kChecksum},
		{"header crc without version", func() []byte {
			b := build(1, 0, okHdr, okTile, okEnd)
			c := build(1, 0, rawChunk{t: "TILE", d: hdr(nil)}) // CRC over type+data only
			copy(b[10+4+4+40:], c[len(c)-4:])
			return b
		}(), Limits{}, kChecksum},
		{"version byte damaged", func() []byte { b := append([]byte(nil), valid...); b[9] = 1; return b }(), Limits{}, kChecksum},
		{"width 0", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.Width = 0 })}, okTile, okEnd), Limits{}, kFormat},
		{"height 0", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.Height = 0 })}, okTile, okEnd), Limits{}, kFormat},
		{"width over max", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.Width = MaxDimension + 1 })}, okTile, okEnd), Limits{MaxPixels: -1}, kFormat},
		{"colour type 3", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.ColorType = 3 })}, okTile, okEnd), Limits{}, kFormat},
		{"bit depth 16", func() []byte { d := hdr(nil); d[9] = 16; return build(1, 0, rawChunk{t: "AHDR", d: d}, okTile, okEnd) }(), Limits{}, kUnsupported},
		{"bad colour and depth", func() []byte {
			d := hdr(nil)
			d[8], d[9] = 7, 16
			return build(1, 0, rawChunk{t: "AHDR", d: d}, okTile, okEnd)
		}(), Limits{}, kFormat},
		{"quality 10001", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.Quality = 10001 })}, okTile, okEnd), Limits{}, kFormat},
		{"M 0", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.M = 0 })}, okTile, okEnd), Limits{}, kFormat},
		{"N 0", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.N = 0 })}, okTile, okEnd), Limits{}, kFormat},
		{"tile width only", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.TileHeight = 64 })}, okTile, okEnd), Limits{}, kFormat},
		{"tile over max", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.TileWidth, h.TileHeight = 1, MaxDimension+1 })}, okTile, okEnd), Limits{}, kFormat},
		{"too many tiles", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.Width, h.Height, h.TileWidth, h.TileHeight = 300, 300, 1, 1 })}, okTile, okEnd), Limits{}, kFormat},
		{"pixels over limit", valid, Limits{MaxPixels: 14}, kTooLarge},
		{"pixels over default", build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.Width, h.Height = 1<<15, 1<<13+1 })}, okTile, okEnd), Limits{}, kTooLarge},
		{"chunk over limit", valid, Limits{MaxChunkBytes: 39}, kTooLarge},
		{"file over limit", valid, Limits{MaxTotalBytes: int64(len(valid)) - 1}, kTooLarge},
		{"chunk over hard max", build(1, 0, okHdr, rawChunk{t: "TILE", length: u32(1 << 31)}), Limits{MaxChunkBytes: -1, MaxTotalBytes: -1}, kFormat},
		{"chunk type digit", build(1, 0, okHdr, rawChunk{t: "TI1E", d: okTile.d}, okEnd), Limits{}, kFormat},
		{"chunk type space", build(1, 0, okHdr, rawChunk{t: "xmp ", d: []byte("x")}, okTile, okEnd), Limits{}, kFormat},
		{"duplicate AHDR", build(1, 0, okHdr, okHdr, okTile, okEnd), Limits{}, kFormat},
		{"tile too short", build(1, 0, okHdr, rawChunk{t: "TILE", d: tile(0, 1, 1, 1, 1, "", "")[:23]}, okEnd), Limits{}, kFormat},
		{"tile index 1", build(1, 0, okHdr, rawChunk{t: "TILE", d: tile(1, 1, 1, 1, 1, "", "")}, okEnd), Limits{}, kFormat},
		{"extra tile", build(1, 0, okHdr, okTile, rawChunk{t: "TILE", d: tile(1, 1, 1, 1, 1, "", "")}, okEnd), Limits{}, kFormat},
		{"tile repeated", build(1, 0, okHdr, okTile, okTile, okEnd), Limits{}, kFormat},
		{"tile HY 0", build(1, 0, okHdr, rawChunk{t: "TILE", d: tile(0, 0, 1, 1, 1, "", "")}, okEnd), Limits{}, kFormat},
		{"tile WZ over max", build(1, 0, okHdr, rawChunk{t: "TILE", d: tile(0, 1, 1, 1, MaxDimension+1, "", "")}, okEnd), Limits{}, kFormat},
		{"hyper length over chunk", func() []byte {
			d := tile(0, 1, 1, 1, 1, "ab", "")
			d[23] = 3
			return build(1, 0, okHdr, rawChunk{t: "TILE", d: d}, okEnd)
		}(), Limits{}, kFormat},
		{"hyper length huge", func() []byte {
			d := tile(0, 1, 1, 1, 1, "ab", "")
			copy(d[20:], []byte{0xff, 0xff, 0xff, 0xff})
			return build(1, 0, okHdr, rawChunk{t: "TILE", d: d}, okEnd)
		}(), Limits{}, kFormat},
		{"tile crc", build(1, 0, okHdr, rawChunk{t: "TILE", d: okTile.d, crc: u32(0)}, okEnd), Limits{}, kChecksum},
		{"type case flipped", func() []byte {
			// A bit error that makes TILE look ancillary is caught by the CRC.
			b := append([]byte(nil), valid...)
			b[10+52+4+3] |= 0x20
			return b
		}(), Limits{}, kChecksum},
		{"alpha on rgb", build(1, 0, okHdr, alpha, okTile, okEnd), Limits{}, kFormat},
		{"alpha duplicate", build(1, 0, rawChunk{t: "AHDR", d: hdr(rgba)}, alpha, alpha, okTile, okEnd), Limits{}, kFormat},
		{"alpha after tile", build(1, 0, rawChunk{t: "AHDR", d: hdr(rgba)}, okTile, alpha, okEnd), Limits{}, kFormat},
		{"alpha empty", build(1, 0, rawChunk{t: "AHDR", d: hdr(rgba)}, rawChunk{t: "ALPH"}, okTile, okEnd), Limits{}, kFormat},
		{"alpha missing", build(1, 0, rawChunk{t: "AHDR", d: hdr(rgba)}, okTile, okEnd), Limits{}, kFormat},
		{"icc duplicate", build(1, 0, okHdr, rawChunk{t: "iccp", d: []byte("a")}, okTile, rawChunk{t: "iccp", d: []byte("b")}, okEnd), Limits{}, kFormat},
		{"exif duplicate", build(1, 0, okHdr, rawChunk{t: "exif", d: []byte("a")}, rawChunk{t: "exif", d: []byte("a")}, okTile, okEnd), Limits{}, kFormat},
		{"xmp duplicate", build(1, 0, okHdr, rawChunk{t: "xmpd", d: []byte("a")}, okTile, rawChunk{t: "xmpd", d: []byte("a")}, okEnd), Limits{}, kFormat},
		{"icc empty", build(1, 0, okHdr, rawChunk{t: "iccp"}, okTile, okEnd), Limits{}, kFormat},
		{"end with data", build(1, 0, okHdr, okTile, rawChunk{t: "AEND", d: []byte{0}}), Limits{}, kFormat},
		{"end before tiles", build(1, 0, okHdr, okEnd, okTile), Limits{}, kFormat},
		{"unknown critical", build(1, 0, okHdr, rawChunk{t: "ABCD", d: []byte("x")}, okTile, okEnd), Limits{}, kUnsupported},
		{"unknown critical after tiles", build(1, 3, okHdr, okTile, rawChunk{t: "Zzzz"}, okEnd), Limits{}, kUnsupported},
		{"truncated header", valid[:30], Limits{}, kUnexpectedEOF},
		{"truncated chunk head", valid[:10+52+5], Limits{}, kUnexpectedEOF},
		{"truncated tile data", valid[:10+52+20], Limits{}, kUnexpectedEOF},
		{"truncated tile crc", valid[:10+52+12+30+2], Limits{}, kUnexpectedEOF},
		{"no end chunk", valid[:len(valid)-12], Limits{}, kUnexpectedEOF},
		{"truncated end crc", valid[:len(valid)-1], Limits{}, kUnexpectedEOF},
		{"declared huge, truncated", build(1, 0, okHdr, rawChunk{t: "TILE", length: u32(200 << 20), d: []byte("abc")}), Limits{}, kUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Read(bytes.NewReader(tc.in), tc.lim)
			if f != nil {
				t.Fatalf("got a file with error %v", err)
			}
			checkKind(t, err, tc.want)
		})
	}
	// The file the table mutates must itself be valid.
	if _, err := Read(bytes.NewReader(valid), Limits{}); err != nil {
		t.Fatal(err)
	}
}

func TestErrorStrings(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{FormatError("bad chunk length"), "aezip: invalid format: bad chunk length"},
		{UnsupportedError("major version 2"), "aezip: unsupported feature: major version 2"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	_, err := Read(bytes.NewReader(build(1, 0, okHdr, rawChunk{t: "TILE", d: okTile.d, crc: u32(0)})), Limits{})
	if want := "aezip: invalid checksum in TILE chunk at offset 62"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// TestReadPassesReaderError checks that an I/O error is returned unchanged.
func TestReadPassesReaderError(t *testing.T) {
	boom := errors.New("boom")
	valid := build(1, 0, okHdr, okTile, okEnd)
	for _, n := range []int{0, 5, 10, 40, len(valid) - 3} {
		r := io.MultiReader(bytes.NewReader(valid[:n]), iotest.ErrReader(boom))
		if _, err := Read(r, Limits{}); err != boom {
			t.Errorf("cut at %d: got %v, want %v", n, err, boom)
		}
	}
}

// TestReadTruncatedAllocation checks that a chunk declaring a huge length but
// holding few bytes costs memory in proportion to what was read.
func TestReadTruncatedAllocation(t *testing.T) {
	in := build(1, 0, okHdr, rawChunk{t: "TILE", length: u32(250 << 20), d: make([]byte, 1000)})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(bytes.NewReader(in), Limits{})
	runtime.ReadMemStats(&after)
	checkKind(t, err, kUnexpectedEOF)
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("allocated %d bytes for a 1000-byte truncated chunk", got)
	}
}

func TestReadEveryTruncation(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, richFile()); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	for n := 1; n < len(b); n++ {
		_, err := Read(bytes.NewReader(b[:n]), Limits{})
		if err != io.ErrUnexpectedEOF {
			t.Fatalf("cut at %d of %d: got %v, want io.ErrUnexpectedEOF", n, len(b), err)
		}
	}
}

func TestReadEveryBitFlip(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, richFile()); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	for i := range b {
		for bit := range 8 {
			c := append([]byte(nil), b...)
			c[i] ^= 1 << bit
			f, err := Read(bytes.NewReader(c), Limits{})
			if err == nil {
				t.Fatalf("flip of byte %d bit %d accepted: %+v", i, bit, f.Header)
			}
		}
	}
}

func TestReadOneByteAtATime(t *testing.T) {
	want := richFile()
	var buf bytes.Buffer
	if err := Write(&buf, want); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]io.Reader{
		"one byte": iotest.OneByteReader(bytes.NewReader(buf.Bytes())),
		"half":     iotest.HalfReader(bytes.NewReader(buf.Bytes())),
		"data+EOF": iotest.DataErrReader(bytes.NewReader(buf.Bytes())),
		"timeout":  iotest.TimeoutReader(iotest.OneByteReader(bytes.NewReader(buf.Bytes()))),
	} {
		got, err := Read(r, Limits{})
		if name == "timeout" {
			if err != iotest.ErrTimeout {
				t.Errorf("%s: got %v, want ErrTimeout", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
}

// TestFutureMinor reads a file as a later minor version could write it: a
// longer header and unknown ancillary chunks everywhere. It must decode; the
// same file with major 2, or with an unknown critical chunk, must not.
func TestFutureMinor(t *testing.T) {
	longHdr := rawChunk{t: "AHDR", d: append(hdr(nil), 1, 2, 3, 4, 5, 6, 7, 8)}
	anc := func(s string) rawChunk { return rawChunk{t: s, d: []byte("data of " + s)} }
	in := build(1, 7, longHdr, anc("bEfo"), rawChunk{t: "iccp", d: []byte("P")}, okTile, anc("aFTR"), anc("zzzz"), okEnd)
	f, err := Read(bytes.NewReader(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Header != sampleHeader() {
		t.Errorf("header %+v, want %+v", f.Header, sampleHeader())
	}
	var types []string
	for _, c := range f.Unknown {
		types = append(types, c.Type.String())
		if string(c.Data) != "data of "+c.Type.String() {
			t.Errorf("chunk %s data %q", c.Type, c.Data)
		}
	}
	if want := []string{"bEfo", "aFTR", "zzzz"}; !reflect.DeepEqual(types, want) {
		t.Errorf("unknown chunks %v, want %v", types, want)
	}
	if string(f.ICC) != "P" || len(f.Tiles) != 1 || string(f.Tiles[0].Latent) != "yyyy" {
		t.Errorf("file %+v", f)
	}
	z, err := NewDecoder(bytes.NewReader(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if ma, mi := z.Version(); ma != 1 || mi != 7 {
		t.Errorf("version %d.%d, want 1.7", ma, mi)
	}

	_, err = Read(bytes.NewReader(build(2, 0, okHdr, okTile, okEnd)), Limits{})
	checkKind(t, err, kUnsupported)
	_, err = Read(bytes.NewReader(build(1, 7, longHdr, rawChunk{t: "Newc", d: []byte{1}}, okTile, okEnd)), Limits{})
	checkKind(t, err, kUnsupported)
}

// TestFrameStream reads concatenated files from one reader and checks that
// each Read consumes exactly one file.
func TestFrameStream(t *testing.T) {
	files := []*File{sampleFile(), richFile(), sampleFile()}
	files[2].Header.Quality = 1
	var buf bytes.Buffer
	var ends []int
	for _, f := range files {
		if err := Write(&buf, f); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, buf.Len())
	}
	r := bytes.NewReader(buf.Bytes())
	for i, want := range files {
		got, err := Read(r, Limits{})
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("frame %d differs", i)
		}
		if off := buf.Len() - r.Len(); off != ends[i] {
			t.Errorf("frame %d: reader at %d, want %d", i, off, ends[i])
		}
	}
	if _, err := Read(r, Limits{}); err != io.EOF {
		t.Errorf("after the last frame: got %v, want io.EOF", err)
	}
	// A stream cut inside the second frame.
	r = bytes.NewReader(buf.Bytes()[:ends[0]+20])
	if _, err := Read(r, Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(r, Limits{}); err != io.ErrUnexpectedEOF {
		t.Errorf("cut frame: got %v, want io.ErrUnexpectedEOF", err)
	}
	// ReadHeader consumes only the preamble and the header.
	r = bytes.NewReader(buf.Bytes())
	h, err := ReadHeader(r, Limits{})
	if err != nil || h != files[0].Header {
		t.Fatalf("ReadHeader: %+v, %v", h, err)
	}
	if off := buf.Len() - r.Len(); off != preambleLen+chunkOverhead+headerLen {
		t.Errorf("ReadHeader consumed %d bytes", off)
	}
}

func TestDecoderTwoStep(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, richFile()); err != nil {
		t.Fatal(err)
	}
	z, err := NewDecoder(&buf, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if z.Header() != richFile().Header {
		t.Errorf("header %+v", z.Header())
	}
	if z.InputOffset() != int64(preambleLen+chunkOverhead+headerLen) {
		t.Errorf("offset %d after header", z.InputOffset())
	}
	if _, err := z.Decode(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes left", buf.Len())
	}
	if _, err := z.Decode(); err == nil {
		t.Error("second Decode succeeded")
	}
}

func TestLimitsResolve(t *testing.T) {
	got := Limits{MaxPixels: 5, MaxTotalBytes: -1}.resolve()
	if got.MaxPixels != 5 || got.MaxChunkBytes != DefaultLimits.MaxChunkBytes || got.MaxTotalBytes != 1<<63-1 {
		t.Errorf("resolve: %+v", got)
	}
	// A negative MaxPixels lets ReadHeader report any size within the hard limits.
	in := build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.Width, h.Height = MaxDimension, MaxDimension })})
	h, err := ReadHeader(bytes.NewReader(in), Limits{MaxPixels: -1})
	if err != nil || h.Width != MaxDimension {
		t.Errorf("ReadHeader: %+v, %v", h, err)
	}
	_, err = ReadHeader(bytes.NewReader(in), Limits{})
	checkKind(t, err, kTooLarge)
}

// TestManyUnknownChunks checks that a file made of many empty ancillary
// chunks is read but only MaxUnknown of them are kept.
func TestManyUnknownChunks(t *testing.T) {
	chunks := []rawChunk{okHdr}
	for range 3 * MaxUnknown {
		chunks = append(chunks, rawChunk{t: "junk"})
	}
	chunks = append(chunks, okTile, okEnd)
	f, err := Read(bytes.NewReader(build(1, 1, chunks...)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Unknown) != MaxUnknown {
		t.Errorf("kept %d unknown chunks, want %d", len(f.Unknown), MaxUnknown)
	}
}

func BenchmarkRead(b *testing.B) {
	f := sampleFile()
	f.Tiles[0].Latent = make([]byte, 1<<20)
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		b.Fatal(err)
	}
	in := buf.Bytes()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(in), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
