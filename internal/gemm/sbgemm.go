// This file implements the bfloat16 product that encoder-only layers may
// use where the processor has AVX512_BF16: both operands are rounded to
// bfloat16 (8 significant bits) and the products are summed in float32 by
// VDPBF16PS, two k values per instruction, at twice the rate of the float32
// kernels. The results differ from the float32 product by the operands'
// rounding (relative 2⁻⁹ each), so only callers whose outputs need not be
// reproducible by a decoder may use it (docs/speed.md).

package gemm

import "math"

// BF16PanelWidth is the number of columns per panel of B in the layout that
// [SgemmBF16Panels] reads (see [SumTermsBF16]).
const BF16PanelWidth = 32

// bf16MR is the most rows of A one kernel call covers.
const bf16MR = 14

// bf16Kernels adds an h×kp packed A panel of bfloat16 k pairs times a
// kp×BF16PanelWidth panel of B pairs to the h×BF16PanelWidth tile of c with
// row stride ldc; nil where the processor or build has no such kernels.
var bf16Kernels func(h, kp int, a, b []uint32, c []float32, ldc int)

// BF16Available reports whether [SgemmBF16Panels] runs on assembly kernels:
// the AVX-512 family is active and the processor has AVX512_BF16.
// Elsewhere it computes the same sums in Go, far more slowly than [Sgemm].
func BF16Available() bool { return bf16Kernels != nil && ActiveKernel() == AVX512 }

// RoundBF16 returns v rounded to bfloat16, to nearest with ties to even, as
// the upper 16 bits of a float32. Infinities stay infinite; NaNs are not
// expected (they may come out as infinities).
func RoundBF16(v float32) uint16 {
	u := math.Float32bits(v)
	return uint16((u + 0x7fff + (u >> 16 & 1)) >> 16)
}

// packBF16Pair returns a k pair of bfloat16 values as one word, the first
// in the low half, the layout VDPBF16PS reads.
func packBF16Pair(lo, hi float32) uint32 {
	return uint32(RoundBF16(lo)) | uint32(RoundBF16(hi))<<16
}

// bf16Float returns the float32 value of a bfloat16.
func bf16Float(h uint32) float32 { return math.Float32frombits(h << 16) }

// PackedBF16 is an m×k matrix A rounded to bfloat16 and packed in k pairs
// for [SgemmBF16Panels]. Create it with [PackBF16].
type PackedBF16 struct {
	m, k, kp int
	// Row panel p covers rows [rows[p], rows[p+1]) and starts at
	// data[rows[p]·kp]; each pair step holds one word per row.
	rows []int
	data []uint32
}

// PackBF16 rounds the row-major m×k matrix a (row stride lda) to bfloat16
// and packs it for [SgemmBF16Panels]; an odd k gets a zero pair partner.
// The result does not refer to a. It panics if a dimension is negative or
// a is too short.
func PackBF16(m, k int, a []float32, lda int) *PackedBF16 {
	if m < 0 || k < 0 {
		panic("gemm: negative dimension")
	}
	if m > 0 && k > 0 && (lda < k || len(a) < (m-1)*lda+k) {
		panic("gemm: slice too short for shape")
	}
	kp := (k + 1) / 2
	pa := &PackedBF16{m: m, k: k, kp: kp, data: make([]uint32, m*kp)}
	// Panels of nearly equal height: a remainder panel of one or two rows
	// would run at a fraction of the kernel's rate.
	np := max(1, (m+bf16MR-1)/bf16MR)
	for p := 0; p <= np; p++ {
		pa.rows = append(pa.rows, p*m/np)
	}
	for p := 0; p < np; p++ {
		r0, r1 := pa.rows[p], pa.rows[p+1]
		h := r1 - r0
		panel := pa.data[r0*kp : r1*kp]
		for i := 0; i < h; i++ {
			row := a[(r0+i)*lda : (r0+i)*lda+k]
			for q := 0; q < kp; q++ {
				var hi float32
				if 2*q+1 < k {
					hi = row[2*q+1]
				}
				panel[q*h+i] = packBF16Pair(row[2*q], hi)
			}
		}
	}
	return pa
}

