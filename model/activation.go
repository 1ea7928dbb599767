// This file implements the element-wise activations of the transforms, as
// specified in docs/spec.md §4.

package model

// LeakySlope is the negative slope of every LeakyReLU in the transforms
// (PyTorch nn.LeakyReLU default).
const LeakySlope = 0.01

// LeakyReLU replaces every negative element v of x by v·slope, in place.
func LeakyReLU(x *Tensor, slope float32) { leakyFloats(x.Data[:x.Len()], slope) }

func leakyFloats(v []float32, slope float32) {
	for i, x := range v {
		if x < 0 {
			v[i] = x * slope
		}
	}
}

// ReLU replaces every negative element of x by zero, in place.
func ReLU(x *Tensor) {
	for i, v := range x.Data[:x.Len()] {
		if v < 0 {
			x.Data[i] = 0
		}
	}
}
