// This file implements the requantisation of the integer hyper-synthesis
// (docs/spec.md §5.4) over rows of accumulators: the element-wise step
// between its layers, which the decoder and the encoder both run and which
// must give the same integers on every machine.

package gemm

// RequantI16 sets dst[j·step] = clamp16(f(r)) for j < len(acc), with
//
//	r = clamp32((acc[j]·mult + 2^(shift−1)) >> shift)
//
// (an arithmetic shift) and f the identity or, with leaky, the integer
// LeakyReLU: r if r ≥ 0, else (r·slope) >> 16. The caller guarantees the
// ranges the specification sets: |acc[j]| < 2^38, 0 ≤ mult < 2^24, 1 ≤
// shift ≤ 62, 0 ≤ slope ≤ 2^16, so that no step overflows int64. step is 1
// or 2. It panics if dst is too short.
func RequantI16(dst []int16, step int, acc []int64, mult, shift int32, leaky bool, slope int32) {
	n := len(acc)
	if n == 0 {
		return
	}
	if step < 1 || step > 2 || len(dst) < (n-1)*step+1 {
		panic("gemm: RequantI16: bad destination")
	}
	for j := requantI16Asm(dst, step, acc, mult, shift, leaky, slope); j < n; j++ {
		r := requantOne(acc[j], mult, shift)
		if leaky && r < 0 {
			r = r * int64(slope) >> 16
		}
		dst[j*step] = int16(min(max(r, -1<<15), 1<<15-1))
	}
}

// RequantI32 sets dst[j] = r of [RequantI16] for j < len(acc), under the
// same ranges. It panics if dst is too short.
func RequantI32(dst []int32, acc []int64, mult, shift int32) {
	n := len(acc)
	if len(dst) < n {
		panic("gemm: RequantI32: bad destination")
	}
	for j := requantI32Asm(dst, acc, mult, shift); j < n; j++ {
		dst[j] = int32(requantOne(acc[j], mult, shift))
	}
}

// requantOne is r of RequantI16, as an int64.
func requantOne(a int64, mult, shift int32) int64 {
	r := (a*int64(mult) + int64(1)<<(shift-1)) >> shift
	return min(max(r, -1<<31), 1<<31-1)
}
