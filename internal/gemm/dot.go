// This file implements DotI16, the exact int16 product used by the integer
// hyper-synthesis: k is taken in pairs so that one VPMADDWD forms two
// products and their sum per lane.

package gemm

import "sync"

// DotI16 computes C += A·B for row-major int16 matrices with int32
// accumulation: A is m×k with row stride lda, B is k×n with row stride ldb,
// C is m×n with row stride ldc. Arithmetic wraps modulo 2³², so the result
// is the same bits for every kernel family, split and architecture; the
// caller guarantees that no exact sum leaves the int32 range if it needs
// the mathematical value. It panics if a dimension is negative or a slice
// is too short for the shape it is given.
func DotI16(m, n, k int, a []int16, lda int, b []int16, ldb int, c []int32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("gemm: negative dimension")
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if lda < k || ldb < n || ldc < n {
		panic("gemm: row stride shorter than row")
	}
	if len(a) < (m-1)*lda+k || len(b) < (k-1)*ldb+n || len(c) < (m-1)*ldc+n {
		panic("gemm: slice too short for shape")
	}
	dk := dotFamilies[ActiveKernel()]
	if dk == nil {
		parallel(m, n, k, 1, 1, func(i0, i1, j0, j1 int) {
			dotGo(i1-i0, j1-j0, k, a[i0*lda:], lda, b[j0:], ldb, c[i0*ldc+j0:], ldc)
		})
		return
	}
	parallel(m, n, k, dk.mr, dk.nr, func(i0, i1, j0, j1 int) {
		ws := getDotWorkspace()
		dotBlocked(dk, ws, i1-i0, j1-j0, k, a[i0*lda:], lda, b[j0:], ldb, c[i0*ldc+j0:], ldc)
		dotWorkspaces.Put(ws)
	})
}

// dotGo is the pure-Go DotI16. It takes four rows of A at a time so that
// each loaded element of B serves four multiply-adds.
func dotGo(m, n, k int, a []int16, lda int, b []int16, ldb int, c []int32, ldc int) {
	i := 0
	for ; i+4 <= m; i += 4 {
		c0 := c[i*ldc : i*ldc+n]
		c1 := c[(i+1)*ldc : (i+1)*ldc+n]
		c2 := c[(i+2)*ldc : (i+2)*ldc+n]
		c3 := c[(i+3)*ldc : (i+3)*ldc+n]
		for p := 0; p < k; p++ {
			a0, a1 := int32(a[i*lda+p]), int32(a[(i+1)*lda+p])
			a2, a3 := int32(a[(i+2)*lda+p]), int32(a[(i+3)*lda+p])
			if a0|a1|a2|a3 == 0 {
				continue
			}
			bp := b[p*ldb : p*ldb+n]
			c0, c1, c2, c3 := c0[:len(bp)], c1[:len(bp)], c2[:len(bp)], c3[:len(bp)]
			for j, bv := range bp {
				v := int32(bv)
				c0[j] += a0 * v
				c1[j] += a1 * v
				c2[j] += a2 * v
				c3[j] += a3 * v
			}
		}
	}
	for ; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for p, av := range a[i*lda : i*lda+k] {
			if av == 0 {
				continue
			}
			w := int32(av)
			bp := b[p*ldb : p*ldb+n]
			ci := ci[:len(bp)]
			for j, bv := range bp {
				ci[j] += w * int32(bv)
			}
		}
	}
}

// dotKernels is one family of int16 micro-kernels: call(h, kp, a, b, c,
// ldc) adds an h×kp packed A panel of k pairs times a kp×nr packed B panel
// of k pairs to the h×nr tile of c with row stride ldc.
type dotKernels struct {
	mr, nr int
	call   func(h, kp int, a []int32, b []int16, c []int32, ldc int)
	// groups, if set, adds to the h×nr int64 tile c (row stride ldc) the
	// products of n consecutive k groups of kp pairs each, whose A and B
	// panels lie astride and bstride elements apart: the same sums as
	// call and widenAddClear per group, with the int32 sums kept in
	// registers.
	groups func(n, h, kp int, a []int32, astride int, b []int16, bstride int, c []int64, ldc int)
}

// dotFamilies is filled by the architecture files; Generic stays nil and
// means dotGo.
var dotFamilies [AVX512 + 1]*dotKernels

