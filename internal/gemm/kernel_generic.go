// This file implements the pure-Go float32 micro-kernel, used where no
// assembly is available and when [SetKernel] selects [Generic].

package gemm

const (
	goMR = 4
	goNR = 4
)

var genericFloat = floatKernels{mr: goMR, nr: goNR, call: kernGo}

// The products are converted to float32 explicitly: that forbids the
// compiler to fuse them with the additions (it may otherwise, on arm64 and
// with GOAMD64=v3), and it would fuse the unrolled 4×4 loop and the
// short-panel loop differently, so that a product and its transpose, which
// use different loops for the same elements, would differ in the last bits.

// kernGo adds an mr×kc packed A panel times a kc×4 packed B panel to the
// mr×4 tile of c with row stride ldc.
func kernGo(mr, kc int, a, b, c []float32, ldc int) {
	if mr == goMR {
		kernGo4x4(kc, a, b, c, ldc)
		return
	}
	var acc [goMR * goNR]float32
	for q := 0; q < kc; q++ {
		bq := b[q*goNR : q*goNR+goNR]
		aq := a[q*mr : q*mr+mr]
		for i, av := range aq {
			for j, bv := range bq {
				acc[i*goNR+j] += float32(av * bv)
			}
		}
	}
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+goNR]
		for j := range row {
			row[j] += acc[i*goNR+j]
		}
	}
}

// kernGo4x4 is kernGo for a full tile, with the accumulators in locals so
// that the compiler can keep them in registers.
func kernGo4x4(kc int, a, b, c []float32, ldc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:kc*4]
	b = b[:kc*4]
	for q := 0; q < len(a); q += 4 {
		aq := a[q : q+4 : q+4]
		bq := b[q : q+4 : q+4]
		a0, a1, a2, a3 := aq[0], aq[1], aq[2], aq[3]
		b0, b1, b2, b3 := bq[0], bq[1], bq[2], bq[3]
		c00 += float32(a0 * b0)
		c01 += float32(a0 * b1)
		c02 += float32(a0 * b2)
		c03 += float32(a0 * b3)
		c10 += float32(a1 * b0)
		c11 += float32(a1 * b1)
		c12 += float32(a1 * b2)
		c13 += float32(a1 * b3)
		c20 += float32(a2 * b0)
		c21 += float32(a2 * b1)
		c22 += float32(a2 * b2)
		c23 += float32(a2 * b3)
		c30 += float32(a3 * b0)
		c31 += float32(a3 * b1)
		c32 += float32(a3 * b2)
		c33 += float32(a3 * b3)
	}
	r := c[0:4:4]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = c[ldc : ldc+4 : ldc+4]
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
	r = c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r = c[3*ldc : 3*ldc+4 : 3*ldc+4]
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
}
