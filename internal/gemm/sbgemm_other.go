// This file stands in for the bfloat16 assembly where it is not built.

//go:build !amd64 || noasm || !gc

package gemm

func squarePairsBF16Asm(dst []uint32, ldd int, src []float32, lds, pairs, n int) int {
	return 0
}

func gatherPairsBF16Asm(dst []uint32, ldd int, src []float32, rows []int, n int, scale float32) int {
	return 0
}

func divSqrtApproxAsm(x, norm []float32, beta float32) int { return 0 }

func roundRowsBF16Asm(dst []uint16, ldd int, src []float32, lds, n, rows int) bool {
	return false
}

func deinterleave4RowsBF16Asm(dst []uint16, off *[4]int, ldd int, src []float32, lds, n, rows int) bool {
	return false
}

func sumSepBF16Asm(dst []uint32, dstStride int, src []float32, lds int, plan *sepPlan, pairs, n int) int {
	return 0
}

func sumSepBF16HalfAsm(dst []uint32, dstStride int, src []uint16, lds int, plan *sepPlan, pairs, n int) int {
	return 0
}

func sum2DBF16Asm(dst []uint32, src []uint16, plan *sep2Plan, pairs, n int) bool { return false }
