// Package benchdata finds the repository's test files from any working
// directory inside it and builds benchmark images from them, for the
// benchmarks and measuring tools under bench/ and the codec's benchmarks.
package benchdata

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
)

// KittenPath is testdata/kitten.png (a crop of a training image, see
// testdata/README.md), relative to the repository root.
const KittenPath = "testdata/kitten.png"

// Find reads the file at rel, a path relative to the repository root, by
// looking in the working directory and each directory above it.
func Find(rel string) ([]byte, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err == nil {
			return b, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, fmt.Errorf("benchdata: %s not found above the current directory", rel)
		}
		dir = parent
	}
}

// Kitten returns testdata/kitten.png mirror-tiled to width × height.
func Kitten(width, height int) (*image.RGBA, error) {
	b, err := Find(KittenPath)
	if err != nil {
		return nil, err
	}
	k, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return MirrorTile(k, width, height), nil
}

// MirrorTile returns a width × height image that repeats src reflected at
// its edges (0 … n−1, n−1 … 0, …), so that a large image made from a small
// one has no hard seams.
func MirrorTile(src image.Image, width, height int) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := 0; y < height; y++ {
		sy := mirror(y, b.Dy())
		for x := 0; x < width; x++ {
			dst.Set(x, y, src.At(b.Min.X+mirror(x, b.Dx()), b.Min.Y+sy))
		}
	}
	return dst
}

// mirror maps i ≥ 0 to [0, n) by reflecting at the edges.
func mirror(i, n int) int {
	i %= 2 * n
	if i >= n {
		i = 2*n - 1 - i
	}
	return i
}
