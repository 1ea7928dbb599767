package main

import (
	"bytes"
	"fmt"
	"math"
	"sort"
)

// winogradF4 is the input transform Bᵀ of gemm.WinogradF4 (F(4,3) on the
// even samples, F(4,2) on the odd ones), which sep2Kernel compiles; the
// package's tests compare the assembly with its Go definition on that
// matrix, so a difference between the two copies fails them.
var winogradF4 = [11][11]float32{
	{4, 0, 0, 0, -5, 0, 0, 0, 1, 0, 0},
	{0, 0, -4, 0, -4, 0, 1, 0, 1, 0, 0},
	{0, 0, 4, 0, -4, 0, -1, 0, 1, 0, 0},
	{0, 0, -2, 0, -1, 0, 2, 0, 1, 0, 0},
	{0, 0, 2, 0, -1, 0, -2, 0, 1, 0, 0},
	{0, 0, 4, 0, 0, 0, -5, 0, 0, 0, 1},
	{0, 2, 0, -1, 0, -2, 0, 1, 0, 0, 0},
	{0, 0, 0, -2, 0, -1, 0, 1, 0, 0, 0},
	{0, 0, 0, 2, 0, -3, 0, 1, 0, 0, 0},
	{0, 0, 0, -1, 0, 0, 0, 1, 0, 0, 0},
	{0, 0, 0, 2, 0, -1, 0, -2, 0, 1, 0},
}

// sep2Kernel emits sum2DF4AVX512, gemm.Sum2DBF16Pairs for the matrix
// winogradF4 (the sep2Plan layout and loop are those of bf16sep2.go): a
// column's 11 samples of both rows are loaded into Z0–Z10 and Z11–Z21 and
// its 11 row sums computed with the matrix's coefficients as constants,
// then each row of sums is loaded back and its 11 outputs formed the same
// way. A term with coefficient ±1 is one addition or subtraction; any
// other is a product rounded to float32 (VMULPS) and an addition, and
// never a fused multiply-add, so the bits are the Go definition's.
var pfDist = -2