type dotWorkspace struct {
	a      []int32
	b      []int16
	tile   []int32
	tile64 []int64 // DotI16Groups' int64 register-tile sums
}

var dotWorkspaces sync.Pool

func getDotWorkspace() *dotWorkspace {
	if ws, ok := dotWorkspaces.Get().(*dotWorkspace); ok {
		return ws
	}
	return &dotWorkspace{}
}

// Blocking of dotBlocked, in k values (kcDot/2 pairs).
const (
	kcDot = 512
	ncDot = 512
	mcDot = 240
)

// zeroRow stands in for the missing second row of an odd k range; it is
// as long as the widest panel.
var zeroRow [64]int16

// packPairStep writes one pair step of a B panel: r0[j] and r1[j] side by
// side for j < w, then zeros to the end of row. A nil r1 is a row of
// zeros (the pad of an odd k range).
func packPairStep(row, r0, r1 []int16, w int) {
	if r1 == nil {
		r1 = zeroRow[:w]
	}
	interleave16(row[:2*w], r0[:w], r1[:w])
	clear(row[2*w:])
}

func dotBlocked(dk *dotKernels, ws *dotWorkspace, m, n, k int, a []int16, lda int, b []int16, ldb int, c []int32, ldc int) {
	mr, nr := dk.mr, dk.nr
	mc := (mcDot + mr - 1) / mr * mr
	if cap(ws.a) < mc*kcDot/2 {
		ws.a = make([]int32, mc*kcDot/2)
	}
	if cap(ws.b) < kcDot*(ncDot+nr) {
		ws.b = make([]int16, kcDot*(ncDot+nr))
	}
	if cap(ws.tile) < mr*nr {
		ws.tile = make([]int32, mr*nr)
	}
	for jc := 0; jc < n; jc += ncDot {
		nc := min(ncDot, n-jc)
		for pc := 0; pc < k; pc += kcDot {
			kc := min(kcDot, k-pc)
			kp := (kc + 1) / 2
			// Pack B: panels of nr columns; pair step q holds, for each
			// column, rows pc+2q and pc+2q+1 side by side.
			for jr := 0; jr < nc; jr += nr {
				w := min(nr, nc-jr)
				panel := ws.b[2*jr*kp : 2*jr*kp+2*kp*nr]
				for q := 0; q < kp; q++ {
					var r1 []int16
					if 2*q+1 < kc {
						r1 = b[(pc+2*q+1)*ldb+jc+jr:]
					}
					packPairStep(panel[2*q*nr:2*q*nr+2*nr], b[(pc+2*q)*ldb+jc+jr:], r1, w)
				}
			}
			for ic := 0; ic < m; ic += mc {
				mcc := min(mc, m-ic)
				// Pack A: panels of mr rows; each word holds a k pair.
				for ir := 0; ir < mcc; ir += mr {
					h := min(mr, mcc-ir)
					panel := ws.a[ir*kp : ir*kp+h*kp]
					for i := 0; i < h; i++ {
						src := a[(ic+ir+i)*lda+pc : (ic+ir+i)*lda+pc+kc]
						for q := 0; q < kp; q++ {
							lo := uint32(uint16(src[2*q]))
							var hi uint32
							if 2*q+1 < kc {
								hi = uint32(uint16(src[2*q+1]))
							}
							panel[q*h+i] = int32(lo | hi<<16)
						}
					}
				}
				for ir := 0; ir < mcc; ir += mr {
					h := min(mr, mcc-ir)
					ap := ws.a[ir*kp : ir*kp+h*kp]
					for jr := 0; jr < nc; jr += nr {
						w := min(nr, nc-jr)
						bp := ws.b[2*jr*kp : 2*jr*kp+2*kp*nr]
						ci := (ic+ir)*ldc + jc + jr
						if w == nr {
							dk.call(h, kp, ap, bp, c[ci:ci+(h-1)*ldc+nr], ldc)
							continue
						}
						tile := ws.tile[:h*nr]
						clear(tile)
						dk.call(h, kp, ap, bp, tile, nr)
						for i := 0; i < h; i++ {
							row := c[ci+i*ldc : ci+i*ldc+w]
							for j := range row {
								row[j] += tile[i*nr+j]
							}
						}
					}
				}
			}
		}
	}
}
