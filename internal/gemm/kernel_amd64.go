// This file declares the amd64 micro-kernels of sgemm_amd64.s and
// registers them when the processor supports them.

//go:build amd64 && !noasm && gc

package gemm

import "github.com/aezip/aezip/internal/cpu"

// The kernels below each add an MR×kc packed A panel (MR values per k step)
// times a kc×NR packed B panel (NR values per k step) to the MR×NR tile at
// c with row stride ldc:
//
//	for i := 0; i < MR; i++ {
//		for j := 0; j < NR; j++ {
//			var s float32
//			for q := 0; q < kc; q++ {
//				s = fma(a[q*MR+i], b[q*NR+j], s)
//			}
//			c[i*ldc+j] += s
//		}
//	}
//
// NR is 32 for kernF512xMR and 16 for kernF256xMR.

//go:noescape
func kernF512x1(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x2(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x3(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x4(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x5(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x6(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x7(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x8(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x9(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x10(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x11(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x12(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x13(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF512x14(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF256x1(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF256x2(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF256x3(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF256x4(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF256x5(kc int, a, b, c *float32, ldc int)

//go:noescape
func kernF256x6(kc int, a, b, c *float32, ldc int)

// The kernels below each add an MR×kp panel of packed k pairs of A (one
// int32 word, low half first, per row and pair step) times a kp×NR panel of
// packed k pairs of B (two int16 per column and pair step) to the MR×NR
// int32 tile at c with row stride ldc, wrapping modulo 2³²:
//
//	c[i*ldc+j] += Σ_q lo(a[q*MR+i])·b[2(q*NR+j)] + hi(a[q*MR+i])·b[2(q*NR+j)+1]
//
// NR is 32 for kernD512xMR and 16 for kernD256xMR.

//go:noescape
func kernD512x1(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x2(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x3(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x4(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x5(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x6(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x7(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x8(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x9(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x10(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x11(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD512x12(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD256x1(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD256x2(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD256x3(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD256x4(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernD256x5(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x1(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x2(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x3(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x4(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x5(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x6(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x7(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x8(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x9(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x10(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x11(kp int, a *int32, b *int16, c *int32, ldc int)

//go:noescape
func kernV512x12(kp int, a *int32, b *int16, c *int32, ldc int)

// The kernels below run kernV512xMR over several k groups (see
// dotKernels.groups): for g < groups, the int32 sums of the panels at
// a[g·astride:] and b[g·bstride:] are added, sign-extended, to the MR×32
// int64 tile at c (row stride ldc).

//go:noescape
func kernG512x1(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x2(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x3(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x4(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x5(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x6(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x7(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x8(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x9(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x10(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x11(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

//go:noescape
func kernG512x12(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

type asmFloat func(kc int, a, b, c *float32, ldc int)

var (
	kernF512 = [...]asmFloat{nil, kernF512x1, kernF512x2, kernF512x3, kernF512x4,
		kernF512x5, kernF512x6, kernF512x7, kernF512x8, kernF512x9, kernF512x10,
		kernF512x11, kernF512x12, kernF512x13, kernF512x14}
	kernF256 = [...]asmFloat{nil, kernF256x1, kernF256x2, kernF256x3, kernF256x4,
		kernF256x5, kernF256x6}
)

// asmFloatKernels wraps a table of kernels indexed by row count. The
// slice expressions check that the panels and the tile are in bounds
// before the assembly touches them.
func asmFloatKernels(tab []asmFloat, nr int) *floatKernels {
	mr := len(tab) - 1
	return &floatKernels{mr: mr, nr: nr, call: func(h, kc int, a, b, c []float32, ldc int) {
		_ = a[h*kc-1]
		_ = b[kc*nr-1]
		_ = c[(h-1)*ldc+nr-1]
		tab[h](kc, &a[0], &b[0], &c[0], ldc)
	}}
}

type asmDot func(kp int, a *int32, b *int16, c *int32, ldc int)

var (
	kernD512 = [...]asmDot{nil, kernD512x1, kernD512x2, kernD512x3, kernD512x4,
		kernD512x5, kernD512x6, kernD512x7, kernD512x8, kernD512x9, kernD512x10,
		kernD512x11, kernD512x12}
	kernD256 = [...]asmDot{nil, kernD256x1, kernD256x2, kernD256x3, kernD256x4,
		kernD256x5}
	kernV512 = [...]asmDot{nil, kernV512x1, kernV512x2, kernV512x3, kernV512x4,
		kernV512x5, kernV512x6, kernV512x7, kernV512x8, kernV512x9, kernV512x10,
		kernV512x11, kernV512x12}
)

type asmGroups func(groups, kp int, a *int32, astride int, b *int16, bstride int, c *int64, ldc int)

var kernG512 = [...]asmGroups{nil, kernG512x1, kernG512x2, kernG512x3, kernG512x4,
	kernG512x5, kernG512x6, kernG512x7, kernG512x8, kernG512x9, kernG512x10,
	kernG512x11, kernG512x12}

// asmGroupKernels wraps a table of group kernels indexed by row count, with
// bounds checks like asmFloatKernels'.
func asmGroupKernels(tab []asmGroups, nr int) func(groups, h, kp int, a []int32, astride int, b []int16, bstride int, c []int64, ldc int) {
	return func(groups, h, kp int, a []int32, astride int, b []int16, bstride int, c []int64, ldc int) {
		if groups <= 0 || kp <= 0 || ldc < nr {
			panic("gemm: group kernel: bad dimension")
		}
		_ = a[(groups-1)*astride+h*kp-1]
		_ = b[(groups-1)*bstride+2*kp*nr-1]
		_ = c[(h-1)*ldc+nr-1]
		tab[h](groups, kp, &a[0], astride, &b[0], bstride, &c[0], ldc)
	}
}

// dotAVX512 and dotVNNI are the two AVX-512 int16 families: the second
// replaces each VPMADDWD+VPADDD pair with one VPDPWSSD, for the same bits,
// and is the one used where the processor has it. Tests run both.
var dotAVX512, dotVNNI *dotKernels

// asmDotKernels wraps a table of int16 kernels indexed by row count, with
// the same bounds checks as asmFloatKernels.
func asmDotKernels(tab []asmDot, nr int) *dotKernels {
	mr := len(tab) - 1
	return &dotKernels{mr: mr, nr: nr, call: func(h, kp int, a []int32, b []int16, c []int32, ldc int) {
		_ = a[h*kp-1]
		_ = b[2*kp*nr-1]
		_ = c[(h-1)*ldc+nr-1]
		tab[h](kp, &a[0], &b[0], &c[0], ldc)
	}}
}

var _ = registerAsm()

func registerAsm() bool {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		floatFamilies[AVX2] = asmFloatKernels(kernF256[:], 16)
		dotFamilies[AVX2] = asmDotKernels(kernD256[:], 16)
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && floatFamilies[AVX2] != nil {
		floatFamilies[AVX512] = asmFloatKernels(kernF512[:], 32)
		dotAVX512 = asmDotKernels(kernD512[:], 32)
		dotFamilies[AVX512] = dotAVX512
		if cpu.X86.HasAVX512VNNI {
			dotVNNI = asmDotKernels(kernV512[:], 32)
			dotVNNI.groups = asmGroupKernels(kernG512[:], 32)
			dotFamilies[AVX512] = dotVNNI
		}
	}
	return true
}
