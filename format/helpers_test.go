// This file holds helpers shared by the tests: sample files and a raw chunk
// builder that is independent of the writer.

package format

import (
	"encoding/binary"
	"hash/crc32"
)

// sampleHeader is a valid one-tile RGB header.
func sampleHeader() Header {
	h := Header{Width: 5, Height: 3, ColorType: RGB, Quality: 7500, M: 192, N: 128}
	for i := range h.ModelID {
		h.ModelID[i] = byte(i)
	}
	return h
}

// sampleFile is a valid one-tile RGB file with a tiny payload.
func sampleFile() *File {
	return &File{
		Header: sampleHeader(),
		Tiles:  []Tile{{HY: 4, WY: 4, HZ: 1, WZ: 1, Hyper: []byte("zz"), Latent: []byte("yyyy")}},
	}
}

// richFile is a valid tiled RGBA file using every chunk type of version 1.0.
func richFile() *File {
	h := sampleHeader()
	h.Width, h.Height, h.ColorType = 130, 70, RGBA
	h.TileWidth, h.TileHeight = 64, 64 // 3×2 tiles
	f := &File{
		Header: h,
		Alpha:  []byte{1, 2, 3},
		ICC:    []byte("icc profile"),
		EXIF:   []byte("MM\x00\x2a\x00\x00\x00\x08"),
		XMP:    []byte("<x:xmpmeta/>"),
		Unknown: []Chunk{
			{Type: ChunkType{'f', 'u', 't', 'r'}, Data: []byte("later")},
			{Type: ChunkType{'e', 'm', 'p', 't'}, Data: []byte{}},
		},
	}
	for i := range h.TileCount() {
		r := h.TileBounds(i)
		f.Tiles = append(f.Tiles, Tile{
			HY: max(r.Dy()/16, 1), WY: max(r.Dx()/16, 1), HZ: 1, WZ: 1,
			Hyper: []byte{byte(i)}, Latent: []byte{byte(i), 0xff, byte(i)},
		})
	}
	return f
}

// rawChunk describes one chunk for build; crc, when non-nil, replaces the
// correct CRC and length, when non-nil, replaces the true data length.
type rawChunk struct {
	t      string
	d      []byte
	crc    *uint32
	length *uint32
}

// build assembles a file from a version and raw chunks, computing CRCs as the
// spec says (the first AHDR's CRC covers the version bytes).
func build(major, minor byte, chunks ...rawChunk) []byte {
	b := append([]byte(Magic), major, minor)
	for i, c := range chunks {
		n := uint32(len(c.d))
		if c.length != nil {
			n = *c.length
		}
		b = binary.BigEndian.AppendUint32(b, n)
		b = append(b, c.t...)
		b = append(b, c.d...)
		tab := crc32.MakeTable(crc32.Castagnoli)
		var in []byte
		if i == 0 && c.t == "AHDR" {
			in = append(in, major, minor)
		}
		in = append(append(in, c.t...), c.d...)
		crc := crc32.Checksum(in, tab)
		if c.crc != nil {
			crc = *c.crc
		}
		b = binary.BigEndian.AppendUint32(b, crc)
	}
	return b
}

// hdr returns AHDR data for sampleHeader after mod has changed it, written
// field by field from the spec's table rather than by appendHeader.
func hdr(mod func(*Header)) []byte {
	h := sampleHeader()
	if mod != nil {
		mod(&h)
	}
	be := binary.BigEndian
	var b []byte
	b = be.AppendUint32(b, uint32(h.Width))
	b = be.AppendUint32(b, uint32(h.Height))
	b = append(b, byte(h.ColorType), 8)
	b = be.AppendUint16(b, h.Quality)
	b = append(b, h.ModelID[:]...)
	b = be.AppendUint16(b, uint16(h.M))
	b = be.AppendUint16(b, uint16(h.N))
	b = be.AppendUint32(b, uint32(h.TileWidth))
	b = be.AppendUint32(b, uint32(h.TileHeight))
	return b
}

// tile returns TILE data.
func tile(idx, hy, wy, hz, wz uint32, hyper, latent string) []byte {
	be := binary.BigEndian
	var b []byte
	for _, v := range []uint32{idx, hy, wy, hz, wz, uint32(len(hyper))} {
		b = be.AppendUint32(b, v)
	}
	return append(append(b, hyper...), latent...)
}

func u32(v uint32) *uint32 { return &v }

// Common chunks.
var (
	okHdr  = rawChunk{t: "AHDR", d: hdr(nil)}
	okTile = rawChunk{t: "TILE", d: tile(0, 4, 4, 1, 1, "zz", "yyyy")}
	okEnd  = rawChunk{t: "AEND"}
)
