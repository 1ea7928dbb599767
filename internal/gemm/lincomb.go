// This file implements the row-wise linear combinations that Winograd
// convolutions (package model) run around their products: the input
// transform sums a few shifted views of the input planes with small
// coefficients, and the output transform adds scaled product rows into the
// output tile. Each product is rounded before it is added, in a fixed
// order, so the assembly and the Go loops give the same bits.

package gemm

// SumTerms sets, for every row r < rows and column i < n,
//
//	dst[r·ldd+i] = c[0]·src[r·lds+off[0]+i] + c[1]·src[r·lds+off[1]+i] + c[2]·… + c[3]·…
//
// with every product rounded to float32 and the sum taken left to right;
// when c[2] and c[3] are both 0 those two terms are left out (which can
// only change the sign of a zero sum). A term with coefficient 0 still
// needs a valid offset. It panics if a slice is too short or an offset is
// negative.
func SumTerms(dst []float32, ldd int, src []float32, lds int, off *[4]int, c *[4]float32, rows, n int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ldd < n || len(dst) < (rows-1)*ldd+n {
		panic("gemm: SumTerms destination too short")
	}
	hi := 0
	for _, o := range off {
		if o < 0 {
			panic("gemm: SumTerms negative offset")
		}
		hi = max(hi, o)
	}
	if lds < 0 || len(src) < (rows-1)*lds+hi+n {
		panic("gemm: SumTerms source too short")
	}
	done := sumTermsAsm(dst, ldd, src, lds, off, c, rows, n)
	if done == n {
		return
	}
	two := c[2] == 0 && c[3] == 0
	for r := 0; r < rows; r++ {
		d := dst[r*ldd : r*ldd+n]
		s := src[r*lds:]
		for i := done; i < n; i++ {
			v := float32(c[0] * s[off[0]+i])
			v += float32(c[1] * s[off[1]+i])
			if !two {
				v += float32(c[2] * s[off[2]+i])
				v += float32(c[3] * s[off[3]+i])
			}
			d[i] = v
		}
	}
}

// AddScaledRows sets dst[r·ldd+i] += s·src[r·lds+i] for every row r < rows
// and column i < n, with the product rounded to float32 before the
// addition. It panics if a slice is too short.
func AddScaledRows(dst []float32, ldd int, src []float32, lds int, s float32, rows, n int) {
	addScaledRows(dst, ldd, src, lds, s, rows, n, false)
}

// AddScaledRowsClear is [AddScaledRows] that also sets every element of
// src it reads to zero, so that a product's output buffer is ready for the
// next product without another pass over it.
func AddScaledRowsClear(dst []float32, ldd int, src []float32, lds int, s float32, rows, n int) {
	addScaledRows(dst, ldd, src, lds, s, rows, n, true)
}

// AddScaledRows2 is [AddScaledRows] into two destinations at once, d1 with
// s1 and d2 with s2 (same row stride ldd), reading src once; with zero it
// also sets src to zero as [AddScaledRowsClear] does. Each destination
// gets the bits the one-destination form gives. It panics if a slice is
// too short.
func AddScaledRows2(d1, d2 []float32, ldd int, src []float32, lds int, s1, s2 float32, rows, n int, zero bool) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ldd < n || lds < n || len(d1) < (rows-1)*ldd+n || len(d2) < (rows-1)*ldd+n || len(src) < (rows-1)*lds+n {
		panic("gemm: AddScaledRows2 operands too short")
	}
	done := addScaledRows2Asm(d1, d2, ldd, src, lds, s1, s2, rows, n, zero)
	if done == n {
		return
	}
	for r := 0; r < rows; r++ {
		a, b := d1[r*ldd:r*ldd+n], d2[r*ldd:r*ldd+n]
		x := src[r*lds : r*lds+n]
		for i := done; i < n; i++ {
			a[i] += float32(s1 * x[i])
			b[i] += float32(s2 * x[i])
		}
		if zero {
			clear(x[done:])
		}
	}
}

func addScaledRows(dst []float32, ldd int, src []float32, lds int, s float32, rows, n int, zero bool) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ldd < n || lds < n || len(dst) < (rows-1)*ldd+n || len(src) < (rows-1)*lds+n {
		panic("gemm: AddScaledRows operands too short")
	}
	done := addScaledRowsAsm(dst, ldd, src, lds, s, rows, n, zero)
	if done == n {
		return
	}
	for r := 0; r < rows; r++ {
		d := dst[r*ldd : r*ldd+n]
		x := src[r*lds : r*lds+n]
		for i := done; i < n; i++ {
			d[i] += float32(s * x[i])
		}
		if zero {
			clear(x[done:])
		}
	}
}
