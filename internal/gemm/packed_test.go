// This file tests that PackA and SgemmPacked match Sgemm bit for bit.

package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSgemmPackedIdentical checks that SgemmPacked gives exactly the bits
// of Sgemm, for every family, thread count and a family switch after
// packing.
func TestSgemmPackedIdentical(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		shapes := append(testShapes(r), shape{300, 700, 450}, shape{129, 5, 260}, shape{700, 40, 300})
		for _, sh := range shapes {
			lda, ldb, ldc := sh.k+r.IntN(3), sh.n+r.IntN(3), sh.n+r.IntN(3)
			a := randSlice(r, (sh.m-1)*lda+sh.k)
			b := randSlice(r, (sh.k-1)*ldb+sh.n)
			c0 := randSlice(r, (sh.m-1)*ldc+sh.n)
			want := append([]float32(nil), c0...)
			Sgemm(sh.m, sh.n, sh.k, a, lda, b, ldb, want, ldc)
			pa := PackA(sh.m, sh.k, a, lda)
			for _, th := range []int{1, 2, 3} {
				got := append([]float32(nil), c0...)
				prev := SetMaxThreads(th)
				SgemmPacked(pa, sh.n, b, ldb, got, ldc)
				SetMaxThreads(prev)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%v threads=%d: element %d = %v, Sgemm gave %v", sh, th, i, got[i], want[i])
					}
				}
			}
			// After a family switch the packed layout no longer fits and
			// SgemmPacked must fall back to Sgemm.
			prev := SetKernel(Generic)
			got := append([]float32(nil), c0...)
			want2 := append([]float32(nil), c0...)
			SgemmPacked(pa, sh.n, b, ldb, got, ldc)
			Sgemm(sh.m, sh.n, sh.k, a, lda, b, ldb, want2, ldc)
			SetKernel(prev)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want2[i]) {
					t.Fatalf("%v after switch: element %d = %v, want %v", sh, i, got[i], want2[i])
				}
			}
		}
	})
}

func TestPackAEmpty(t *testing.T) {
	pa := PackA(0, 3, nil, 3)
	SgemmPacked(pa, 4, make([]float32, 12), 4, nil, 4)
	pa = PackA(2, 0, nil, 0)
	SgemmPacked(pa, 4, nil, 4, make([]float32, 8), 4)
}