// SgemmBF16Panels computes C += A·B on the calling goroutine, with A from
// pa and the k×n matrix B in bfloat16 pair panels: columns [j·w, j·w+w) of
// B, w = [BF16PanelWidth], are stored from bp[j·kp·w] as kp = ⌈k/2⌉ pair
// steps of w words, each word holding rows 2q (low half) and 2q+1 (high
// half) of one column, as [SumTermsBF16] writes them. Columns of the last
// panel past n are read but do not affect C. Each element of C gets the
// sum over pair steps, in increasing order, of both products of the pair
// (exact in float32), added to a float32 accumulator that starts at zero;
// the accumulator is then added to C. It panics if a slice is too short
// for the shape.
func SgemmBF16Panels(pa *PackedBF16, n int, bp []uint32, c []float32, ldc int) {
	m, kp := pa.m, pa.kp
	if n < 0 {
		panic("gemm: negative dimension")
	}
	if m == 0 || n == 0 || kp == 0 {
		return
	}
	const w = BF16PanelWidth
	np := (n + w - 1) / w
	if ldc < n || len(c) < (m-1)*ldc+n || len(bp) < np*kp*w {
		panic("gemm: slice too short for shape")
	}
	kern := bf16Kernels
	if !BF16Available() {
		kern = kernBGo
	}
	// A partial last panel is computed into a scratch tile (pooled: a
	// local array would escape through kern and be allocated per call).
	var tile []float32
	if n%w != 0 {
		ws := getWorkspace()
		defer putWorkspace(ws)
		ws.tile = grow(ws.tile, bf16MR*w)
		tile = ws.tile
	}
	for p := 0; p+1 < len(pa.rows); p++ {
		r0, r1 := pa.rows[p], pa.rows[p+1]
		h := r1 - r0
		ap := pa.data[r0*kp : r1*kp]
		for j := 0; j < np; j++ {
			b := bp[j*kp*w : (j+1)*kp*w]
			ci := r0*ldc + j*w
			if cols := min(w, n-j*w); cols < w {
				t := tile[:h*w]
				clear(t)
				kern(h, kp, ap, b, t, w)
				for i := 0; i < h; i++ {
					row := c[ci+i*ldc : ci+i*ldc+cols]
					for jj := range row {
						row[jj] += t[i*w+jj]
					}
				}
				continue
			}
			kern(h, kp, ap, b, c[ci:ci+(h-1)*ldc+w], ldc)
		}
	}
}

// kernBGo is the Go kernel of SgemmBF16Panels. VDPBF16PS adds a pair's
// products to the accumulator one after the other, the high one first, each
// sum rounded to nearest (Intel SDM); denormal operands and results, which
// it flushes to zero, do not occur at the scale of the layers' values.
func kernBGo(h, kp int, a, b []uint32, c []float32, ldc int) {
	const w = BF16PanelWidth
	b = b[:kp*w]
	for i := 0; i < h; i++ {
		var acc [w]float32
		for q := 0; q < kp; q++ {
			x := a[q*h+i]
			alo, ahi := bf16Float(x&0xffff), bf16Float(x>>16)
			bq := b[q*w : q*w+w]
			for j := range acc {
				acc[j] += float32(ahi * bf16Float(bq[j]>>16))
				acc[j] += float32(alo * bf16Float(bq[j]&0xffff))
			}
		}
		ci := c[i*ldc : i*ldc+w]
		for j, v := range acc {
			ci[j] += v
		}
	}
}

// SumTermsBF16 computes the sums of [SumTerms] for rows 2p and 2p+1 (p <
// pairs) and stores them rounded to bfloat16 ([RoundBF16]) as k pairs, in
// the panels of B that [SgemmBF16Panels] reads (w = BF16PanelWidth):
//
//	dst[(i/w)·pairs·w + p·w + i%w] = RoundBF16(s(2p, i)) | RoundBF16(s(2p+1, i))<<16,
//	s(r, i) = c[0]·src[r·lds+off[0]+i] + … + c[3]·src[r·lds+off[3]+i],
//
// for i < n, each product rounded to float32 and the four terms (zero
// coefficients included) added left to right. Words of the last panel
// past n are left as they are. It panics if a slice is too short or an
// offset is negative.
func SumTermsBF16(dst []uint32, src []float32, lds int, off *[4]int, c *[4]float32, pairs, n int) {
	if pairs <= 0 || n <= 0 {
		return
	}
	const w = BF16PanelWidth
	if len(dst) < (n-1)/w*pairs*w+(pairs-1)*w+(n-1)%w+1 {
		panic("gemm: SumTermsBF16 destination too short")
	}
	hi := 0
	for _, o := range off {
		if o < 0 {
			panic("gemm: SumTermsBF16 negative offset")
		}
		hi = max(hi, o)
	}
	if lds < 0 || len(src) < (2*pairs-1)*lds+hi+n {
		panic("gemm: SumTermsBF16 source too short")
	}
	done := sumTermsBF16Asm(dst, src, lds, off, c, pairs, n)
	if done == n {
		return
	}
	sum := func(s []float32, i int) float32 {
		v := float32(c[0] * s[off[0]+i])
		v += float32(c[1] * s[off[1]+i])
		v += float32(c[2] * s[off[2]+i])
		v += float32(c[3] * s[off[3]+i])
		return v
	}
	for p := 0; p < pairs; p++ {
		s0, s1 := src[2*p*lds:], src[(2*p+1)*lds:]
		for i := done; i < n; i++ {
			dst[i/w*pairs*w+p*w+i%w] = packBF16Pair(sum(s0, i), sum(s1, i))
		}
	}
}

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
// 1/√norm[i] to a relative error below 2⁻²¹ (r = 0 where norm[i] = +Inf),
// for the GDNs of encoder-only layers. With the bfloat16 kernels it uses
// VRSQRT14PS and one Newton step for every element (the same bits for an
// element wherever it lies in x), several times faster than the correctly
// rounded [DivSqrt], whose result it is elsewhere. It panics if norm is
// shorter than x.
func DivSqrtApprox(x, norm []float32) {
	norm = norm[:len(x)]
	for i := divSqrtApproxAsm(x, norm); i < len(x); i++ {
		x[i] /= sqrt32(norm[i])
	}
}

