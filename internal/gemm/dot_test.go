// This file tests DotI16 against an exact int64 reference.

package gemm

import (
	"math/rand/v2"
	"testing"
)

// slowDot is the reference: exact int64 sums, wrapped to int32 at the end.
func slowDot(m, n, k int, a []int16, lda int, b []int16, ldb int, c []int32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := int64(c[i*ldc+j])
			for p := 0; p < k; p++ {
				s += int64(a[i*lda+p]) * int64(b[p*ldb+j])
			}
			c[i*ldc+j] = int32(s)
		}
	}
}

func randI16(r *rand.Rand, n int, extreme bool) []int16 {
	s := make([]int16, n)
	for i := range s {
		switch {
		case extreme && r.IntN(4) == 0:
			s[i] = -32768
		case extreme:
			s[i] = int16(r.Uint32())
		default:
			s[i] = int16(r.IntN(201) - 100)
		}
	}
	return s
}

func checkDot(t *testing.T, r *rand.Rand, sh shape, extreme bool) {
	t.Helper()
	m, n, k := sh.m, sh.n, sh.k
	lda, ldb, ldc := k+r.IntN(3), n+r.IntN(3), n+r.IntN(3)
	a := randI16(r, (m-1)*lda+k, extreme)
	b := randI16(r, (k-1)*ldb+n, extreme)
	c := make([]int32, (m-1)*ldc+n)
	for i := range c {
		c[i] = int32(r.Uint32())
	}
	want := append([]int32(nil), c...)
	slowDot(m, n, k, a, lda, b, ldb, want, ldc)
	DotI16(m, n, k, a, lda, b, ldb, c, ldc)
	for i := range c {
		if c[i] != want[i] {
			t.Fatalf("%v %v extreme=%v: element %d = %d, want %d", ActiveKernel(), sh, extreme, i, c[i], want[i])
		}
	}
}

func TestDotI16AgainstReference(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		shapes := append(testShapes(r), shape{130, 600, 1100}, shape{385, 70, 2600})
		for _, sh := range shapes {
			checkDot(t, r, sh, false)
			checkDot(t, r, sh, true)
		}
	})
}

// TestDotI16MinInt checks the one pair whose VPMADDWD sum, 2·(-32768)²,
// leaves the int32 range: it must wrap like the Go arithmetic.
func TestDotI16MinInt(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		const m, n, k = 3, 40, 6
		a := make([]int16, m*k)
		b := make([]int16, k*n)
		for i := range a {
			a[i] = -32768
		}
		for i := range b {
			b[i] = -32768
		}
		c := make([]int32, m*n)
		want := make([]int32, m*n)
		slowDot(m, n, k, a, k, b, n, want, n)
		DotI16(m, n, k, a, k, b, n, c, n)
		for i := range c {
			if c[i] != want[i] {
				t.Fatalf("element %d = %d, want %d", i, c[i], want[i])
			}
		}
	})
}

func TestDotI16Threads(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		sh := shape{200, 900, 800}
		a := randI16(r, sh.m*sh.k, true)
		b := randI16(r, sh.k*sh.n, true)
		want := make([]int32, sh.m*sh.n)
		slowDot(sh.m, sh.n, sh.k, a, sh.k, b, sh.n, want, sh.n)
		for _, th := range []int{1, 2, 3} {
			c := make([]int32, sh.m*sh.n)
			prev := SetMaxThreads(th)
			DotI16(sh.m, sh.n, sh.k, a, sh.k, b, sh.n, c, sh.n)
			SetMaxThreads(prev)
			for i := range c {
				if c[i] != want[i] {
					t.Fatalf("threads=%d: element %d = %d, want %d", th, i, c[i], want[i])
				}
			}
		}
	})
}

func TestDotI16Panics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	DotI16(2, 2, 2, make([]int16, 3), 2, make([]int16, 4), 2, make([]int32, 4), 2)
}
