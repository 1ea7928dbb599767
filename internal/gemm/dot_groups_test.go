package gemm

import (
	"math/rand/v2"
	"testing"
)

// refDotGroups is the definition of DotI16Groups: each group's sum wraps in
// int32, the group sums add up in int64.
func refDotGroups(m, n, k, group int, a []int16, lda int, acol []int, b []int16, brow []int, c []int64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			for g0 := 0; g0 < k; g0 += group {
				var s int32
				for p := g0; p < min(k, g0+group); p++ {
					s += int32(a[i*lda+acol[p]]) * int32(b[brow[p]+j])
				}
				c[i*ldc+j] += int64(s)
			}
		}
	}
}

func TestDotI16GroupsMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kern := range []Kernel{Generic, AVX2, AVX512} {
		if !kern.Available() {
			continue
		}
		prev := SetKernel(kern)
		for trial := 0; trial < 40; trial++ {
			m, n := 1+rng.IntN(30), 1+rng.IntN(700)
			group := 1 + rng.IntN(200)
			k := 1 + rng.IntN(600)
			lda := 1 + rng.IntN(700)
			a := make([]int16, (m-1)*lda+lda)
			for i := range a {
				a[i] = int16(rng.Uint32())
			}
			acol := make([]int, k)
			for p := range acol {
				acol[p] = rng.IntN(lda)
			}
			b := make([]int16, n+rng.IntN(2000))
			for i := range b {
				b[i] = int16(rng.Uint32())
			}
			brow := make([]int, k)
			for p := range brow {
				brow[p] = rng.IntN(len(b) - n + 1)
			}
			ldc := n + rng.IntN(3)
			want := make([]int64, (m-1)*ldc+n)
			for i := range want {
				want[i] = int64(rng.Uint64() >> 20)
			}
			got := append([]int64(nil), want...)
			refDotGroups(m, n, k, group, a, lda, acol, b, brow, want, ldc)
			DotI16Groups(PackI16Groups(m, group, a, lda, acol), n, b, brow, got, ldc)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v m=%d n=%d k=%d group=%d: c[%d]=%d, want %d", kern, m, n, k, group, i, got[i], want[i])
				}
			}
		}
		SetKernel(prev)
	}
}

func TestDotI16GroupsPanics(t *testing.T) {
	a := make([]int16, 8)
	pa := PackI16Groups(2, 2, a, 4, []int{0, 1, 2})
	for name, f := range map[string]func(){
		"acol":  func() { PackI16Groups(2, 2, a, 4, []int{4}) },
		"brow":  func() { DotI16Groups(pa, 4, make([]int16, 4), []int{0, 0, 1}, make([]int64, 8), 4) },
		"k":     func() { DotI16Groups(pa, 4, make([]int16, 4), []int{0, 0}, make([]int64, 8), 4) },
		"short": func() { DotI16Groups(pa, 4, make([]int16, 4), []int{0, 0, 0}, make([]int64, 7), 4) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
