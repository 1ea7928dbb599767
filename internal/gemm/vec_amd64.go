// This file declares the AVX vector helpers of vec_amd64.s and routes the
// exported element-wise functions to them.

//go:build amd64 && !noasm && gc

package gemm

import "github.com/aezip/aezip/internal/cpu"

//go:noescape
func mulSqrtAVX(x, norm *float32, n int)

//go:noescape
func divSqrtAVX(x, norm *float32, n int)

//go:noescape
func squareAVX(dst, src *float32, n int)

//go:noescape
func fillAVX(dst *float32, v float32, n int)

//go:noescape
func widenAddClearAVX(dst *int64, src *int32, n int)

//go:noescape
func interleave16AVX(dst, a, b *int16, n int)

//go:noescape
func deinterleave4RowsAVX(dst *float32, off *[4]int, ldd int, src *float32, lds, n, rows int)

//go:noescape
func rgba8AVX(dst *uint8, red, green, blue *float32, n int)

//go:noescape
func packRow32AVX(dst, src *float32, panels, stride int)

//go:noescape
func packRow16AVX(dst, src *float32, panels, stride int)

//go:noescape
func squareRow32AVX(dst, src *float32, panels, stride int)

//go:noescape
func squareRow16AVX(dst, src *float32, panels, stride int)

// vecAsm reports whether the AVX helpers may run: the processor has AVX2
// and an assembly family is selected ([SetKernel] with Generic forces the
// Go loops, as it does for the products).
func vecAsm() bool { return cpu.X86.HasAVX2 && ActiveKernel() != Generic }

// vecBody returns how many leading elements of an n-element operation the
// assembly handles: whole vectors of 8.
func vecBody(n int) int { return n &^ 7 }

func mulSqrtAsm(x, norm []float32) int {
	n := vecBody(len(x))
	if n == 0 || !vecAsm() {
		return 0
	}
	_ = norm[n-1]
	mulSqrtAVX(&x[0], &norm[0], n)
	return n
}

func divSqrtAsm(x, norm []float32) int {
	n := vecBody(len(x))
	if n == 0 || !vecAsm() {
		return 0
	}
	_ = norm[n-1]
	divSqrtAVX(&x[0], &norm[0], n)
	return n
}

func squareAsm(dst, src []float32) int {
	n := vecBody(len(dst))
	if n == 0 || !vecAsm() {
		return 0
	}
	_ = src[n-1]
	squareAVX(&dst[0], &src[0], n)
	return n
}

func fillAsm(dst []float32, v float32) int {
	n := vecBody(len(dst))
	if n == 0 || !vecAsm() {
		return 0
	}
	fillAVX(&dst[0], v, n)
	return n
}

func interleave2Asm(dst, a, b []float32) int {
	n := vecBody(len(a))
	if n == 0 || !vecAsm() {
		return 0
	}
	_ = b[n-1]
	_ = dst[2*n-1]
	interleave2RowsAVX(&dst[0], 0, &a[0], &b[0], 0, n, 1)
	return n
}

func deinterleave2Asm(a, b, src []float32) int {
	n := vecBody(len(b))
	if n == 0 || !vecAsm() {
		return 0
	}
	_ = a[n-1]
	_ = src[2*n-1]
	deinterleave2RowsAVX(&a[0], &b[0], 0, &src[0], 0, n, 1)
	return n
}

// packRowAsm copies nr floats from src[i·nr:] to dst[i·stride:] for each
// of the panels; it reports false if it cannot (no assembly for nr).
func packRowAsm(dst, src []float32, panels, stride, nr int) bool {
	if panels == 0 {
		return true
	}
	_ = src[panels*nr-1]
	_ = dst[(panels-1)*stride+nr-1]
	switch nr {
	case 32:
		packRow32AVX(&dst[0], &src[0], panels, stride)
	case 16:
		packRow16AVX(&dst[0], &src[0], panels, stride)
	default:
		return false
	}
	return true
}

func interleave16Asm(dst, a, b []int16) int {
	n := len(a) &^ 15
	if n == 0 || !vecAsm() {
		return 0
	}
	_ = b[n-1]
	_ = dst[2*n-1]
	interleave16AVX(&dst[0], &a[0], &b[0], n)
	return n
}

func rgba8Asm(dst []uint8, r, g, b []float32) int {
	n := vecBody(len(r))
	if n == 0 || !vecAsm() {
		return 0
	}
	_, _ = g[n-1], b[n-1]
	_ = dst[4*n-1]
	rgba8AVX(&dst[0], &r[0], &g[0], &b[0], n)
	return n
}

func widenAddClearAsm(dst []int64, src []int32) int {
	n := vecBody(len(src))
	if n == 0 || !vecAsm() {
		return 0
	}
	_ = dst[n-1]
	widenAddClearAVX(&dst[0], &src[0], n)
	return n
}

//go:noescape
func sumTermsAVX(dst *float32, ldd int, src *float32, lds int, off *[4]int, c *[4]float32, rows, n int)

//go:noescape
func sumTerms2AVX(dst *float32, ldd int, src *float32, lds int, off *[4]int, c *[4]float32, rows, n int)

//go:noescape
func deinterleave4AVX(a, b, c, d, src *float32, n int)

//go:noescape
func interleave2RowsAVX(dst *float32, ldd int, a, b *float32, lds, n, rows int)

