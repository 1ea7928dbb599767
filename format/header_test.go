// This file tests the header helpers: colour types, chunk types and the tile
// grid.

package format

import (
	"image"
	"testing"
)

func TestColorType(t *testing.T) {
	for _, tc := range []struct {
		c        ColorType
		valid    bool
		alpha    bool
		channels int
		s        string
	}{
		{Gray, true, false, 1, "gray"},
		{RGB, true, false, 3, "rgb"},
		{GrayAlpha, true, true, 2, "gray+alpha"},
		{RGBA, true, true, 4, "rgba"},
		{1, false, false, 0, "ColorType(1)"},
		{8, false, false, 0, "ColorType(8)"},
	} {
		if tc.c.Valid() != tc.valid || tc.c.HasAlpha() != tc.alpha || tc.c.Channels() != tc.channels || tc.c.String() != tc.s {
			t.Errorf("%d: got %v %v %d %q", tc.c, tc.c.Valid(), tc.c.HasAlpha(), tc.c.Channels(), tc.c.String())
		}
	}
}

func TestChunkType(t *testing.T) {
	for _, tc := range []struct {
		t               string
		valid, critical bool
	}{
		{"AHDR", true, true}, {"TILE", true, true}, {"ALPH", true, true}, {"AEND", true, true},
		{"iccp", true, false}, {"exif", true, false}, {"xmpd", true, false},
		{"aBCD", true, false}, {"Abcd", true, true},
		{"xmp ", false, false}, {"AB1D", false, true}, {"@ABC", false, true}, {"\x00abc", false, true},
	} {
		ct := ChunkType([]byte(tc.t))
		if ct.Valid() != tc.valid || ct.Critical() != tc.critical {
			t.Errorf("%q: valid %v critical %v", tc.t, ct.Valid(), ct.Critical())
		}
	}
}

func TestTileBounds(t *testing.T) {
	h := Header{Width: 130, Height: 70, TileWidth: 64, TileHeight: 64}
	if c, r := h.TileGrid(); c != 3 || r != 2 || h.TileCount() != 6 {
		t.Fatalf("grid %dx%d count %d", c, r, h.TileCount())
	}
	want := []image.Rectangle{
		image.Rect(0, 0, 64, 64), image.Rect(64, 0, 128, 64), image.Rect(128, 0, 130, 64),
		image.Rect(0, 64, 64, 70), image.Rect(64, 64, 128, 70), image.Rect(128, 64, 130, 70),
	}
	var union image.Rectangle
	for i, w := range want {
		if got := h.TileBounds(i); got != w {
			t.Errorf("tile %d: %v, want %v", i, got, w)
		}
		union = union.Union(h.TileBounds(i))
	}
	if union != image.Rect(0, 0, 130, 70) {
		t.Errorf("tiles cover %v", union)
	}
	if !h.TileBounds(6).Empty() || !h.TileBounds(-1).Empty() {
		t.Error("out-of-range tile not empty")
	}
	one := Header{Width: 130, Height: 70}
	if one.TileCount() != 1 || one.TileBounds(0) != image.Rect(0, 0, 130, 70) {
		t.Errorf("single tile: %d %v", one.TileCount(), one.TileBounds(0))
	}
	// A tile larger than the image gives one tile, cut to the image.
	large := Header{Width: 130, Height: 70, TileWidth: 1024, TileHeight: 1024}
	if large.TileCount() != 1 || large.TileBounds(0) != image.Rect(0, 0, 130, 70) {
		t.Errorf("large tile: %d %v", large.TileCount(), large.TileBounds(0))
	}
}
