// This file implements the requantisation of requant.go with AVX-512 on
// eight int64 accumulators at a time.

//go:build amd64 && !noasm && gc

#include "textflag.h"

// REQUANT32 turns the accumulators in Z0 into r of RequantI16: the
// product by the multiplier (Z8, VPMULLQ keeps the low 64 bits, which are
// exact), the rounding term (Z15), the arithmetic shift (count in X9) and
// the clamp to int32 (Z10, Z11).
#define REQUANT32 \
	VPMULLQ Z8, Z0, Z0  \
	VPADDQ  Z15, Z0, Z0 \
	VPSRAQ  X9, Z0, Z0  \
	VPMAXSQ Z10, Z0, Z0 \
	VPMINSQ Z11, Z0, Z0

// REQUANTCONSTS loads the multiplier, rounding term, shift and int32
// bounds of REQUANT32 from the arguments at mult, round and shift.
#define REQUANTCONSTS(mult, round, shift) \
	VPBROADCASTQ mult, Z8   \
	VPBROADCASTQ round, Z15 \
	VMOVQ        shift, X9  \
	MOVQ         $-2147483648, AX \
	VPBROADCASTQ AX, Z10    \
	MOVQ         $2147483647, AX \
	VPBROADCASTQ AX, Z11

// func requantI16AVX512(dst *int16, step int, acc *int64, n int, mult, round, shift int64, leaky int, slope int64)
// For n a positive multiple of 8 and step 1 or 2: r, then the LeakyReLU
// (where leaky ≠ 0: the lanes with r < 0 take (r·slope) >> 16, the signed
// product of the low 32 bits being exact), the clamp to int16 and the
// store of the low 16 bits. With step 2 the values are stored as 32-bit
// words under a mask of their low halves, so the odd positions keep their
// values.
TEXT ·requantI16AVX512(SB), NOSPLIT, $0-72
	MOVQ         dst+0(FP), DI
	MOVQ         step+8(FP), R8
	MOVQ         acc+16(FP), SI
	MOVQ         n+24(FP), CX
	REQUANTCONSTS(mult+32(FP), round+40(FP), shift+48(FP))
	MOVQ         leaky+56(FP), R9
	VPBROADCASTQ slope+64(FP), Z14
	MOVQ         $-32768, AX
	VPBROADCASTQ AX, Z12
	MOVQ         $32767, AX
	VPBROADCASTQ AX, Z13
	MOVL         $0x5555, AX
	KMOVW        AX, K2
rqloop:
	VMOVDQU64 (SI), Z0
	REQUANT32
	TESTQ     R9, R9
	JZ        rqclamp
	VPMULDQ   Z14, Z0, Z1
	VPSRAQ    $16, Z1, Z1
	VPMOVQ2M  Z0, K1
	VMOVDQA64 Z1, K1, Z0
rqclamp:
	VPMAXSQ Z12, Z0, Z0
	VPMINSQ Z13, Z0, Z0
	CMPQ    R8, $1
	JNE     rqstep2
	VPMOVQW Z0, X2
	VMOVDQU X2, (DI)
	ADDQ    $16, DI
	JMP     rqnext
rqstep2:
	VPMOVQD   Z0, Y2
	VMOVDQU16 Y2, K2, (DI)
	ADDQ      $32, DI
rqnext:
	ADDQ $64, SI
	SUBQ $8, CX
	JNZ  rqloop
	VZEROUPPER
	RET

// func requantI32AVX512(dst *int32, acc *int64, n int, mult, round, shift int64)
// For n a positive multiple of 8: r of every accumulator as an int32.
TEXT ·requantI32AVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ acc+8(FP), SI
	MOVQ n+16(FP), CX
	REQUANTCONSTS(mult+24(FP), round+32(FP), shift+40(FP))
r32loop:
	VMOVDQU64 (SI), Z0
	REQUANT32
	VPMOVQD   Z0, Y2
	VMOVDQU   Y2, (DI)
	ADDQ      $64, SI
	ADDQ      $32, DI
	SUBQ      $8, CX
	JNZ       r32loop
	VZEROUPPER
	RET