// Deinterleave4RowsBF16 is [Deinterleave4Rows] into bfloat16 planes: it
// sets dst[r·ldd + off[i mod 4] + ⌊i/4⌋] = RoundBF16(src[r·lds + i]) for
// r < rows and i < n, so that a layer's output can be stored for a
// bfloat16 consumer ([SumTermsBF16Half]) in half the bytes. It panics if an
// offset is negative or a slice is too short.
func Deinterleave4RowsBF16(dst []uint16, off *[4]int, ldd int, src []float32, lds, n, rows int) {
	if rows <= 0 || n <= 0 {
		return
	}
	for k, o := range off {
		if cnt := (n - k + 3) / 4; cnt > 0 && (o < 0 || len(dst) < (rows-1)*ldd+o+cnt) {
			panic("gemm: Deinterleave4RowsBF16 destination too short")
		}
	}
	if ldd < 0 || lds < n || len(src) < (rows-1)*lds+n {
		panic("gemm: Deinterleave4RowsBF16 source too short")
	}
	if deinterleave4RowsBF16Asm(dst, off, ldd, src, lds, n, rows) {
		return
	}
	for r := 0; r < rows; r++ {
		f := src[r*lds : r*lds+n]
		for k := 0; k < 4 && k < n; k++ {
			d := dst[r*ldd+off[k]:]
			for i := k; i < n; i += 4 {
				d[i/4] = RoundBF16(f[i])
			}
		}
	}
}

// SumTermsBF16Half is [SumTermsBF16] on a source of bfloat16 values (the
// upper halves of float32s): the sums are taken in float32 from the
// widened values and rounded to bfloat16 again.
func SumTermsBF16Half(dst []uint32, src []uint16, lds int, off *[4]int, c *[4]float32, pairs, n int) {
	if pairs <= 0 || n <= 0 {
		return
	}
	const w = BF16PanelWidth
	if len(dst) < (n-1)/w*pairs*w+(pairs-1)*w+(n-1)%w+1 {
		panic("gemm: SumTermsBF16Half destination too short")
	}
	hi := 0
	for _, o := range off {
		if o < 0 {
			panic("gemm: SumTermsBF16Half negative offset")
		}
		hi = max(hi, o)
	}
	if lds < 0 || len(src) < (2*pairs-1)*lds+hi+n {
		panic("gemm: SumTermsBF16Half source too short")
	}
	done := sumTermsBF16HalfAsm(dst, src, lds, off, c, pairs, n)
	if done == n {
		return
	}
	sum := func(s []uint16, i int) float32 {
		v := float32(c[0] * bf16Float(uint32(s[off[0]+i])))
		v += float32(c[1] * bf16Float(uint32(s[off[1]+i])))
		v += float32(c[2] * bf16Float(uint32(s[off[2]+i])))
		v += float32(c[3] * bf16Float(uint32(s[off[3]+i])))
		return v
	}
	for p := 0; p < pairs; p++ {
		s0, s1 := src[2*p*lds:], src[(2*p+1)*lds:]
		for i := done; i < n; i++ {
			dst[i/w*pairs*w+p*w+i%w] = packBF16Pair(sum(s0, i), sum(s1, i))
		}
	}
}
