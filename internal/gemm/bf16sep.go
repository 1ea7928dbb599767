// This file implements the separable input transform of a Winograd layer
// in bfloat16: where each row of the transform Bᵀ combines at most two
// samples, one row of the 2-D transform BᵀdB is shared by the seven
// products of that row, so the row sums are formed once and combined
// seven ways, instead of summing up to four samples for every product.

package gemm

// Sep describes one row of a separable transform over a tile's samples:
// first the seven column sums R(v) = x(Off[v][0]) + C1·x(Off[v][1]), then
// the seven outputs V(b) = R(Cols[b][0]) + C2[b]·R(Cols[b][1]). The
// coefficients C1 and C2 are −1, 0 or 1, so that each product is exact and
// each sum is rounded once.
type Sep struct {
	Off  [7][2]int // element offsets of the samples, ≥ 0
	C1   float32
	Cols [7][2]int // column indices, < 7
	C2   [7]float32
}

// sepPlan is a Sep as the assembly reads it: byte offsets of the samples
// and of the column sums in the scratch area (channel 2p at 0, 2p+1 at
// 448), the coefficients, and 7·dstStride in bytes.
type sepPlan struct {
	off  [7][2]int
	cols [7][2]int
	c1   float32
	c2   [7]float32
	back int
}

// SumSepBF16 writes the seven outputs of s for rows 2p and 2p+1 (p <
// pairs) of src (row stride lds) and columns i < n, rounded to bfloat16
// ([RoundBF16]) as k pairs, output b in the panels that start at
// dst[b·dstStride], in the panels of B that [SgemmBF16Panels] reads
// (w = BF16PanelWidth):
//
//	dst[b·dstStride + (i/w)·pairs·w + p·w + i%w] = RoundBF16(V(2p, b, i)) | RoundBF16(V(2p+1, b, i))<<16,
//	R(r, v, i) = x(r, s.Off[v][0]+i) + s.C1·x(r, s.Off[v][1]+i), x(r, j) = src[r·lds+j],
//	V(r, b, i) = R(r, s.Cols[b][0], i) + s.C2[b]·R(r, s.Cols[b][1], i).
//
// Words of the last panel past n are left as they are. It panics if s has
// another coefficient, a negative offset or a column out of range, or a
// slice is too short.
func SumSepBF16(dst []uint32, dstStride int, src []float32, lds int, s *Sep, pairs, n int) {
	sumSep(dst, dstStride, src, lds, s, pairs, n, sumSepBF16Asm, func(v float32) float32 { return v })
}

// SumSepBF16Half is [SumSepBF16] on a source of bfloat16 values (the upper
// halves of float32s), widened before the sums.
func SumSepBF16Half(dst []uint32, dstStride int, src []uint16, lds int, s *Sep, pairs, n int) {
	sumSep(dst, dstStride, src, lds, s, pairs, n, sumSepBF16HalfAsm, func(h uint16) float32 { return bf16Float(uint32(h)) })
}

func unitCoef(c float32) bool { return c == 0 || c == 1 || c == -1 }

func sumSep[T float32 | uint16](dst []uint32, dstStride int, src []T, lds int, s *Sep, pairs, n int,
	asm func([]uint32, int, []T, int, *sepPlan, int, int) int, widen func(T) float32) {
	if pairs <= 0 || n <= 0 {
		return
	}
	hi := 0
	ok := unitCoef(s.C1)
	for v := range s.Off {
		for k := range 2 {
			ok = ok && s.Off[v][k] >= 0 && s.Cols[v][k] >= 0 && s.Cols[v][k] < 7
			hi = max(hi, s.Off[v][k])
		}
		ok = ok && unitCoef(s.C2[v])
	}
	if !ok {
		panic("gemm: SumSepBF16: bad transform")
	}
	const w = BF16PanelWidth
	last := (n-1)/w*pairs*w + (pairs-1)*w + (n-1)%w + 1
	if dstStride < last || len(dst) < 6*dstStride+last {
		panic("gemm: SumSepBF16 destination too short")
	}
	if lds < 0 || len(src) < (2*pairs-1)*lds+hi+n {
		panic("gemm: SumSepBF16 source too short")
	}
	var elem T
	size := 4
	if _, half := any(elem).(uint16); half {
		size = 2
	}
	pl := sepPlan{c1: s.C1, c2: s.C2, back: 7 * 4 * dstStride}
	for v := range s.Off {
		for k := range 2 {
			pl.off[v][k] = size * s.Off[v][k]
			pl.cols[v][k] = 64 * s.Cols[v][k]
		}
	}
	done := asm(dst, dstStride, src, lds, &pl, pairs, n)
	if done == n {
		return
	}
	var r [2][7]float32
	for p := 0; p < pairs; p++ {
		for i := done; i < n; i++ {
			for c := range 2 {
				x := src[(2*p+c)*lds+i:]
				for v, o := range s.Off {
					r[c][v] = widen(x[o[0]]) + float32(s.C1*widen(x[o[1]]))
				}
			}
			for b, cb := range s.Cols {
				lo := r[0][cb[0]] + float32(s.C2[b]*r[0][cb[1]])
				hi := r[1][cb[0]] + float32(s.C2[b]*r[1][cb[1]])
				dst[b*dstStride+i/w*pairs*w+p*w+i%w] = packBF16Pair(lo, hi)
			}
		}
	}
}
