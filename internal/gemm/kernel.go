// This file implements the choice of micro-kernel family at run time.

package gemm

import (
	"fmt"
	"sync/atomic"
)

// Kernel names a family of micro-kernels.
type Kernel int32

// The kernel families. Generic is pure Go and always available.
const (
	Generic Kernel = iota
	AVX2           // AVX2 and FMA3, 6×16 float tiles
	AVX512         // AVX-512 F and BW, 14×32 float tiles
)

// String returns the family's lower-case name, as used in benchmark names.
func (k Kernel) String() string {
	switch k {
	case Generic:
		return "generic"
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	}
	return fmt.Sprintf("Kernel(%d)", int32(k))
}

// Available reports whether k can run on this processor and build.
func (k Kernel) Available() bool {
	return k == Generic || (k > Generic && k <= AVX512 && floatFamilies[k] != nil)
}

var active atomic.Int32

// The architecture files register their families while package-level
// variables are initialised, which precedes every init function.
func init() { active.Store(int32(bestKernel())) }

// bestKernel returns the fastest available family.
func bestKernel() Kernel {
	for k := AVX512; k > Generic; k-- {
		if k.Available() {
			return k
		}
	}
	return Generic
}

// SetKernel selects the kernel family used by later calls of [Sgemm] and
// [DotI16] and returns the previous one. It exists so that tests and
// benchmarks can force the pure-Go path. It panics if k is not
// [Kernel.Available].
func SetKernel(k Kernel) (prev Kernel) {
	if !k.Available() {
		panic("gemm: kernel " + k.String() + " not available")
	}
	return Kernel(active.Swap(int32(k)))
}

// ActiveKernel returns the kernel family in use.
func ActiveKernel() Kernel { return Kernel(active.Load()) }

// floatKernels is one family of float32 micro-kernels: call(h, kc, a, b,
// c, ldc) adds the product of an h×kc packed A panel and a kc×nr packed B
// panel to the h×nr tile of c with row stride ldc, for 1 <= h <= mr.
type floatKernels struct {
	mr, nr int
	call   func(mr, kc int, a, b, c []float32, ldc int)
}

// floatFamilies is filled by the architecture files; nil entries are
// unavailable.
var floatFamilies = [AVX512 + 1]*floatKernels{Generic: &genericFloat}

func activeFloat() *floatKernels { return floatFamilies[ActiveKernel()] }
