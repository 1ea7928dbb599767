// This file tests writing: round trips, the checks on invalid files and the
// golden files.

package format

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "update the golden files in testdata")

func TestRoundTrip(t *testing.T) {
	gray := sampleFile()
	gray.Header.ColorType = Gray
	ga := richFile()
	ga.Header.ColorType = GrayAlpha
	ga.Unknown = nil
	big := sampleFile()
	big.Tiles[0].Latent = bytes.Repeat([]byte{0xa5}, 300<<10) // several read steps
	big.Tiles[0].Hyper = bytes.Repeat([]byte{0x5a}, 70<<10)
	for name, f := range map[string]*File{
		"rgb": sampleFile(), "rich": richFile(), "gray": gray, "gray+alpha": ga, "big": big,
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := f.WriteTo(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(buf.Len()) {
				t.Errorf("WriteTo returned %d, wrote %d", n, buf.Len())
			}
			got, err := Read(&buf, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, f) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v", got, f)
			}
		})
	}
}

// TestRoundTripEmptyPayload checks that empty streams survive, and that an
// append to the read Hyper slice cannot overwrite Latent.
func TestRoundTripEmptyPayload(t *testing.T) {
	f := sampleFile()
	f.Tiles[0].Hyper, f.Tiles[0].Latent = nil, []byte("L")
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	tl := got.Tiles[0]
	if len(tl.Hyper) != 0 || string(tl.Latent) != "L" {
		t.Fatalf("tile %+v", tl)
	}
	_ = append(tl.Hyper, 'X')
	if string(tl.Latent) != "L" {
		t.Errorf("append to Hyper changed Latent to %q", tl.Latent)
	}
}

func TestWriteInvalid(t *testing.T) {
	tests := []struct {
		name string
		mod  func(f *File)
	}{
		{"width 0", func(f *File) { f.Header.Width = 0 }},
		{"height over max", func(f *File) { f.Header.Height = MaxDimension + 1 }},
		{"colour type 1", func(f *File) { f.Header.ColorType = 1 }},
		{"quality", func(f *File) { f.Header.Quality = MaxQuality + 1 }},
		{"M 0", func(f *File) { f.Header.M = 0 }},
		{"N 65536", func(f *File) { f.Header.N = 1 << 16 }},
		{"tile width only", func(f *File) { f.Header.TileWidth = 8 }},
		{"tile negative", func(f *File) { f.Header.TileWidth, f.Header.TileHeight = -1, -1 }},
		{"too many tiles", func(f *File) {
			f.Header.Width, f.Header.Height, f.Header.TileWidth, f.Header.TileHeight = 1000, 1000, 3, 3
		}},
		{"no tiles", func(f *File) { f.Tiles = nil }},
		{"two tiles for one", func(f *File) { f.Tiles = append(f.Tiles, f.Tiles[0]) }},
		{"latent HY 0", func(f *File) { f.Tiles[0].HY = 0 }},
		{"latent WZ over max", func(f *File) { f.Tiles[0].WZ = MaxDimension + 1 }},
		{"alpha on rgb", func(f *File) { f.Alpha = []byte{1} }},
		{"no alpha on rgba", func(f *File) { f.Header.ColorType = RGBA }},
		{"critical unknown", func(f *File) { f.Unknown = []Chunk{{Type: ChunkType{'A', 'b', 'c', 'd'}}} }},
		{"known as unknown", func(f *File) { f.Unknown = []Chunk{{Type: typeICC, Data: []byte{1}}} }},
		{"invalid type", func(f *File) { f.Unknown = []Chunk{{Type: ChunkType{'a', 'b', ' ', 'd'}}} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := sampleFile()
			tc.mod(f)
			var buf bytes.Buffer
			n, err := f.WriteTo(&buf)
			var fe FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a FormatError", err)
			}
			if n != 0 || buf.Len() != 0 {
				t.Errorf("wrote %d bytes of an invalid file", buf.Len())
			}
		})
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

var errWrite = errors.New("write failed")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errWrite
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	var buf bytes.Buffer
	f := richFile()
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	for n := range buf.Len() {
		got, err := f.WriteTo(&failWriter{n: n})
		if err != errWrite || got != int64(n) {
			t.Fatalf("fail at %d: got %d, %v", n, got, err)
		}
	}
}

// TestGolden compares the writer's output with files checked by hand against
// docs/spec.md §2 (the hex dump of rgb.aez is annotated there), and reads them
// back. Run with -update to rewrite them after a deliberate format change.
func TestGolden(t *testing.T) {
	for name, f := range map[string]*File{"rgb.aez": sampleFile(), "rgba-tiled.aez": richFile()} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("output differs from %s:\n got % x\nwant % x", path, buf.Bytes(), want)
			}
			got, err := Read(bytes.NewReader(want), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, f) {
				t.Errorf("reading %s: got %+v, want %+v", path, got, f)
			}
		})
	}
}

// TestGoldenByHand builds rgb.aez from the spec's field tables with the raw
// builder, which shares no code with the writer.
func TestGoldenByHand(t *testing.T) {
	want := build(1, 0, okHdr, okTile, okEnd)
	var buf bytes.Buffer
	if err := Write(&buf, sampleFile()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("writer % x\n  spec % x", buf.Bytes(), want)
	}
}

func BenchmarkWrite(b *testing.B) {
	f := sampleFile()
	f.Tiles[0].Latent = make([]byte, 1<<20)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Write(&buf, f); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
