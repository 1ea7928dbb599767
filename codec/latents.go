// This file implements DecodeLatents, which stops the decoding process of
// docs/spec.md §6 after the integer stages (§6.4, §6.5) and returns their
// results, so that conformance tests can compare them bit for bit.

package codec

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/aezip/aezip/format"
	"github.com/aezip/aezip/internal/rans"
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
	zr, err := format.NewDecoder(r, format.Limits{MaxPixels: o.maxPixels})
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	h := zr.Header()
	if px := int64(h.Width) * int64(h.Height); px > o.maxPixels {
		return nil, fmt.Errorf("%w: %d×%d pixels exceed the limit of %d", ErrTooLarge, h.Width, h.Height, o.maxPixels)
	}
	if mem := decodeMemory(&h); mem > o.maxMemory {
		return nil, fmt.Errorf("%w: decoding %d×%d needs about %d bytes, limit %d", ErrTooLarge, h.Width, h.Height, mem, o.maxMemory)
	}
	mdl, err := pickModel(o.model)
	if err != nil {
		return nil, err
	}
	if id := mdl.ID(); h.ModelID != id {
		return nil, fmt.Errorf("%w (file %s, decoder %s)", ErrModelMismatch, hex.EncodeToString(h.ModelID[:]), hex.EncodeToString(id[:]))
	}
	if h.M != mdl.Arch.M || h.N != mdl.Arch.N {
		return nil, corruptf("header channels M=%d N=%d do not match the model's %d, %d", h.M, h.N, mdl.Arch.M, mdl.Arch.N)
	}
	f, err := zr.Decode()
	if err != nil {
		return nil, err
	}
	if h.ColorType.HasAlpha() {
		if _, err := decodeAlpha(f.Alpha, h.Width, h.Height); err != nil {
			return nil, err
		}
	}
	out := &Latents{Header: h, Tiles: make([]TileLatents, len(f.Tiles))}
	for i := range f.Tiles {
		b := h.TileBounds(i)
		pw, ph := padded(b.Dx()), padded(b.Dy())
		t := &f.Tiles[i]
		if t.HY != ph/16 || t.WY != pw/16 || t.HZ != ph/64 || t.WZ != pw/64 {
			return nil, corruptf("tile %d: latent size y %d×%d z %d×%d does not match its %d×%d pixels", i, t.HY, t.WY, t.HZ, t.WZ, b.Dx(), b.Dy())
		}
		lc, err := newLatentCoder(mdl, pw, ph)
		if err != nil {
			return nil, err
		}
		tl, err := lc.decodeIntegers(t.Hyper, t.Latent)
		if err != nil {
			return nil, fmt.Errorf("tile %d: %w", i, err)
		}
		out.Tiles[i] = *tl
	}
	return out, nil
}

// decodeIntegers is the integer part of latentCoder.decode, keeping every
// intermediate result.
func (lc *latentCoder) decodeIntegers(zb, yb []byte) (*TileLatents, error) {
	t := &TileLatents{HZ: lc.hz, WZ: lc.wz, HY: lc.hy, WY: lc.wy}
	t.Z = make([]int32, lc.m.Arch.N*lc.hz*lc.wz)
	if err := rans.Decode(zb, lc.tabs.z, channelIndex(lc.m.Arch.N, lc.hz*lc.wz), t.Z); err != nil {
		return nil, corruptAt(-1, "z stream", err)
	}
	t.Means, t.Scales = lc.m.HyperSynthesis.Forward(t.Z, lc.hz, lc.wz)
	idx := make([]uint16, len(t.Scales))
	for i, k := range t.Scales {
		idx[i] = uint16(k)
	}
	t.Symbols = make([]int32, len(idx))
	if err := rans.Decode(yb, lc.tabs.scale, idx, t.Symbols); err != nil {
		return nil, corruptAt(-1, "y stream", err)
	}
	for _, s := range t.Symbols {
		if s > maxSymbol || s < -maxSymbol {
			return nil, corruptAt(-1, "y stream", errors.New("symbol out of range"))
		}
	}
	return t, nil
}
