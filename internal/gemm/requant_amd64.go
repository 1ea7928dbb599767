// This file declares the requantisation assembly of requant_amd64.s.

//go:build amd64 && !noasm && gc

package gemm

import "github.com/aezip/aezip/internal/cpu"

// requantI16AVX512 is RequantI16 for n a positive multiple of 8 (leaky 0
// or 1, round = 2^(shift−1)); requantI32AVX512 is RequantI32 for the same
// n. They need AVX-512 DQ for the 64-bit products (VPMULLQ) and the sign
// masks (VPMOVQ2M).
//
//go:noescape
func requantI16AVX512(dst *int16, step int, acc *int64, n int, mult, round, shift int64, leaky int, slope int64)

//go:noescape
func requantI32AVX512(dst *int32, acc *int64, n int, mult, round, shift int64)

var hasRequant = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL

func requantI16Asm(dst []int16, step int, acc []int64, mult, shift int32, leaky bool, slope int32) int {
	n8 := len(acc) &^ 7
	if n8 == 0 || !hasRequant || ActiveKernel() != AVX512 {
		return 0
	}
	var l int
	if leaky {
		l = 1
	}
	requantI16AVX512(&dst[0], step, &acc[0], n8, int64(mult), int64(1)<<(shift-1), int64(shift), l, int64(slope))
	return n8
}

func requantI32Asm(dst []int32, acc []int64, mult, shift int32) int {
	n8 := len(acc) &^ 7
	if n8 == 0 || !hasRequant || ActiveKernel() != AVX512 {
		return 0
	}
	requantI32AVX512(&dst[0], &acc[0], n8, int64(mult), int64(1)<<(shift-1), int64(shift))
	return n8
}