//go:noescape
func deinterleave2RowsAVX(a, b *float32, ldab int, src *float32, lds, n, rows int)

//go:noescape
func interleave4RowsAVX(dst *float32, ldd int, src *float32, lds, step, n, rows int)

//go:noescape
func addScaledRowsAVX(dst *float32, ldd int, src *float32, lds int, s float32, rows, n int)

//go:noescape
func addScaledRowsClearAVX(dst *float32, ldd int, src *float32, lds int, s float32, rows, n int)

// sumTermsAsm runs SumTerms on the first vecBody(n) columns of every row
// (the caller has checked the bounds) and returns how many it did.
func sumTermsAsm(dst []float32, ldd int, src []float32, lds int, off *[4]int, c *[4]float32, rows, n int) int {
	n8 := vecBody(n)
	if n8 == 0 || !vecAsm() {
		return 0
	}
	if c[2] == 0 && c[3] == 0 {
		sumTerms2AVX(&dst[0], ldd, &src[0], lds, off, c, rows, n8)
	} else {
		sumTermsAVX(&dst[0], ldd, &src[0], lds, off, c, rows, n8)
	}
	return n8
}

// addScaledRowsAsm is sumTermsAsm for AddScaledRows.
func addScaledRowsAsm(dst []float32, ldd int, src []float32, lds int, s float32, rows, n int, zero bool) int {
	n8 := vecBody(n)
	if n8 == 0 || !vecAsm() {
		return 0
	}
	if zero {
		addScaledRowsClearAVX(&dst[0], ldd, &src[0], lds, s, rows, n8)
	} else {
		addScaledRowsAVX(&dst[0], ldd, &src[0], lds, s, rows, n8)
	}
	return n8
}

// addScaledRows2AVX512 is AddScaledRows2 for n a positive multiple of 16
// (zero 0 or 1).
//
//go:noescape
func addScaledRows2AVX512(d1, d2 *float32, ldd int, src *float32, lds int, s1, s2 float32, rows, n, zero int)

func addScaledRows2Asm(d1, d2 []float32, ldd int, src []float32, lds int, s1, s2 float32, rows, n int, zero bool) int {
	n16 := n &^ 15
	if n16 == 0 || ActiveKernel() != AVX512 {
		return 0
	}
	z := 0
	if zero {
		z = 1
	}
	addScaledRows2AVX512(&d1[0], &d2[0], ldd, &src[0], lds, s1, s2, rows, n16, z)
	return n16
}

// deinterleave4Asm splits the first multiple of 32 elements of src and
// returns how many it did.
func deinterleave4Asm(a, b, c, d, src []float32) int {
	n := len(src) &^ 31
	if n == 0 || !vecAsm() {
		return 0
	}
	_, _, _, _ = a[n/4-1], b[n/4-1], c[n/4-1], d[n/4-1]
	deinterleave4AVX(&a[0], &b[0], &c[0], &d[0], &src[0], n/4)
	return n
}

// deinterleave4RowsAsm runs Deinterleave4Rows whole (the caller has checked
// the bounds) and reports whether it could.
func deinterleave4RowsAsm(dst []float32, off *[4]int, ldd int, src []float32, lds, n, rows int) bool {
	if !vecAsm() {
		return false
	}
	deinterleave4RowsAVX(&dst[0], off, ldd, &src[0], lds, n, rows)
	return true
}

// interleave4RowsAsm runs Interleave4Rows on the first vecBody(n)
// elements of every row (the caller has checked the bounds) and returns
// how many it did.
func interleave4RowsAsm(dst []float32, ldd int, src []float32, lds, step, n, rows int) int {
	n8 := vecBody(n)
	if n8 == 0 || !vecAsm() {
		return 0
	}
	interleave4RowsAVX(&dst[0], ldd, &src[0], lds, step, n8, rows)
	return n8
}

// interleave2RowsAsm is interleave4RowsAsm for Interleave2Rows, whose
// rows r interleave a[r·lds:] and b[r·lds:].
func interleave2RowsAsm(dst []float32, ldd int, a, b []float32, lds, n, rows int) int {
	n8 := vecBody(n)
	if n8 == 0 || !vecAsm() {
		return 0
	}
	interleave2RowsAVX(&dst[0], ldd, &a[0], &b[0], lds, n8, rows)
	return n8
}

// deinterleave2RowsAsm splits the first vecBody(n/2) pairs of every row
// for Deinterleave2Rows and returns how many pairs it did.
func deinterleave2RowsAsm(a, b []float32, ldab int, src []float32, lds, n, rows int) int {
	p8 := vecBody(n / 2)
	if p8 == 0 || !vecAsm() {
		return 0
	}
	deinterleave2RowsAVX(&a[0], &b[0], ldab, &src[0], lds, p8, rows)
	return p8
}

// squareRowAsm is packRowAsm that squares each element: it writes
// src[i·nr+j]² to dst[i·stride+j] for j < nr and each of the panels, and
// reports false if it cannot (no assembly for nr, or Generic selected).
func squareRowAsm(dst, src []float32, panels, stride, nr int) bool {
	if !vecAsm() {
		return false
	}
	_ = src[panels*nr-1]
	_ = dst[(panels-1)*stride+nr-1]
	switch nr {
	case 32:
		squareRow32AVX(&dst[0], &src[0], panels, stride)
	case 16:
		squareRow16AVX(&dst[0], &src[0], panels, stride)
	default:
		return false
	}
	return true
}
