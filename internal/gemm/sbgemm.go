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
// [SgemmBF16Panels] reads (see [SumSepBF16]).
const BF16PanelWidth = 32

// bf16MR is the most rows of A one kernel call covers.
const bf16MR = 14

// bf16Kernels adds an h×kp packed A panel of bfloat16 k pairs times a
// kp×BF16PanelWidth panel of B pairs to the h×BF16PanelWidth tile of c with
// row stride ldc; nil where the processor or build has no such kernels.
var bf16Kernels func(h, kp int, a, b []uint32, c []float32, ldc int)

// bf16SetKernels stores the tile instead, C = A·B (the kernS family).
var bf16SetKernels func(h, kp int, a, b []uint32, c []float32, ldc int)

// BF16Available reports whether [SgemmBF16Panels] runs on assembly kernels:
// the AVX-512 family is active and the processor has AVX512_BF16.
// Elsewhere it computes the same sums in Go, far more slowly than [Sgemm].
func BF16Available() bool { return bf16Kernels != nil && ActiveKernel() == AVX512 }

// RoundBF16 returns v rounded to bfloat16, as the upper 16 bits of a
// float32, the way the processor's VCVTNE2PS2BF16 does, which the assembly
// helpers use: to nearest with ties to even; subnormal values become zero
// of the same sign (VDPBF16PS would read them as zero anyway); NaNs stay
// NaNs, made quiet. Finite values beyond the largest bfloat16 round to
// infinity.
func RoundBF16(v float32) uint16 {
	u := math.Float32bits(v)
	switch {
	case u&0x7f800000 == 0:
		return uint16(u>>16) & 0x8000
	case u&0x7fffffff > 0x7f800000:
		return uint16(u>>16) | 0x40
	}
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
// half) of one column, as [SumSepBF16] writes them. Columns of the last
// panel past n are read but do not affect C. Each element of C gets the
// sum over pair steps, in increasing order, of both products of the pair
// (exact in float32), added to a float32 accumulator that starts at zero;
// the accumulator is then added to C. It panics if a slice is too short
// for the shape.
func SgemmBF16Panels(pa *PackedBF16, n int, bp []uint32, c []float32, ldc int) {
	sgemmBF16Panels(pa, n, bp, c, ldc, false)
}

// SgemmBF16PanelsSet is [SgemmBF16Panels] storing the product instead of
// adding it, C = A·B, so that C need not be cleared or filled first: each
// element of C gets the float32 accumulator itself. (C + acc for a C that
// was filled with β is the same float32 sum as acc + β added later.)
func SgemmBF16PanelsSet(pa *PackedBF16, n int, bp []uint32, c []float32, ldc int) {
	sgemmBF16Panels(pa, n, bp, c, ldc, true)
}

func sgemmBF16Panels(pa *PackedBF16, n int, bp []uint32, c []float32, ldc int, set bool) {
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
	if set {
		kern = bf16SetKernels
	}
	if !BF16Available() {
		kern = kernBGo
		if set {
			kern = kernSGo
		}
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
					if set {
						copy(row, t[i*w:])
						continue
					}
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
	kernBGoTo(h, kp, a, b, c, ldc, false)
}

// kernSGo is kernBGo storing the tile (the kernS family's Go kernel).
func kernSGo(h, kp int, a, b []uint32, c []float32, ldc int) {
	kernBGoTo(h, kp, a, b, c, ldc, true)
}

func kernBGoTo(h, kp int, a, b []uint32, c []float32, ldc int, set bool) {
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
		if set {
			copy(ci, acc[:])
			continue
		}
		for j, v := range acc {
			ci[j] += v
		}
	}
}
