// This file implements a minimal container splitter and writer of its own
// (docs/spec.md §2.2, §2.3), independent of package format, with which the
// generator crafts future-version and invalid files.

package main

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type chunk struct {
	typ  string
	data []byte
}

// split cuts a well-formed file into its version bytes and chunks; CRCs
// are not checked (the input comes from the reference encoder).
func split(b []byte) (ver [2]byte, cs []chunk, err error) {
	if len(b) < 10 {
		return ver, nil, errors.New("short file")
	}
	copy(ver[:], b[8:10])
	for p := 10; p < len(b); {
		if p+8 > len(b) {
			return ver, nil, errors.New("short chunk")
		}
		n := int(binary.BigEndian.Uint32(b[p:]))
		if p+12+n > len(b) {
			return ver, nil, errors.New("short chunk data")
		}
		cs = append(cs, chunk{string(b[p+4 : p+8]), append([]byte(nil), b[p+8:p+8+n]...)})
		p += 12 + n
	}
	return ver, cs, nil
}

// join writes a file: the signature, ver, then every chunk with its
// CRC-32C (for AHDR over the version bytes, the type and the data).
func join(ver [2]byte, cs []chunk) []byte {
	b := []byte{0x8E, 'A', 'E', 'Z', 0x0D, 0x0A, 0x1A, 0x0A, ver[0], ver[1]}
	for _, c := range cs {
		b = binary.BigEndian.AppendUint32(b, uint32(len(c.data)))
		b = append(b, c.typ...)
		b = append(b, c.data...)
		var crc uint32
		if c.typ == "AHDR" {
			crc = crc32.Update(crc, castagnoli, ver[:])
		}
		crc = crc32.Update(crc, castagnoli, []byte(c.typ))
		crc = crc32.Update(crc, castagnoli, c.data)
		b = binary.BigEndian.AppendUint32(b, crc)
	}
	return b
}

// edit splits b, lets f change the version and chunks, and joins them
// with fresh CRCs.
func edit(b []byte, f func(ver *[2]byte, cs []chunk) []chunk) ([]byte, error) {
	ver, cs, err := split(b)
	if err != nil {
		return nil, err
	}
	cs = f(&ver, cs)
	return join(ver, cs), nil
}

// find returns the index of the first chunk of type t, or -1.
func find(cs []chunk, t string) int {
	for i, c := range cs {
		if c.typ == t {
			return i
		}
	}
	return -1
}

// insert returns cs with c inserted before index i.
func insert(cs []chunk, i int, c chunk) []chunk {
	out := append([]chunk(nil), cs[:i]...)
	out = append(out, c)
	return append(out, cs[i:]...)
}

// tileDataOffset returns the offset in the file b of the data of the first
// TILE chunk, and its length.
func tileDataOffset(b []byte) (off, n int) {
	for p := 10; p+8 <= len(b); {
		l := int(binary.BigEndian.Uint32(b[p:]))
		if string(b[p+4:p+8]) == "TILE" {
			return p + 8, l
		}
		p += 12 + l
	}
	return -1, 0
}
