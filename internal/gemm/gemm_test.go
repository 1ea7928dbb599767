// This file tests Sgemm against a float64 reference, across kernel families
// and goroutine counts.

package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// slowSgemm is the float64 reference: C += A·B summed in float64.
func slowSgemm(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += float64(a[i*lda+p]) * float64(b[p*ldb+j])
			}
			c[i*ldc+j] += s
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

type shape struct{ m, n, k int }

func testShapes(r *rand.Rand) []shape {
	s := []shape{
		{1, 1, 1}, {1, 1, 7}, {3, 1, 5}, {1, 33, 2}, {14, 32, 1}, {15, 33, 3},
		{13, 31, 257}, {28, 64, 256}, {29, 65, 513}, {3, 200, 75}, {200, 3, 75},
		{128, 3, 300}, {3, 96, 1200}, {6, 16, 4}, {7, 17, 5}, {5, 700, 9},
		{230, 40, 30}, {64, 1100, 40},
	}
	for i := 0; i < 30; i++ {
		s = append(s, shape{1 + r.IntN(60), 1 + r.IntN(90), 1 + r.IntN(300)})
	}
	return s
}

// checkSgemm runs Sgemm on padded, strided operands and compares it with
// the float64 reference. The tolerance scales with the magnitude of the
// terms: k·max|a·b| bounds the rounding of any summation order.
func checkSgemm(t *testing.T, r *rand.Rand, sh shape) {
	t.Helper()
	m, n, k := sh.m, sh.n, sh.k
	lda, ldb, ldc := k+r.IntN(3), n+r.IntN(3), n+r.IntN(3)
	a := randSlice(r, (m-1)*lda+k)
	b := randSlice(r, (k-1)*ldb+n)
	c := randSlice(r, (m-1)*ldc+n)
	want := make([]float64, len(c))
	for i, v := range c {
		want[i] = float64(v)
	}
	slowSgemm(m, n, k, a, lda, b, ldb, want, ldc)
	Sgemm(m, n, k, a, lda, b, ldb, c, ldc)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var mag float64
			for p := 0; p < k; p++ {
				mag += math.Abs(float64(a[i*lda+p]) * float64(b[p*ldb+j]))
			}
			got, w := float64(c[i*ldc+j]), want[i*ldc+j]
			tol := 4e-7*(mag+math.Abs(w)) + 1e-6*float64(k)*1e-6
			if math.Abs(got-w) > tol || math.IsNaN(got) {
				t.Fatalf("%v %v: C[%d][%d] = %v, want %v (tol %g)", ActiveKernel(), sh, i, j, got, w, tol)
			}
		}
	}
	// The padding between rows of C must be untouched.
	for i := 0; i < m-1; i++ {
		for j := n; j < ldc; j++ {
			if float64(c[i*ldc+j]) != want[i*ldc+j] {
				t.Fatalf("%v %v: padding C[%d][%d] written", ActiveKernel(), sh, i, j)
			}
		}
	}
}

func forEachKernel(t *testing.T, f func(t *testing.T)) {
	for _, k := range []Kernel{Generic, AVX2, AVX512} {
		t.Run(k.String(), func(t *testing.T) {
			if !k.Available() {
				t.Skip("not available")
			}
			defer SetKernel(SetKernel(k))
			f(t)
		})
	}
}

func TestSgemmAgainstReference(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, sh := range testShapes(r) {
			checkSgemm(t, r, sh)
		}
	})
}

func TestSgemmLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, sh := range []shape{{131, 1030, 600}, {3, 2000, 3200}, {250, 5, 800}} {
			checkSgemm(t, r, sh)
		}
	})
}

// TestSgemmThreadsIdentical checks that the goroutine count never changes
// a single bit of the result, for every kernel family.
func TestSgemmThreadsIdentical(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, sh := range []shape{{128, 700, 300}, {300, 40, 600}, {3, 3000, 700}, {700, 3, 600}, {37, 333, 999}} {
			a := randSlice(r, sh.m*sh.k)
			b := randSlice(r, sh.k*sh.n)
			c0 := randSlice(r, sh.m*sh.n)
			var ref []float32
			for _, th := range []int{1, 2, 3, 5, 8} {
				c := append([]float32(nil), c0...)
				prev := SetMaxThreads(th)
				Sgemm(sh.m, sh.n, sh.k, a, sh.k, b, sh.n, c, sh.n)
				SetMaxThreads(prev)
				if ref == nil {
					ref = c
					continue
				}
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
						t.Fatalf("%v threads=%d: element %d = %v, 1 thread gave %v", sh, th, i, c[i], ref[i])
					}
				}
			}
		}
	})
}

// TestAsmFamiliesAgree checks that AVX2 and AVX-512, which perform the
// same fused operations in the same order, give identical bits.
func TestAsmFamiliesAgree(t *testing.T) {
	if !AVX2.Available() || !AVX512.Available() {
		t.Skip("needs AVX2 and AVX-512")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, sh := range testShapes(r) {
		a := randSlice(r, sh.m*sh.k)
		b := randSlice(r, sh.k*sh.n)
		c0 := randSlice(r, sh.m*sh.n)
		var out [2][]float32
		for i, k := range []Kernel{AVX2, AVX512} {
			prev := SetKernel(k)
			out[i] = append([]float32(nil), c0...)
			Sgemm(sh.m, sh.n, sh.k, a, sh.k, b, sh.n, out[i], sh.n)
			SetKernel(prev)
		}
		for i := range out[0] {
			if math.Float32bits(out[0][i]) != math.Float32bits(out[1][i]) {
				t.Fatalf("%v: element %d: avx2 %v, avx512 %v", sh, i, out[0][i], out[1][i])
			}
		}
	}
}

func TestSgemmPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"negative", func() { Sgemm(-1, 1, 1, nil, 1, nil, 1, nil, 1) }},
		{"short a", func() { Sgemm(2, 2, 2, make([]float32, 3), 2, make([]float32, 4), 2, make([]float32, 4), 2) }},
		{"short c", func() { Sgemm(2, 2, 2, make([]float32, 4), 2, make([]float32, 4), 2, make([]float32, 3), 2) }},
		{"stride", func() { Sgemm(2, 2, 2, make([]float32, 8), 1, make([]float32, 4), 2, make([]float32, 4), 2) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.f()
		})
	}
	// Zero sizes do nothing, even with nil slices.
	Sgemm(0, 5, 5, nil, 5, nil, 5, nil, 5)
}

func TestKernelNames(t *testing.T) {
	for _, k := range []Kernel{Generic, AVX2, AVX512, 9} {
		if k.String() == "" {
			t.Errorf("empty name for %d", k)
		}
	}
	if !Generic.Available() || Kernel(9).Available() {
		t.Error("availability wrong")
	}
	if !ActiveKernel().Available() {
		t.Error("active kernel unavailable")
	}
}
