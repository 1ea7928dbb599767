// This file implements the element-wise work around the bfloat16 product
// of sbgemm.go: the transforms that round a layer's values to bfloat16 and
// pack them as B panels, the bfloat16 planes between layers, and the GDN's
// approximate division. Each rounds as RoundBF16 does, so the assembly
// and the Go loops give the same bits.

package gemm

// SquarePairsBF16 stores the squares of rows 2p and 2p+1 (p < pairs) of
// src (row stride lds), each rounded to float32 and then to bfloat16, as k
// pairs: dst[p·ldd+i] = RoundBF16(x²) | RoundBF16(y²)<<16 with x =
// src[2p·lds+i], y = src[(2p+1)·lds+i], for i < n. With ldd =
// BF16PanelWidth and n ≤ ldd it writes one panel of B for
// [SgemmBF16Panels] (a GDN's x²). It panics if a slice is too short.
func SquarePairsBF16(dst []uint32, ldd int, src []float32, lds, pairs, n int) {
	if pairs <= 0 || n <= 0 {
		return
	}
	if ldd < n || len(dst) < (pairs-1)*ldd+n {
		panic("gemm: SquarePairsBF16 destination too short")
	}
	if lds < 0 || len(src) < (2*pairs-1)*lds+n {
		panic("gemm: SquarePairsBF16 source too short")
	}
	done := squarePairsBF16Asm(dst, ldd, src, lds, pairs, n)
	for p := 0; p < pairs && done < n; p++ {
		d := dst[p*ldd : p*ldd+n]
		s0, s1 := src[2*p*lds:], src[(2*p+1)*lds:]
		for i := done; i < n; i++ {
			d[i] = packBF16Pair(s0[i]*s0[i], s1[i]*s1[i])
		}
	}
}

// GatherPairsBF16 writes rows of src starting at the given offsets,
// multiplied by scale and rounded to bfloat16, as k pairs: dst[p·ldd+i] =
// RoundBF16(scale·src[rows[2p]+i]) | RoundBF16(scale·src[rows[2p+1]+i])<<16
// for i < n (each product rounded to float32 first), with a zero partner
// for the last row of an odd count. With ldd = BF16PanelWidth and n ≤ ldd
// it writes one panel of B for [SgemmBF16Panels] whose rows are views of a
// convolution's input (its taps), like the B of [SgemmRows]. (A scale of
// 255 makes 8-bit pixel values k/255 the integers k, which bfloat16 holds
// exactly.) It panics if a slice is too short or an offset is out of
// range.
func GatherPairsBF16(dst []uint32, ldd int, src []float32, rows []int, n int, scale float32) {
	pairs := (len(rows) + 1) / 2
	if pairs == 0 || n <= 0 {
		return
	}
	if ldd < n || len(dst) < (pairs-1)*ldd+n {
		panic("gemm: GatherPairsBF16 destination too short")
	}
	for _, r := range rows {
		if r < 0 || r > len(src)-n {
			panic("gemm: GatherPairsBF16 row outside the source")
		}
	}
	full := len(rows) / 2
	done := gatherPairsBF16Asm(dst, ldd, src, rows[:2*full], n, scale)
	for p := 0; p < pairs; p++ {
		d := dst[p*ldd : p*ldd+n]
		s0 := src[rows[2*p]:]
		i := 0
		if p < full {
			i = done
		}
		for ; i < n; i++ {
			var hi float32
			if 2*p+1 < len(rows) {
				hi = scale * src[rows[2*p+1]+i]
			}
			d[i] = packBF16Pair(scale*s0[i], hi)
		}
	}
}

// DivSqrtApprox sets x[i] = x[i]·r[i] for every i, where r[i] approximates
// 1/√s to a relative error below 2⁻²¹ for the float32 sum s = norm[i] +
// beta (r = 0 where s = +Inf), for the GDNs of encoder-only layers, whose
// product γ·x² can then be stored without β ([SgemmBF16PanelsSet]). With
// the bfloat16 kernels it uses VRSQRT14PS and one Newton step for every
// element (the same bits for an element wherever it lies in x), several
// times faster than the correctly rounded [DivSqrt], whose result it is
// elsewhere. It panics if norm is shorter than x.
func DivSqrtApprox(x, norm []float32, beta float32) {
	norm = norm[:len(x)]
	for i := divSqrtApproxAsm(x, norm, beta); i < len(x); i++ {
		x[i] /= sqrt32(norm[i] + beta)
	}
}

// RoundRowsBF16 sets dst[r·ldd + i] = RoundBF16(src[r·lds + i]) for r <
// rows and i < n: a layer's output stored for a bfloat16 consumer when the
// rows are contiguous in its planes. It panics if a slice is too short.
func RoundRowsBF16(dst []uint16, ldd int, src []float32, lds, n, rows int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ldd < 0 || lds < 0 || len(dst) < (rows-1)*ldd+n || len(src) < (rows-1)*lds+n {
		panic("gemm: RoundRowsBF16 operands too short")
	}
	if roundRowsBF16Asm(dst, ldd, src, lds, n, rows) {
		return
	}
	for r := 0; r < rows; r++ {
		d, f := dst[r*ldd:][:n], src[r*lds:][:n]
		for i, v := range f {
			d[i] = RoundBF16(v)
		}
	}
}

// Deinterleave4RowsBF16 is [Deinterleave4Rows] into bfloat16 planes: it
// sets dst[r·ldd + off[i mod 4] + ⌊i/4⌋] = RoundBF16(src[r·lds + i]) for
// r < rows and i < n, so that a layer's output can be stored for a
// bfloat16 consumer ([SumSepBF16Half]) in half the bytes. It panics if an
// offset is negative or a slice is too short.
func Deinterleave4RowsBF16(dst []uint16, off *[4]int, ldd int, src []float32, lds, n, rows int) {
	if rows <= 0 || n <= 0 {
		return
	}
	checkDeinterleave4Rows(len(dst), off, ldd, len(src), lds, n, rows)
	if deinterleave4RowsBF16Asm(dst, off, ldd, src, lds, n, rows) {
		return
	}
	deinterleave4RowsGo(dst, off, ldd, src, lds, n, rows, RoundBF16)
}
