// This file implements writing a file, as specified in docs/spec.md §2.

package format

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Write writes f to w as one aezip file of version [Major].[Minor]. It is
// [File.WriteTo] without the byte count.
func Write(w io.Writer, f *File) error {
	_, err := f.WriteTo(w)
	return err
}

// WriteTo writes f to w as one aezip file of version [Major].[Minor] and
// returns the number of bytes written. It checks f first and returns a
// [FormatError], having written nothing, when f breaks a rule of the format.
// Chunks are written in the order AHDR, iccp, exif, xmpd, the unknown
// ancillary chunks, ALPH, the TILE chunks and AEND; empty ICC, EXIF and XMP
// are omitted. w is written in several small pieces, so a buffered writer
// helps when w is a file or a connection.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	if err := f.validate(); err != nil {
		return 0, err
	}
	version := []byte{Major, Minor}
	total := int64(0)
	k, err := io.WriteString(w, Magic)
	total += int64(k)
	if err != nil {
		return total, err
	}
	k, err = w.Write(version)
	total += int64(k)
	if err != nil {
		return total, err
	}
	put := func(vb []byte, t ChunkType, parts ...[]byte) {
		if err != nil {
			return
		}
		var n int64
		n, err = writeChunk(w, vb, t, parts...)
		total += n
	}
	put(version, typeHeader, appendHeader(make([]byte, 0, headerLen), &f.Header))
	if len(f.ICC) > 0 {
		put(nil, typeICC, f.ICC)
	}
	if len(f.EXIF) > 0 {
		put(nil, typeEXIF, f.EXIF)
	}
	if len(f.XMP) > 0 {
		put(nil, typeXMP, f.XMP)
	}
	for _, c := range f.Unknown {
		put(nil, c.Type, c.Data)
	}
	if len(f.Alpha) > 0 {
		put(nil, typeAlpha, f.Alpha)
	}
	var fixed [tileFixedLen]byte
	for i := range f.Tiles {
		t := &f.Tiles[i]
		be := binary.BigEndian
		be.PutUint32(fixed[0:], uint32(i))
		be.PutUint32(fixed[4:], uint32(t.HY))
		be.PutUint32(fixed[8:], uint32(t.WY))
		be.PutUint32(fixed[12:], uint32(t.HZ))
		be.PutUint32(fixed[16:], uint32(t.WZ))
		be.PutUint32(fixed[20:], uint32(len(t.Hyper)))
		put(nil, typeTile, fixed[:], t.Hyper, t.Latent)
	}
	put(nil, typeEnd)
	return total, err
}

// validate checks that f can be written as a valid file.
func (f *File) validate() error {
	h := &f.Header
	if err := h.validate(); err != nil {
		return err
	}
	if n := h.TileCount(); len(f.Tiles) != n {
		return FormatError(fmt.Sprintf("%d tiles for a grid of %d", len(f.Tiles), n))
	}
	for i := range f.Tiles {
		t := &f.Tiles[i]
		if !latentSizeOK(t.HY, t.WY) || !latentSizeOK(t.HZ, t.WZ) {
			return FormatError(fmt.Sprintf("tile %d: latent size y %dx%d z %dx%d out of range", i, t.HY, t.WY, t.HZ, t.WZ))
		}
		if int64(len(t.Hyper))+int64(len(t.Latent)) > MaxChunkLen-tileFixedLen {
			return FormatError(fmt.Sprintf("tile %d: payload too long", i))
		}
	}
	if h.ColorType.HasAlpha() != (len(f.Alpha) > 0) {
		return FormatError(fmt.Sprintf("alpha plane of %d bytes for colour type %v", len(f.Alpha), h.ColorType))
	}
	for _, d := range [][]byte{f.Alpha, f.ICC, f.EXIF, f.XMP} {
		if int64(len(d)) > MaxChunkLen {
			return FormatError("chunk too long")
		}
	}
	for _, c := range f.Unknown {
		switch {
		case !c.Type.Valid():
			return FormatError(fmt.Sprintf("invalid chunk type %q", c.Type[:]))
		case c.Type.Critical():
			return FormatError(fmt.Sprintf("unknown chunk %q is critical", c.Type[:]))
		case known(c.Type):
			return FormatError(fmt.Sprintf("chunk %q is not unknown", c.Type[:]))
		case int64(len(c.Data)) > MaxChunkLen:
			return FormatError("chunk too long")
		}
	}
	return nil
}

// latentSizeOK reports whether h×w is a valid latent spatial size.
func latentSizeOK(h, w int) bool {
	return h >= 1 && h <= MaxDimension && w >= 1 && w <= MaxDimension
}
