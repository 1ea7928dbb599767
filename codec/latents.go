// This file implements DecodeLatents, which stops the decoding process of
// docs/spec.md §6 after the integer stages (§6.4, §6.5) and returns their
// results, so that conformance tests can compare them bit for bit.

package codec

import (
	"fmt"
	"io"

	"github.com/aezip/aezip/format"
)

// Latents is the integer state of one decoded file: everything that
// docs/spec.md requires to be identical in every conforming decoder (§6.1
// steps 1–4 up to the symbols).
type Latents struct {
	// Header is the file's header.
	Header format.Header
	// Tiles holds one entry per tile, in tile index order.
	Tiles []TileLatents
}

// TileLatents holds the integers of one tile. Every slice is in
// channel-major raster order (channel, then row, then column).
type TileLatents struct {
	// HZ and WZ are the spatial size of ẑ (N × HZ × WZ values); HY and WY
	// that of y (M × HY × WY values).
	HZ, WZ, HY, WY int
	// Z is the decoded hyper-latent ẑ (§6.4).
	Z []int32
	// Symbols are the decoded latent symbols s (§6.5).
	Symbols []int32
	// Means are the integer means μq of the hyper-synthesis (value
	// μq·2^-F).
	Means []int32
	// Scales are the scale indices k of the hyper-synthesis.
	Scales []uint8
}

// DecodeLatents reads one aezip file from r and returns its entropy-decoded
// integers (ẑ, the symbols, and the means and scale indices of the integer
// hyper-synthesis) without running the synthesis transform. It applies the
// same checks and limits as [Decode] with opts ([WithDecoderModel],
// [WithMaxPixels], [WithMaxMemory]) and returns the same errors; the alpha
// plane is checked but not returned.
func DecodeLatents(r io.Reader, opts ...DecoderOption) (*Latents, error) {
	o, err := newDecoderOptions(opts)
	if err != nil {
		return nil, err
	}
	of, err := openFile(r, 0, &o)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	out := &Latents{Header: of.h, Tiles: make([]TileLatents, len(of.f.Tiles))}
	for i := range of.f.Tiles {
		_, lc, err := of.tileCoder(i, 0)
		if err != nil {
			return nil, err
		}
		t := &of.f.Tiles[i]
		tl, err := lc.decodeIntegers(t.Hyper, t.Latent)
		if err != nil {
			return nil, fmt.Errorf("tile %d: %w", i, err)
		}
		out.Tiles[i] = *tl
	}
	return out, nil
}

// decodeIntegers is the integer part of latentCoder.decode, keeping every
// intermediate result (and running h_s in one piece).
func (lc *latentCoder) decodeIntegers(zb, yb []byte) (*TileLatents, error) {
	t := &TileLatents{HZ: lc.hz, WZ: lc.wz, HY: lc.hy, WY: lc.wy}
	var err error
	if t.Z, err = lc.decodeZ(zb, 0); err != nil {
		return nil, err
	}
	t.Means, t.Scales = lc.m.HyperSynthesis.Forward(t.Z, lc.hz, lc.wz)
	t.Symbols, err = lc.decodeY(yb, widen(t.Scales), 0)
	if err != nil {
		return nil, err
	}
	return t, nil
}
