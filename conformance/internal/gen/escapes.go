// This file implements the vector whose entropy-coded streams use the
// escape symbol of docs/spec.md §3.5 and a ẑ beyond the int16 range that the
// integer hyper-synthesis clamps (§5.4 step 1): values the reference
// encoder does not produce with the tiny model, so they are coded here
// directly with the rANS coder.

package main

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/conformance"
	"github.com/aezip/aezip/format"
	"github.com/aezip/aezip/internal/rans"
	"github.com/aezip/aezip/quant"
)

// escapes rewrites the single tile of vector from: ẑ gets escaped values
// (one beyond the int16 range), and a few symbols get escaped values just
// outside their tables; the streams are re-coded with the model's tables.
func escapes(from string) func(g *gen) ([]byte, error) {
	return func(g *gen) ([]byte, error) {
		b, err := g.file(from)
		if err != nil {
			return nil, err
		}
		l, err := codec.DecodeLatents(bytes.NewReader(b), codec.WithDecoderModel(g.mdl))
		if err != nil {
			return nil, err
		}
		t := l.Tiles[0]
		n := t.HZ * t.WZ
		z := slices.Clone(t.Z)
		last := func(c quant.CDF) int32 { return c.Offset + int32(len(c.Cum)) - 3 } // largest in-table value
		z[0] = last(g.mdl.ZCDFs[0]) + 5
		z[n+1] = g.mdl.ZCDFs[1].Offset - 3
		z[2*n] = -40000 // h_s clamps it to -32768
		means, scales := g.mdl.HyperSynthesis.Forward(z, t.HZ, t.WZ)
		sym := slices.Clone(t.Symbols)
		// Escapes just outside the tables of the first positions of a few
		// channels, below and above the range, and one larger value.
		npos := t.HY * t.WY
		for j, c := range []int{0, 5, 11, 23} {
			i := c*npos + j
			cdf := g.mdl.ScaleCDFs[scales[i]]
			switch j {
			case 0:
				sym[i] = cdf.Offset - 1
			case 1:
				sym[i] = last(cdf) + 1
			case 2:
				sym[i] = last(cdf) + 7
			case 3:
				sym[i] = cdf.Offset - 40
			}
		}
		ztabs := make([]*rans.Table, len(g.mdl.ZCDFs))
		for i, c := range g.mdl.ZCDFs {
			if ztabs[i], err = rans.NewTable(c); err != nil {
				return nil, err
			}
		}
		stabs := make([]*rans.Table, len(g.mdl.ScaleCDFs))
		for i, c := range g.mdl.ScaleCDFs {
			if stabs[i], err = rans.NewTable(c); err != nil {
				return nil, err
			}
		}
		zidx := make([]uint16, len(z))
		for i := range zidx {
			zidx[i] = uint16(i / n)
		}
		yidx := make([]uint16, len(scales))
		for i, k := range scales {
			yidx[i] = uint16(k)
		}
		zb, err := rans.Encode(nil, ztabs, zidx, z)
		if err != nil {
			return nil, err
		}
		yb, err := rans.Encode(nil, stabs, yidx, sym)
		if err != nil {
			return nil, err
		}
		f, err := format.Read(bytes.NewReader(b), format.Limits{})
		if err != nil {
			return nil, err
		}
		f.Tiles[0].Hyper, f.Tiles[0].Latent = zb, yb
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err != nil {
			return nil, err
		}
		// The reference decoder must give back exactly what was coded.
		k := make([]int32, len(scales))
		for i, v := range scales {
			k[i] = int32(v)
		}
		want := conformance.HashLatents([]conformance.TileLatents{{Z: z, Symbols: sym, Means: means, Scales: k}})
		got, err := g.dec.DecodeLatents(buf.Bytes(), g.mfile)
		if err != nil {
			return nil, err
		}
		if conformance.HashLatents(got) != want {
			return nil, fmt.Errorf("decoded latents differ from the coded ones")
		}
		return buf.Bytes(), nil
	}
}
