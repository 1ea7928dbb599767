// This file declares the bfloat16 kernels of sbgemm_amd64.s and
// sbvec_amd64.s and registers them when the processor has AVX512_BF16.

//go:build amd64 && !noasm && gc

package gemm

import "github.com/aezip/aezip/internal/cpu"

// kernB512xMR adds an MR×kp panel of A (one word of two bfloat16 per row
// and pair step) times a kp×32 panel of B (32 words per pair step) to the
// MR×32 float32 tile at c with row stride ldc, as kernBGo does.

//go:noescape
func kernB512x1(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x2(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x3(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x4(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x5(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x6(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x7(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x8(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x9(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x10(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x11(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x12(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x13(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernB512x14(kp int, a, b *uint32, c *float32, ldc int)

// squarePairsBF16AVX512 is SquarePairsBF16 for n a positive multiple of 16.
//
//go:noescape
func squarePairsBF16AVX512(dst *uint32, ldd int, src *float32, lds, pairs, n int)

// gatherPairsBF16AVX512 is GatherPairsBF16 for an even number of rows
// (pairs > 0) and n a positive multiple of 16.
//
//go:noescape
func gatherPairsBF16AVX512(dst *uint32, ldd int, src *float32, rows *int, pairs, n int, scale float32)

// divSqrtApproxAVX512 is DivSqrtApprox for n > 0.
//
//go:noescape
func divSqrtApproxAVX512(x, norm *float32, n int, beta float32)

// deinterleave4RowsBF16AVX512 is Deinterleave4RowsBF16 for n, rows > 0.
//
//go:noescape
func deinterleave4RowsBF16AVX512(dst *uint16, off *[4]int, ldd int, src *float32, lds, n, rows int)

type asmBF16 func(kp int, a, b *uint32, c *float32, ldc int)

var (
	kernB512 = [...]asmBF16{nil, kernB512x1, kernB512x2, kernB512x3, kernB512x4,
		kernB512x5, kernB512x6, kernB512x7, kernB512x8, kernB512x9, kernB512x10,
		kernB512x11, kernB512x12, kernB512x13, kernB512x14}
	kernS512 = [...]asmBF16{nil, kernS512x1, kernS512x2, kernS512x3, kernS512x4,
		kernS512x5, kernS512x6, kernS512x7, kernS512x8, kernS512x9, kernS512x10,
		kernS512x11, kernS512x12, kernS512x13, kernS512x14}
)

// hasBF16 reports whether the processor runs the kernels above: they need
// AVX512_BF16 and use AVX-512 F registers and moves.
var hasBF16 = cpu.X86.HasAVX512BF16 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL

var _ = registerBF16()

func registerBF16() bool {
	if !hasBF16 {
		return true
	}
	wrap := func(tab []asmBF16) func(h, kp int, a, b []uint32, c []float32, ldc int) {
		return func(h, kp int, a, b []uint32, c []float32, ldc int) {
			_ = a[h*kp-1]
			_ = b[kp*BF16PanelWidth-1]
			_ = c[(h-1)*ldc+BF16PanelWidth-1]
			tab[h](kp, &a[0], &b[0], &c[0], ldc)
		}
	}
	bf16Kernels, bf16SetKernels = wrap(kernB512[:]), wrap(kernS512[:])
	return true
}

func squarePairsBF16Asm(dst []uint32, ldd int, src []float32, lds, pairs, n int) int {
	n16 := n &^ 15
	if n16 == 0 || !hasBF16 || ActiveKernel() != AVX512 {
		return 0
	}
	squarePairsBF16AVX512(&dst[0], ldd, &src[0], lds, pairs, n16)
	return n16
}

func gatherPairsBF16Asm(dst []uint32, ldd int, src []float32, rows []int, n int, scale float32) int {
	n16 := n &^ 15
	if n16 == 0 || len(rows) == 0 || !hasBF16 || ActiveKernel() != AVX512 {
		return 0
	}
	gatherPairsBF16AVX512(&dst[0], ldd, &src[0], &rows[0], len(rows)/2, n16, scale)
	return n16
}

func divSqrtApproxAsm(x, norm []float32, beta float32) int {
	n := len(x)
	if n == 0 || !hasBF16 || ActiveKernel() != AVX512 {
		return 0
	}
	_ = norm[n-1]
	divSqrtApproxAVX512(&x[0], &norm[0], n, beta)
	return n
}

func deinterleave4RowsBF16Asm(dst []uint16, off *[4]int, ldd int, src []float32, lds, n, rows int) bool {
	if !hasBF16 || ActiveKernel() != AVX512 {
		return false
	}
	deinterleave4RowsBF16AVX512(&dst[0], off, ldd, &src[0], lds, n, rows)
	return true
}

// kernS512xMR is kernB512xMR storing the tile instead of adding it: C =
// Apanel·Bpanel.
//
//go:noescape
func kernS512x1(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x2(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x3(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x4(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x5(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x6(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x7(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x8(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x9(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x10(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x11(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x12(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x13(kp int, a, b *uint32, c *float32, ldc int)

//go:noescape
func kernS512x14(kp int, a, b *uint32, c *float32, ldc int)

// sumSepBF16AVX512 and sumSepBF16HalfAVX512 are SumSepBF16 and
// SumSepBF16Half for n > 0, with a scratch area for
// the column sums: 224 floats from the first 64-byte boundary in it
// (a column sum that straddles two cache lines is not forwarded from its
// store to the loads that follow; that cost a third of the time).
//
//go:noescape
func sumSepBF16AVX512(dst *uint32, dstStride int, src *float32, lds int, plan *sepPlan, scratch *float32, pairs, n int)

//go:noescape
func sumSepBF16HalfAVX512(dst *uint32, dstStride int, src *uint16, lds int, plan *sepPlan, scratch *float32, pairs, n int)

// sepScratch is the length of the scratch area: 224 floats and room to
// align them.
const sepScratch = 224 + 15

func sumSepBF16Asm(dst []uint32, dstStride int, src []float32, lds int, plan *sepPlan, pairs, n int) int {
	if n == 0 || !hasBF16 || ActiveKernel() != AVX512 {
		return 0
	}
	var scratch [sepScratch]float32
	sumSepBF16AVX512(&dst[0], dstStride, &src[0], lds, plan, &scratch[0], pairs, n)
	return n
}

func sumSepBF16HalfAsm(dst []uint32, dstStride int, src []uint16, lds int, plan *sepPlan, pairs, n int) int {
	if n == 0 || !hasBF16 || ActiveKernel() != AVX512 {
		return 0
	}
	var scratch [sepScratch]float32
	sumSepBF16HalfAVX512(&dst[0], dstStride, &src[0], lds, plan, &scratch[0], pairs, n)
	return n
}

// sum2DF4AVX512 is Sum2DBF16Pairs for the matrix WinogradF4, pairs, n > 0,
// with a scratch area of sep2Scratch floats for the row sums of two rows,
// used from its first 64-byte boundary (generated by _generate).
//
//go:noescape
func sum2DF4AVX512(dst *uint32, src *uint16, plan *sep2Plan, scratch *float32, pairs, n int)

// sep2Scratch is the length of that scratch area: two rows of 8832 bytes
// and room to align them.
const sep2Scratch = 2*8832/4 + 15

func sum2DBF16Asm(dst []uint32, src []uint16, plan *sep2Plan, pairs, n int) bool {
	if !plan.f4 || !hasBF16 || ActiveKernel() != AVX512 {
		return false
	}
	var scratch [sep2Scratch]float32
	sum2DF4AVX512(&dst[0], &src[0], plan, &scratch[0], pairs, n)
	return true
}

// roundRowsBF16AVX512 is RoundRowsBF16 for rows, n > 0.
//
//go:noescape
func roundRowsBF16AVX512(dst *uint16, ldd int, src *float32, lds, n, rows int)

func roundRowsBF16Asm(dst []uint16, ldd int, src []float32, lds, n, rows int) bool {
	if !hasBF16 || ActiveKernel() != AVX512 {
		return false
	}
	roundRowsBF16AVX512(&dst[0], ldd, &src[0], lds, n, rows)
	return true
}
