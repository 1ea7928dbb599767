// This file implements the element-wise helpers that the layers of package
// model run between products (GDN's x², its square roots, bias fills). On
// amd64 they use AVX; the results are the same bits as the Go loops,
// because each element is one correctly rounded IEEE operation either way.

package gemm

import "math"

// MulSqrt sets x[i] = x[i]·√norm[i] for every i, in float32 with each
// operation correctly rounded. It panics if norm is shorter than x.
func MulSqrt(x, norm []float32) {
	norm = norm[:len(x)]
	for i := mulSqrtAsm(x, norm); i < len(x); i++ {
		x[i] *= sqrt32(norm[i])
	}
}

// DivSqrt sets x[i] = x[i]/√norm[i] for every i, in float32 with each
// operation correctly rounded. It panics if norm is shorter than x.
func DivSqrt(x, norm []float32) {
	norm = norm[:len(x)]
	for i := divSqrtAsm(x, norm); i < len(x); i++ {
		x[i] /= sqrt32(norm[i])
	}
}

// Square sets dst[i] = src[i]·src[i] for every i. It panics if src is
// shorter than dst.
func Square(dst, src []float32) {
	src = src[:len(dst)]
	for i := squareAsm(dst, src); i < len(dst); i++ {
		dst[i] = src[i] * src[i]
	}
}

// Fill sets every element of dst to v.
func Fill(dst []float32, v float32) {
	for i := fillAsm(dst, v); i < len(dst); i++ {
		dst[i] = v
	}
}

// sqrt32 is the correctly rounded float32 square root: the float64 root
// of a float32, rounded to float32, is the correctly rounded float32 root.
func sqrt32(v float32) float32 { return float32(math.Sqrt(float64(v))) }
