// This file implements chunk framing (length, type, data, CRC-32C) and the
// chunk type rules, as specified in docs/spec.md §2.3.

package format

import (
	"encoding/binary"
	"hash/crc32"
	"io"
)

// A ChunkType is the 4-byte type of a chunk. Each byte is an ASCII letter; the
// case of the first letter says whether the chunk is critical (upper case) or
// ancillary (lower case).
type ChunkType [4]byte

// Critical reports whether a reader that does not know t must refuse the file
// (true) or may skip the chunk (false).
func (t ChunkType) Critical() bool { return t[0]&0x20 == 0 }

// Valid reports whether every byte of t is an ASCII letter.
func (t ChunkType) Valid() bool {
	for _, c := range t {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

func (t ChunkType) String() string { return string(t[:]) }

// The chunk types of version 1.0.
var (
	typeHeader = ChunkType{'A', 'H', 'D', 'R'} // critical, first
	typeTile   = ChunkType{'T', 'I', 'L', 'E'} // critical, one per tile
	typeAlpha  = ChunkType{'A', 'L', 'P', 'H'} // critical, iff the colour type has alpha
	typeEnd    = ChunkType{'A', 'E', 'N', 'D'} // critical, last
	typeICC    = ChunkType{'i', 'c', 'c', 'p'} // ancillary
	typeEXIF   = ChunkType{'e', 'x', 'i', 'f'} // ancillary
	typeXMP    = ChunkType{'x', 'm', 'p', 'd'} // ancillary
)

// known reports whether t is a chunk type defined by version 1.0.
func known(t ChunkType) bool {
	switch t {
	case typeHeader, typeTile, typeAlpha, typeEnd, typeICC, typeEXIF, typeXMP:
		return true
	}
	return false
}

// A Chunk is a chunk that this package does not interpret: an ancillary chunk
// of a later minor version, kept so that tools can inspect it.
type Chunk struct {
	Type ChunkType
	Data []byte
}

// chunkOverhead is the length, type and CRC fields around a chunk's data.
const chunkOverhead = 12

// castagnoli is the CRC-32C table used by every chunk.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// writeChunk writes one chunk whose data is the concatenation of parts. The
// caller has checked that the total length is at most MaxChunkLen.
// The version bytes vb, when not nil, are fed to the CRC before the type (the
// AHDR rule of §2.4) but are not written here.
func writeChunk(w io.Writer, vb []byte, t ChunkType, parts ...[]byte) (int64, error) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(n))
	copy(hdr[4:], t[:])
	crc := crc32.Update(0, castagnoli, vb)
	crc = crc32.Update(crc, castagnoli, hdr[4:])
	for _, p := range parts {
		crc = crc32.Update(crc, castagnoli, p)
	}
	var written int64
	k, err := w.Write(hdr[:])
	written += int64(k)
	if err != nil {
		return written, err
	}
	for _, p := range parts {
		if len(p) == 0 {
			continue
		}
		k, err = w.Write(p)
		written += int64(k)
		if err != nil {
			return written, err
		}
	}
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc)
	k, err = w.Write(tail[:])
	written += int64(k)
	return written, err
}