func sep2Kernel(b *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(b, "\t"+format+"\n", args...) }
	label := func(l string) { fmt.Fprintf(b, "\n%s:\n", l) }
	// The constants: every coefficient other than 1 the matrix holds.
	var consts []float32
	seen := map[float32]bool{}
	for _, row := range winogradF4 {
		for _, c := range row {
			if c != 0 && c != 1 && !seen[c] {
				seen[c] = true
				consts = append(consts, c)
			}
		}
	}
	sort.Slice(consts, func(i, j int) bool { return consts[i] < consts[j] })
	cst := func(c float32) string {
		for i, v := range consts {
			if v == c {
				return fmt.Sprintf("f4cst<>+%d(SB)", 4*i)
			}
		}
		panic("no constant")
	}
	// sum emits row a of the matrix applied to the registers in(u) into
	// acc, for rows 2p and 2p+1 at once (accumulators Z22, Z23, products
	// in Z24, Z25).
	sum := func(a int, in func(u, row int) int) {
		first := true
		for u, c := range winogradF4[a] {
			if c == 0 {
				continue
			}
			for row := 0; row < 2; row++ {
				x, acc, tmp := in(u, row), 22+row, 24+row
				switch {
				case first && c == 1:
					p("VMOVAPS Z%d, Z%d", x, acc)
				case first:
					p("VMULPS.BCST %s, Z%d, Z%d", cst(c), x, acc)
				case c == 1:
					p("VADDPS Z%d, Z%d, Z%d", x, acc, acc)
				case c == -1:
					p("VSUBPS Z%d, Z%d, Z%d", x, acc, acc)
				default:
					p("VMULPS.BCST %s, Z%d, Z%d", cst(c), x, tmp)
					p("VADDPS Z%d, Z%d, Z%d", tmp, acc, acc)
				}
			}
			first = false
		}
	}
	fmt.Fprintln(b)
	fmt.Fprintln(b, "// func sum2DF4AVX512(dst *uint32, src *uint16, plan *sep2Plan, scratch *float32, pairs, n int)")
	fmt.Fprintln(b, "// Sum2DBF16Pairs for the matrix WinogradF4, pairs, n > 0 (see sep2Kernel in")
	fmt.Fprintln(b, "// internal/gemm/_generate).")
	fmt.Fprintln(b, "TEXT ·sum2DF4AVX512(SB), NOSPLIT, $0-48")
	p("MOVQ dst+0(FP), DI")
	p("MOVQ src+8(FP), SI")
	p("MOVQ plan+16(FP), R12")
	p("MOVQ scratch+24(FP), R13")
	p("ADDQ $63, R13")
	p("ANDQ $-64, R13")
	p("VMOVDQU64 ·bf16pairidx(SB), Z31") // sbvec_amd64.s
	p("MOVQ pairs+32(FP), CX")
	label("f4row")
	p("MOVQ DI, BX")
	p("XORQ R8, R8")
	p("MOVQ SI, R14")
	p("MOVQ SI, R15")
	p("ADDQ 1696(R12), R15")
	p("MOVQ n+40(FP), DX")
	label("f4block")
	p("MOVQ $-1, R10")
	p("CMPQ DX, $16")
	p("JAE f4full")
	p("SHLXQ DX, R10, R10")
	p("NOTQ R10")
	label("f4full")
	p("KMOVW R10, K2")
	p("MOVQ R12, AX")
	p("LEAQ 1024(R13), R11")
	p("MOVQ $11, R9")
	label("f4col")
	for u := 0; u < 11; u++ {
		p("MOVQ %d(AX), R10", 8*u)
		p("VPBROADCASTD %d(AX), Z30", 1712+8*u)
		for row, base := range []string{"R14", "R15"} {
			z := u + 11*row
			p("VMOVDQU32.Z (%s)(R10*1), K2, Z%d", base, z)
			p("VPSRLVD Z30, Z%d, Z%d", z, z)
			p("VPSLLD $16, Z%d, Z%d", z, z)
		}
		// The next row pair's samples.
		p("ADDQ 1696(R12), R10")
		p("ADDQ 1696(R12), R10")
		p("PREFETCHT0 (R14)(R10*1)")
		p("PREFETCHT0 (R15)(R10*1)")
	}
	for a := 0; a < 11; a++ {
		sum(a, func(u, row int) int { return u + 11*row })
		p("VMOVAPS Z22, %d(R11)", 704*a)
		p("VMOVAPS Z23, %d(R11)", 8832+704*a)
	}
	p("ADDQ $88, AX")
	p("ADDQ $64, R11")
	p("DECQ R9")
	p("JNZ f4col")
	p("LEAQ 1024(R13), R11")
	p("MOVQ $11, R9")
	label("f4arow")
	for v := 0; v < 11; v++ {
		p("VMOVAPS %d(R11), Z%d", 64*v, v)
		p("VMOVAPS %d(R11), Z%d", 8832+64*v, v+11)
	}
	for bb := 0; bb < 11; bb++ {
		sum(bb, func(v, row int) int { return v + 11*row })
		p("%s", vcvtne2ps2bf16(26, 23, 22))
		p("VPERMW Z26, Z31, Z26")
		p("VMOVDQU32 Z26, K2, (BX)(R8*1)")
		p("ADDQ 1680(R12), BX")
	}
	p("ADDQ $704, R11")
	p("DECQ R9")
	p("JNZ f4arow")
	p("SUBQ 1688(R12), BX")
	p("SUBQ $16, DX")
	p("JLE f4next")
	p("ADDQ $64, R14")
	p("ADDQ $64, R15")
	p("XORQ $64, R8")
	p("JNZ f4block")
	p("ADDQ 1704(R12), BX")
	p("JMP f4block")
	label("f4next")
	p("ADDQ $128, DI")
	p("MOVQ 1696(R12), R10")
	p("LEAQ (SI)(R10*2), SI")
	p("DECQ CX")
	p("JNZ f4row")
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "// f4cst holds the matrix's coefficients other than 0 and 1.")
	for i, c := range consts {
		fmt.Fprintf(b, "DATA f4cst<>+%d(SB)/4, $0x%08x\n", 4*i, math.Float32bits(c))
	}
	fmt.Fprintf(b, "GLOBL f4cst<>(SB), RODATA|NOPTR, $%d\n", 4*len(consts))
	fmt.Fprintln(b)
}

// vcvtne2ps2bf16 encodes VCVTNE2PS2BF16 zmm<dst>, zmm<src1>, zmm<src2>
// (Intel operand order: the low 16 words of dst are src2 rounded to
// bfloat16, the high 16 src1) as bytes, because Go's assembler does not
// know the instruction: EVEX.512.F2.0F38.W0 72 /r.
func vcvtne2ps2bf16(dst, src1, src2 int) string {
	return evex0F38("VCVTNE2PS2BF16", 0b11, 0x72, dst, src1, src2)
}
