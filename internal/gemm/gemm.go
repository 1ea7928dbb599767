// Package gemm implements the matrix multiplies that the layers of package
// model are built on: a float32 GEMM for the float transforms and an exact
// int16 GEMM for the integer hyper-synthesis.
//
// On amd64 both use AVX-512 or AVX2 micro-kernels chosen at run time; other
// architectures, gccgo and the noasm build tag use a pure-Go kernel.
// Large products are split across goroutines. The split never changes a
// result: every element of C is summed over k in the same order whatever
// the number of goroutines, so [Sgemm] is deterministic for a given kernel
// family. Different families (or architectures) may differ in the last bits
// of float results, because the assembly uses fused multiply-adds.
package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Sgemm computes C += A·B for row-major matrices: A is m×k with row stride
// lda, B is k×n with row stride ldb, C is m×n with row stride ldc.
// It panics if a dimension is negative or a slice is too short for the
// shape it is given.
func Sgemm(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
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
	p := fproblem{
		m: m, n: n, k: k,
		a: a, ars: lda, acs: 1,
		b: b, brs: ldb, bcs: 1,
		c: c, crs: ldc, ccs: 1,
	}
	fk := activeFloat()
	// A thin C (few columns) is computed as Cᵀ = Bᵀ·Aᵀ so that the wide
	// dimension fills the vector lanes. The per-element operations are the
	// same, so the result does not change.
	if n < fk.nr && m > n {
		p = p.transpose()
	}
	parallel(p.m, p.n, p.k, fk.mr, fk.nr, func(i0, i1, j0, j1 int) {
		q := p.sub(i0, i1, j0, j1)
		ws := getWorkspace()
		q.run(fk, ws)
		putWorkspace(ws)
	})
}

// maxThreads is the goroutine limit set by [SetMaxThreads]; 0 means
// GOMAXPROCS.
var maxThreads atomic.Int32

// SetMaxThreads sets how many goroutines one call of [Sgemm] or [DotI16]
// may use and returns the previous setting. n <= 0 means GOMAXPROCS, the
// default. Results do not depend on this setting.
func SetMaxThreads(n int) (prev int) {
	if n < 0 {
		n = 0
	}
	return int(maxThreads.Swap(int32(n)))
}

func threads() int {
	if t := int(maxThreads.Load()); t > 0 {
		return t
	}
	return runtime.GOMAXPROCS(0)
}

// minParallelWork is the number of multiply-adds below which a product runs
// on the calling goroutine: starting goroutines costs more than it saves.
const minParallelWork = 1 << 20

// parallel splits an m×n output into at most threads() blocks along the
// dimension with more register tiles, keeping block edges on tile
// boundaries, and runs f on each block.
func parallel(m, n, k, mr, nr int, f func(i0, i1, j0, j1 int)) {
	t := threads()
	if t <= 1 || m*n*k < minParallelWork {
		f(0, m, 0, n)
		return
	}
	mt, nt := (m+mr-1)/mr, (n+nr-1)/nr
	splitRows := mt > nt
	tiles, tile := nt, nr
	if splitRows {
		tiles, tile = mt, mr
	}
	t = min(t, tiles)
	if t <= 1 {
		f(0, m, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < t; w++ {
		lo := tiles * w / t * tile
		hi := min(tiles*(w+1)/t*tile, n)
		if splitRows {
			hi = min(tiles*(w+1)/t*tile, m)
		}
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if splitRows {
				f(lo, hi, 0, n)
			} else {
				f(0, m, lo, hi)
			}
		}()
	}
	wg.Wait()
}
