// This file implements the edge-replicating padding of images to a multiple
// of the transforms' total stride and the matching crop, as specified in
// docs/spec.md §4.

package model

import "fmt"

// PadMultiple is the multiple that images are padded to before g_a: the
// total stride of g_a and h_a together (2⁶), so every latent has integer size.
const PadMultiple = 64

// PadTo returns x extended on the right and bottom to the next multiple of
// multiple in height and width, repeating the last column and then the last
// row (PyTorch F.pad(x, (0, pw, 0, ph), mode="replicate")). If x already has
// such a size, PadTo returns x itself. It panics with a "model: " message if
// multiple is not positive or x is empty.
func PadTo(x *Tensor, multiple int) *Tensor {
	if multiple <= 0 {
		panic(fmt.Sprintf("model: PadTo multiple %d not positive", multiple))
	}
	if x.H <= 0 || x.W <= 0 {
		panic("model: PadTo of an empty tensor")
	}
	h := (x.H + multiple - 1) / multiple * multiple
	w := (x.W + multiple - 1) / multiple * multiple
	if h == x.H && w == x.W {
		return x
	}
	dst := &Tensor{C: x.C, H: h, W: w, Data: make([]float32, x.C*h*w)}
	for c := 0; c < x.C; c++ {
		src := x.Plane(c)
		out := dst.Plane(c)
		for y := 0; y < h; y++ {
			sy := min(y, x.H-1)
			row := out[y*w : (y+1)*w]
			copy(row, src[sy*x.W:(sy+1)*x.W])
			last := row[x.W-1]
			for i := x.W; i < w; i++ {
				row[i] = last
			}
		}
	}
	return dst
}

// Crop returns the top-left h×w part of x in a new tensor. It panics with a
// "model: " message if h or w is negative or larger than x.
func Crop(x *Tensor, h, w int) *Tensor {
	if h < 0 || w < 0 || h > x.H || w > x.W {
		panic(fmt.Sprintf("model: Crop %d×%d of a %d×%d tensor", h, w, x.H, x.W))
	}
	dst := NewTensor(x.C, h, w)
	for c := 0; c < x.C; c++ {
		src := x.Plane(c)
		out := dst.Plane(c)
		for y := 0; y < h; y++ {
			copy(out[y*w:(y+1)*w], src[y*x.W:y*x.W+w])
		}
	}
	return dst
}
