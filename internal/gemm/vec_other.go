// This file stands in for the AVX vector helpers where there is no
// assembly: every operation is left to the Go loops of vec.go.

//go:build !amd64 || noasm || !gc

package gemm

func deinterleave4RowsAsm(dst []float32, off *[4]int, ldd int, src []float32, lds, n, rows int) bool {
	return false
}

func mulSqrtAsm(x, norm []float32) int                           { return 0 }
func divSqrtAsm(x, norm []float32) int                           { return 0 }
func squareAsm(dst, src []float32) int                           { return 0 }
func interleave2Asm(dst, a, b []float32) int                     { return 0 }
func deinterleave2Asm(a, b, src []float32) int                   { return 0 }
func fillAsm(dst []float32, v float32) int                       { return 0 }
func widenAddClearAsm(dst []int64, src []int32) int              { return 0 }
func interleave16Asm(dst, a, b []int16) int                      { return 0 }
func rgba8Asm(dst []uint8, r, g, b []float32) int                { return 0 }
func packRowAsm(dst, src []float32, panels, stride, nr int) bool { return false }

func sumTermsAsm(dst []float32, ldd int, src []float32, lds int, off *[4]int, c *[4]float32, rows, n int) int {
	return 0
}

func addScaledRowsAsm(dst []float32, ldd int, src []float32, lds int, s float32, rows, n int, zero bool) int {
	return 0
}

func deinterleave4Asm(a, b, c, d, src []float32) int { return 0 }

func interleave4RowsAsm(dst []float32, ldd int, src []float32, lds, step, n, rows int) int {
	return 0
}

func interleave2RowsAsm(dst []float32, ldd int, a, b []float32, lds, n, rows int) int {
	return 0
}

func deinterleave2RowsAsm(a, b []float32, ldab int, src []float32, lds, n, rows int) int {
	return 0
}

func squareRowAsm(dst, src []float32, panels, stride, nr int) bool { return false }

func addScaledRows2Asm(d1, d2 []float32, ldd int, src []float32, lds int, s1, s2 float32, rows, n int, zero bool) int {
	return 0
}
