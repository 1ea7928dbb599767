// Package gemm implements the float32 matrix multiply that the convolution
// layers of package model are built on.
package gemm

// Sgemm computes C += A·B for row-major matrices: A is m×k with row stride
// lda, B is k×n with row stride ldb, C is m×n with row stride ldc.
// It panics if a slice is too short for the shape it is given.
func Sgemm(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if len(a) < (m-1)*lda+k || len(b) < (k-1)*ldb+n || len(c) < (m-1)*ldc+n {
		panic("gemm: slice too short for shape")
	}
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for p := 0; p < k; p++ {
			av := a[i*lda+p]
			if av == 0 {
				continue
			}
			bp := b[p*ldb : p*ldb+n]
			for j := range ci {
				ci[j] += av * bp[j]
			}
		}
	}
}
