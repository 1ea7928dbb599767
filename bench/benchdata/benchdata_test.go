package benchdata

import (
	"image"
	"image/color"
	"testing"
)

func TestMirrorTile(t *testing.T) {
	src := image.NewGray(image.Rect(10, 20, 13, 22)) // 3×2, offset bounds
	for y := 0; y < 2; y++ {
		for x := 0; x < 3; x++ {
			src.SetGray(10+x, 20+y, color.Gray{Y: uint8(10*y + x)})
		}
	}
	m := MirrorTile(src, 8, 5)
	wantX := []int{0, 1, 2, 2, 1, 0, 0, 1}
	wantY := []int{0, 1, 1, 0, 0}
	for y, sy := range wantY {
		for x, sx := range wantX {
			if got, want := m.RGBAAt(x, y).R, uint8(10*sy+sx); got != want {
				t.Fatalf("(%d, %d) = %d, want %d", x, y, got, want)
			}
		}
	}
}

func TestKitten(t *testing.T) {
	m, err := Kitten(300, 7)
	if err != nil {
		t.Fatal(err)
	}
	if m.Bounds() != image.Rect(0, 0, 300, 7) {
		t.Fatalf("bounds %v", m.Bounds())
	}
	if _, err := Find("no/such/file"); err == nil {
		t.Fatal("Find found a missing file")
	}
}
