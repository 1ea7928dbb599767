// This file implements the activation tensor, the scratch-buffer pool and the
// worker loop shared by the float layers, as specified in docs/spec.md §4.

package model

import (
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Tensor is a batch-1 activation in PyTorch CHW layout: element (c, y, x) is
// Data[(c*H+y)*W+x].
type Tensor struct {
	C, H, W int
	Data    []float32
}

// NewTensor returns a zeroed c×h×w tensor. It panics if a dimension is
// negative.
func NewTensor(c, h, w int) *Tensor {
	checkDims(c, h, w)
	return &Tensor{C: c, H: h, W: w, Data: make([]float32, c*h*w)}
}

func checkDims(c, h, w int) {
	if c < 0 || h < 0 || w < 0 {
		panic(fmt.Sprintf("model: negative tensor shape %d×%d×%d", c, h, w))
	}
}

// Len returns the number of elements, C·H·W.
func (t *Tensor) Len() int { return t.C * t.H * t.W }

// Plane returns channel c as a slice of H·W elements sharing t's storage.
func (t *Tensor) Plane(c int) []float32 {
	n := t.H * t.W
	return t.Data[c*n : (c+1)*n : (c+1)*n]
}

// At returns element (c, y, x).
func (t *Tensor) At(c, y, x int) float32 { return t.Data[(c*t.H+y)*t.W+x] }

// Set sets element (c, y, x) to v.
func (t *Tensor) Set(c, y, x int, v float32) { t.Data[(c*t.H+y)*t.W+x] = v }

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{C: t.C, H: t.H, W: t.W, Data: append([]float32(nil), t.Data[:t.Len()]...)}
}

// Reset reshapes t to c×h×w and zeroes it, reusing the storage when its
// capacity suffices, so one Tensor can serve as the destination of many
// calls.
func (t *Tensor) Reset(c, h, w int) {
	checkDims(c, h, w)
	n := c * h * w
	if cap(t.Data) >= n {
		t.Data = t.Data[:n]
		clear(t.Data)
	} else {
		t.Data = make([]float32, n)
	}
	t.C, t.H, t.W = c, h, w
}

// sameShape reports whether t is c×h×w with enough storage.
func (t *Tensor) sameShape(c, h, w int) bool {
	return t.C == c && t.H == h && t.W == w && len(t.Data) >= c*h*w
}

// Scratch buffers come in power-of-two size classes so that the large
// im2col and activation buffers of one image are reused by the next layer
// and the next image instead of being reallocated. A buffer that held the
// planes of a source (newSource) remembers their layout: its padding is
// still zero, and a source of the same layout that gets it need not clear
// the padding again.
var floatPools, halfPools [64]sync.Pool

// pooled is a buffer in a pool; if zero, its padding for layout pad is
// zero.
type pooled[T float32 | uint16] struct {
	s    []T
	pad  padKey
	zero bool
}

// getPooled returns a buffer of n elements with undefined contents from
// pools, and whether its padding for layout key is zero (as in a new
// buffer, which is all zero).
func getPooled[T float32 | uint16](pools *[64]sync.Pool, n int, key padKey) ([]T, bool) {
	if n <= 0 {
		return nil, false
	}
	b := bits.Len(uint(n - 1))
	if v := pools[b].Get(); v != nil {
		p := v.(*pooled[T])
		return p.s[:n], p.zero && p.pad == key
	}
	return make([]T, n, 1<<b), true
}

// putPooled returns s to pools (with zero, as the planes of layout key
// with their padding zero); s must not be used afterwards.
func putPooled[T float32 | uint16](pools *[64]sync.Pool, s []T, key padKey, zero bool) {
	c := cap(s)
	if c == 0 || c&(c-1) != 0 {
		return
	}
	pools[bits.Len(uint(c-1))].Put(&pooled[T]{s: s[:c], pad: key, zero: zero})
}

// getFloats returns a slice of length n with undefined contents.
func getFloats(n int) []float32 {
	s, _ := getPooled[float32](&floatPools, n, padKey{})
	return s
}

// putFloats returns s to the pool; s must not be used afterwards.
func putFloats(s []float32) { putPooled(&floatPools, s, padKey{}, false) }

// getHalves returns a slice of length n with undefined contents.
func getHalves(n int) []uint16 {
	s, _ := getPooled[uint16](&halfPools, n, padKey{})
	return s
}

// putHalves returns s to the pool; s must not be used afterwards.
func putHalves(s []uint16) { putPooled(&halfPools, s, padKey{}, false) }

// newPooledTensor returns a c×h×w tensor with undefined contents whose
// storage comes from the pool; release it with releaseTensor.
func newPooledTensor(c, h, w int) *Tensor {
	checkDims(c, h, w)
	return &Tensor{C: c, H: h, W: w, Data: getFloats(c * h * w)}
}

func releaseTensor(t *Tensor) {
	putFloats(t.Data)
	t.Data = nil
}

// parallelFor calls fn(i, scratch) for every i in [0, n) on up to workers
// goroutines (runtime.GOMAXPROCS when workers ≤ 0); each goroutine owns one
// scratch slice of scratchLen floats. Callers split their work into items
// whose boundaries depend only on the shapes, never on the number of
// goroutines, so the results are identical for every worker count.
func parallelFor(workers, n, scratchLen int, fn func(i int, scratch []float32)) {
	parallelItems(workers, n, func() []float32 { return getFloats(scratchLen) }, putFloats, fn)
}

// parallelItems runs fn(i, scratch) for every i in [0, n) on up to workers
// goroutines (runtime.GOMAXPROCS when workers ≤ 0), which take items in
// turn; each goroutine gets its scratch from get and hands it to put at the
// end. With one worker no goroutine is started.
func parallelItems[S any](workers, n int, get func() S, put func(S), fn func(i int, scratch S)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	if workers <= 1 {
		s := get()
		for i := 0; i < n; i++ {
			fn(i, s)
		}
		put(s)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := get()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					break
				}
				fn(i, s)
			}
			put(s)
		}()
	}
	wg.Wait()
}
