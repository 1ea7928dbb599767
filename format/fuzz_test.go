// This file holds the fuzz targets of the container reader.

package format

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzLimits keep a fuzzed file's memory small whatever it declares.
var fuzzLimits = Limits{MaxPixels: 1 << 20, MaxChunkBytes: 1 << 20, MaxTotalBytes: 4 << 20}

// addSeeds adds valid files, and files of a later minor version, to f.
func addSeeds(f *testing.F) {
	for _, file := range []*File{sampleFile(), richFile()} {
		var buf bytes.Buffer
		if err := Write(&buf, file); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.aez"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(build(1, 2, rawChunk{t: "AHDR", d: append(hdr(nil), 1, 2)}, rawChunk{t: "nEwx", d: []byte("x")}, okTile, okEnd))
	f.Add(build(1, 0, rawChunk{t: "AHDR", d: hdr(func(h *Header) { h.ColorType = GrayAlpha })},
		rawChunk{t: "ALPH", d: []byte{1}}, rawChunk{t: "exif", d: []byte{2}}, okTile, okEnd))
	f.Add([]byte(Magic))
	f.Add([]byte{})
}

// FuzzReadHeader checks that ReadHeader never panics, that a header it
// accepts is valid and within the limits, and that it consumes exactly the
// preamble and the header chunk.
func FuzzReadHeader(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		h, err := ReadHeader(r, fuzzLimits)
		if err != nil {
			return
		}
		if err := h.validate(); err != nil {
			t.Fatalf("accepted invalid header %+v: %v", h, err)
		}
		if int64(h.Width)*int64(h.Height) > fuzzLimits.MaxPixels {
			t.Fatalf("accepted %dx%d over the pixel limit", h.Width, h.Height)
		}
		used := len(in) - r.Len()
		hl := int(binary.BigEndian.Uint32(in[preambleLen:]))
		if used != preambleLen+chunkOverhead+hl {
			t.Fatalf("consumed %d bytes, header chunk ends at %d", used, preambleLen+chunkOverhead+hl)
		}
		got, err := parseHeader(appendHeader(nil, &h))
		if err != nil || got != h {
			t.Fatalf("header round trip: %+v, %v; want %+v", got, err, h)
		}
	})
}

// FuzzRead checks that Read never panics, that a file it accepts can be
// written back and read again unchanged, that it stops right after the end
// chunk, and that ReadHeader agrees with it.
func FuzzRead(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		file, err := Read(r, fuzzLimits)
		if err != nil {
			if file != nil {
				t.Fatal("file returned with an error")
			}
			return
		}
		used := len(in) - r.Len()
		if used < preambleLen+3*chunkOverhead || string(in[used-8:used-4]) != "AEND" {
			t.Fatalf("stopped at %d, not after an end chunk", used)
		}
		h, err := ReadHeader(bytes.NewReader(in), fuzzLimits)
		if err != nil || h != file.Header {
			t.Fatalf("ReadHeader: %+v, %v; Read: %+v", h, err, file.Header)
		}
		// Two copies in a row read as two frames.
		r2 := bytes.NewReader(append(append([]byte(nil), in[:used]...), in[:used]...))
		for i := range 2 {
			g, err := Read(r2, fuzzLimits)
			if err != nil || !reflect.DeepEqual(g, file) {
				t.Fatalf("frame %d of a doubled file: %v", i, err)
			}
		}
		var buf bytes.Buffer
		if err := Write(&buf, file); err != nil {
			t.Fatalf("cannot write back an accepted file: %v", err)
		}
		again, err := Read(&buf, fuzzLimits)
		if err != nil {
			t.Fatalf("cannot read back a written file: %v", err)
		}
		if !reflect.DeepEqual(again, file) {
			t.Fatalf("write/read changed the file:\n got %+v\nwant %+v", again, file)
		}
	})
}
