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

// TestSgemmRowsIdentical checks that SgemmRows on rows scattered through a
// buffer gives the bits of Sgemm on the same rows gathered, for every
// family, including one switched to after packing.
func TestSgemmRowsIdentical(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 16))
		shapes := append(testShapes(r), shape{300, 700, 450}, shape{129, 5, 260}, shape{128, 1100, 1152})
		for _, sh := range shapes {
			ldc := sh.n + r.IntN(3)
			a := randSlice(r, sh.m*sh.k)
			src := randSlice(r, sh.n+200+r.IntN(500))
			rows := make([]int, sh.k)
			gathered := make([]float32, sh.k*sh.n)
			for p := range rows {
				rows[p] = r.IntN(len(src) - sh.n + 1)
				copy(gathered[p*sh.n:], src[rows[p]:rows[p]+sh.n])
			}
			c0 := randSlice(r, (sh.m-1)*ldc+sh.n)
			want := append([]float32(nil), c0...)
			Sgemm(sh.m, sh.n, sh.k, a, sh.k, gathered, sh.n, want, ldc)
			pa := PackA(sh.m, sh.k, a, sh.k)
			got := append([]float32(nil), c0...)
			SgemmRows(pa, sh.n, src, rows, got, ldc)
			requireBits(t, got, want, "%v", sh)

			prev := SetKernel(Generic)
			got = append(got[:0], c0...)
			want = append(want[:0], c0...)
			SgemmRows(pa, sh.n, src, rows, got, ldc)
			Sgemm(sh.m, sh.n, sh.k, a, sh.k, gathered, sh.n, want, ldc)
			SetKernel(prev)
			requireBits(t, got, want, "%v after switch", sh)
		}
	})
}

func TestSgemmRowsPanics(t *testing.T) {
	pa := PackA(2, 3, make([]float32, 6), 3)
	c := make([]float32, 8)
	expectPanics(t, map[string]func(){
		"rows count":   func() { SgemmRows(pa, 4, make([]float32, 10), []int{0, 1}, c, 4) },
		"row past end": func() { SgemmRows(pa, 4, make([]float32, 10), []int{0, 1, 7}, c, 4) },
		"negative row": func() { SgemmRows(pa, 4, make([]float32, 10), []int{0, -1, 2}, c, 4) },
		"short c":      func() { SgemmRows(pa, 4, make([]float32, 10), []int{0, 1, 2}, c[:7], 4) },
		"negative n":   func() { SgemmRows(pa, -1, make([]float32, 10), []int{0, 1, 2}, c, 4) },
	})
}

func requireBits(t *testing.T, got, want []float32, format string, args ...any) {
	t.Helper()
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf(format+": element %d = %v, want %v", append(args, i, got[i], want[i])...)
		}
	}
}

// TestSgemmPanelsIdentical lays B out in panels, with garbage past n in the
// last one, and requires the bits of Sgemm, also after a kernel switch.
func TestSgemmPanelsIdentical(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(19, 20))
		shapes := append(testShapes(r), shape{129, 70, 260}, shape{128, 64, 192})
		for _, sh := range shapes {
			ldc := sh.n + r.IntN(3)
			a := randSlice(r, sh.m*sh.k)
			b := randSlice(r, sh.k*sh.n)
			pa := PackA(sh.m, sh.k, a, sh.k)
			c0 := randSlice(r, (sh.m-1)*ldc+sh.n)
			for _, kern := range []Kernel{ActiveKernel(), Generic} {
				prev := SetKernel(kern)
				w := PanelWidth()
				np := (sh.n + w - 1) / w
				bp := randSlice(r, np*sh.k*w) // garbage where no column is
				for j := 0; j < sh.n; j++ {
					for p := 0; p < sh.k; p++ {
						bp[j/w*sh.k*w+p*w+j%w] = b[p*sh.n+j]
					}
				}
				want := append([]float32(nil), c0...)
				Sgemm(sh.m, sh.n, sh.k, a, sh.k, b, sh.n, want, ldc)
				got := append([]float32(nil), c0...)
				SgemmPanels(pa, sh.n, bp, got, ldc)
				SetKernel(prev)
				requireBits(t, got, want, "%v kernel %v", sh, kern)
			}
		}
	})
}

// TestPackACopy overwrites the matrix after packing it and requires the
// bits of Sgemm on the original, also after a kernel switch, when A has to
// be rebuilt from the panels.
func TestPackACopy(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, sh := range append(testShapes(r), shape{300, 40, 450}, shape{129, 33, 260}) {
			a := randSlice(r, sh.m*sh.k)
			orig := append([]float32(nil), a...)
			b := randSlice(r, sh.k*sh.n)
			pa := PackACopy(sh.m, sh.k, a, sh.k)
			for i := range a {
				a[i] = float32(i) // the caller reuses its buffer
			}
			requireBits(t, pa.Unpack(), orig, "%v Unpack", sh)
			for _, kern := range []Kernel{ActiveKernel(), Generic} {
				prev := SetKernel(kern)
				want := make([]float32, sh.m*sh.n)
				Sgemm(sh.m, sh.n, sh.k, orig, sh.k, b, sh.n, want, sh.n)
				got := make([]float32, sh.m*sh.n)
				SgemmPacked(pa, sh.n, b, sh.n, got, sh.n)
				SetKernel(prev)
				requireBits(t, got, want, "%v kernel %v", sh, kern)
			}
		}
	})
}

// expectPanics runs each function and fails the test for every one that
// does not panic.
func expectPanics(t *testing.T, fs map[string]func()) {
	t.Helper()
	for name, f := range fs {
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
