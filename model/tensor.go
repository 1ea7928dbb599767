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
// and the next image instead of being reallocated.
var floatPools [64]sync.Pool

// getFloats returns a slice of length n with undefined contents.
func getFloats(n int) []float32 {
	if n <= 0 {
		return nil
	}
	b := bits.Len(uint(n - 1))
	if v := floatPools[b].Get(); v != nil {
		return (*v.(*[]float32))[:n]
	}
	return make([]float32, n, 1<<b)
}

// putFloats returns s to the pool; s must not be used afterwards.
func putFloats(s []float32) {
	c := cap(s)
	if c == 0 || c&(c-1) != 0 {
		return
	}
	s = s[:c]
	floatPools[bits.Len(uint(c-1))].Put(&s)
}

// halfPools holds bfloat16 planes (source.half) by capacity class, like
// floatPools.
var halfPools [64]sync.Pool

// getHalves returns a slice of length n with undefined contents.
func getHalves(n int) []uint16 {
	if n <= 0 {
		return nil
	}
	b := bits.Len(uint(n - 1))
	if v := halfPools[b].Get(); v != nil {
		return (*v.(*[]uint16))[:n]
	}
	return make([]uint16, n, 1<<b)
}

// putHalves returns s to the pool; s must not be used afterwards.
func putHalves(s []uint16) {
	c := cap(s)
	if c == 0 || c&(c-1) != 0 {
		return
	}
	s = s[:c]
	halfPools[bits.Len(uint(c-1))].Put(&s)
}

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
