// This file implements the element-wise activations of the transforms, as
// specified in docs/spec.md §4.

package model

import "math"

// LeakySlope is the negative slope of every LeakyReLU in the transforms
// (PyTorch nn.LeakyReLU default).
const LeakySlope = 0.01

// LeakyReLU replaces every negative element v of x by v·slope, in place.
func LeakyReLU(x *Tensor, slope float32) { leakyFloats(x.Data[:x.Len()], slope) }

// leakyFloats selects between x and x·slope with a mask instead of a
// branch: the sign of an activation is a coin toss, and a mispredicted
// branch per element cost more than the product. The mask is set exactly
// where x < 0: sign bit set, magnitude neither zero nor NaN's.
func leakyFloats(v []float32, slope float32) {
	for i, x := range v {
		b := math.Float32bits(x)
		mag := b & 0x7fffffff
		nonzero := (mag + 0x7fffffff) >> 31
		notNaN := ^(0x7f800000 - mag) >> 31
		m := -(b >> 31 & nonzero & notNaN)
		v[i] = math.Float32frombits(b&^m | math.Float32bits(x*slope)&m)
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
