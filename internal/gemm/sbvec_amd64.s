// This file implements the bfloat16 helpers of bf16vec.go.

//go:build amd64 && !noasm && gc

#include "textflag.h"

// The processor rounds to bfloat16 itself: VCVTNE2PS2BF16 (AVX512_BF16),
// which Go's assembler does not know, so it is written as bytes. It rounds
// to nearest with ties to even, flushes subnormal inputs to zero of the
// same sign and makes NaNs quiet, as RoundBF16 does.

// BF16CONSTS loads the word interleave of BF16PAIR into Z8 (it clobbers
// nothing else).
#define BF16CONSTS \
	VMOVDQU64 pairidx<>(SB), Z8

// BF16PAIR rounds the float32 lanes of Z0 (row 2p) and Z2 (row 2p+1) to
// bfloat16 and leaves one word per lane in Z0, row 2p in the low half: the
// conversion puts Z0's 16 values in the low half of Z1 and Z2's in the
// high half (the bytes are VCVTNE2PS2BF16 Z0, Z2, Z1 in Go's operand
// order), the permutation interleaves them. It clobbers Z1.
#define BF16PAIR \
	BYTE $0x62; BYTE $0xf2; BYTE $0x6f; BYTE $0x48; BYTE $0x72; BYTE $0xc8 \
	VPERMW Z1, Z8, Z0

// SUMF sums the four terms (offsets R10–R13, coefficients Z4–Z7) of 16
// float32 columns of the row at base+soff into acc, each product rounded
// before it is added; SUMH does the same on bfloat16 values, widened first.
#define SUMF(base, soff, acc, tmp) \
	VMULPS soff(base)(R10*1), Z4, acc \
	VMULPS soff(base)(R11*1), Z5, tmp \
	VADDPS tmp, acc, acc              \
	VMULPS soff(base)(R12*1), Z6, tmp \
	VADDPS tmp, acc, acc              \
	VMULPS soff(base)(R13*1), Z7, tmp \
	VADDPS tmp, acc, acc

#define WIDENMUL(mem, coef, z) \
	VPMOVZXWD mem, z   \
	VPSLLD    $16, z, z \
	VMULPS    coef, z, z

#define SUMH(base, soff, acc, tmp) \
	WIDENMUL(soff(base)(R10*1), Z4, acc) \
	WIDENMUL(soff(base)(R11*1), Z5, tmp) \
	VADDPS tmp, acc, acc                 \
	WIDENMUL(soff(base)(R12*1), Z6, tmp) \
	VADDPS tmp, acc, acc                 \
	WIDENMUL(soff(base)(R13*1), Z7, tmp) \
	VADDPS tmp, acc, acc

// BF16BLOCKF and BF16BLOCKH store at doff(BX) the 16 words of rows R14
// (2p) and R15 (2p+1) from source offset soff.
#define BF16BLOCKF(doff, soff) \
	SUMF(R14, soff, Z0, Z1) \
	SUMF(R15, soff, Z2, Z3) \
	BF16PAIR                \
	VMOVDQU32 Z0, doff(BX)

#define BF16BLOCKH(doff, soff) \
	SUMH(R14, soff, Z0, Z1) \
	SUMH(R15, soff, Z2, Z3) \
	BF16PAIR                \
	VMOVDQU32 Z0, doff(BX)

// BF16STORE rounds the float32 at (SI) to bfloat16 with the 128-bit
// VCVTNEPS2BF16 (the bytes: VCVTNEPS2BF16 X1, X0), stores it at (dst) and
// advances both (it clobbers AX, X0 and X1).
#define BF16STORE(dst) \
	VMOVSS (SI), X1   \
	BYTE $0x62; BYTE $0xf2; BYTE $0x7e; BYTE $0x08; BYTE $0x72; BYTE $0xc1 \
	VMOVD  X0, AX     \
	MOVW   AX, (dst)  \
	ADDQ   $2, dst    \
	ADDQ   $4, SI

// func sumTermsBF16AVX512(dst *uint32, src *float32, lds int, off *[4]int, c *[4]float32, pairs, n int)
// For p < pairs (> 0) and i < n (a positive multiple of 16), the sums of
// rows 2p and 2p+1 as in sumTermsAVX (four terms, each product rounded
// before it is added), rounded to bfloat16 as RoundBF16 does and stored as
// one word, row 2p in the low
// half, in the panels of SumTermsBF16: word (p, i) at
// dst[(i/32)·pairs·32 + p·32 + i%32]. A row reads its n columns in one
// sweep.
TEXT ·sumTermsBF16AVX512(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         lds+16(FP), R9
	SHLQ         $2, R9
	MOVQ         off+24(FP), AX
	MOVQ         0(AX), R10
	MOVQ         8(AX), R11
	MOVQ         16(AX), R12
	MOVQ         24(AX), R13
	SHLQ         $2, R10
	SHLQ         $2, R11
	SHLQ         $2, R12
	SHLQ         $2, R13
	MOVQ         c+32(FP), AX
	VBROADCASTSS 0(AX), Z4
	VBROADCASTSS 4(AX), Z5
	VBROADCASTSS 8(AX), Z6
	VBROADCASTSS 12(AX), Z7
	BF16CONSTS
	MOVQ         pairs+40(FP), CX
	MOVQ         CX, R8
	SHLQ         $7, R8 // panel stride: pairs·32 words
sbrow:
	MOVQ DI, BX
	MOVQ SI, R14
	LEAQ (SI)(R9*1), R15
	MOVQ n+48(FP), DX
	SHRQ $5, DX
	JZ   sbhalf
sbpanel:
	BF16BLOCKF(0, 0)
	BF16BLOCKF(64, 64)
	ADDQ $128, R14
	ADDQ $128, R15
	ADDQ R8, BX
	DECQ DX
	JNZ  sbpanel
sbhalf:
	MOVQ  n+48(FP), DX
	TESTQ $16, DX
	JZ    sbnext
	BF16BLOCKF(0, 0)
sbnext:
	ADDQ $128, DI
	LEAQ (SI)(R9*2), SI
	DECQ CX
	JNZ  sbrow
	VZEROUPPER
	RET

// func squarePairsBF16AVX512(dst *uint32, ldd int, src *float32, lds, pairs, n int)
// For p < pairs (> 0) and i < n (a positive multiple of 16), the squares of
// rows 2p and 2p+1 rounded to bfloat16 as in sumTermsBF16AVX512.
TEXT ·squarePairsBF16AVX512(SB), NOSPLIT, $0-48
	MOVQ         dst+0(FP), DI
	MOVQ         ldd+8(FP), R8
	SHLQ         $2, R8
	MOVQ         src+16(FP), SI
	MOVQ         lds+24(FP), R9
	SHLQ         $2, R9
	BF16CONSTS
	MOVQ         pairs+32(FP), CX
	MOVQ         n+40(FP), DX
	SHRQ         $4, DX
sqrow:
	MOVQ DI, BX
	MOVQ SI, R14
	LEAQ (SI)(R9*1), R15
	MOVQ DX, AX
sqcol:
	VMOVUPS   (R14), Z0
	VMULPS    Z0, Z0, Z0
	VMOVUPS   (R15), Z2
	VMULPS    Z2, Z2, Z2
	BF16PAIR
	VMOVDQU32 Z0, (BX)
	ADDQ      $64, R14
	ADDQ      $64, R15
	ADDQ      $64, BX
	DECQ      AX
	JNZ       sqcol
	ADDQ      R8, DI
	LEAQ      (SI)(R9*2), SI
	DECQ      CX
	JNZ       sqrow
	VZEROUPPER
	RET

// func gatherPairsBF16AVX512(dst *uint32, ldd int, src *float32, rows *int, pairs, n int, scale float32)
// For p < pairs (> 0) and i < n (a positive multiple of 16), scale·src[rows[2p]+i]
// and scale·src[rows[2p+1]+i] rounded to bfloat16 as in sumTermsBF16AVX512.
TEXT ·gatherPairsBF16AVX512(SB), NOSPLIT, $0-52
	MOVQ         dst+0(FP), DI
	MOVQ         ldd+8(FP), R8
	SHLQ         $2, R8
	MOVQ         src+16(FP), SI
	MOVQ         rows+24(FP), R9
	VBROADCASTSS scale+48(FP), Z4
	BF16CONSTS
	MOVQ         pairs+32(FP), CX
	MOVQ         n+40(FP), DX
	SHRQ         $4, DX
gprow:
	MOVQ 0(R9), R14
	MOVQ 8(R9), R15
	LEAQ (SI)(R14*4), R14
	LEAQ (SI)(R15*4), R15
	MOVQ DI, BX
	MOVQ DX, AX
gpcol:
	VMULPS    (R14), Z4, Z0
	VMULPS    (R15), Z4, Z2
	BF16PAIR
	VMOVDQU32 Z0, (BX)
	ADDQ      $64, R14
	ADDQ      $64, R15
	ADDQ      $64, BX
	DECQ      AX
	JNZ       gpcol
	ADDQ      R8, DI
	ADDQ      $16, R9
	DECQ      CX
	JNZ       gprow
	VZEROUPPER
	RET

// func divSqrtApproxAVX512(x, norm *float32, n int)
// x[i] *= r[i] for i < n (> 0): r0 = VRSQRT14PS(norm) (relative error below
// 2⁻¹⁴), refined by one Newton step r = r0·(1.5 − 0.5·norm·r0²); lanes
// where r0 = 0 (norm = +Inf) give 0 instead of the step's NaN. The last
// n mod 16 elements run through the same instructions under a lane mask,
// so every element's result is the same wherever it lies.
TEXT ·divSqrtApproxAVX512(SB), NOSPLIT, $0-24
	MOVQ         x+0(FP), DI
	MOVQ         norm+8(FP), SI
	MOVQ         n+16(FP), DX
	MOVL         $0x3fc00000, AX // 1.5
	VPBROADCASTD AX, Z6
	MOVL         $0xbf000000, AX // -0.5
	VPBROADCASTD AX, Z7
	VPXORD       Z5, Z5, Z5
	MOVQ         $-1, AX
	KMOVW        AX, K2          // all lanes
dsaloop:
	CMPQ        DX, $16
	JGE         dsablock
	TESTQ       DX, DX
	JZ          dsadone
	MOVQ        $1, AX           // the tail: lanes below DX
	MOVQ        DX, CX
	SHLQ        CX, AX
	DECQ        AX
	KMOVW       AX, K2
	MOVQ        $16, DX
dsablock:
	VMOVUPS.Z   (SI), K2, Z0
	VRSQRT14PS  Z0, Z1
	VMULPS      Z1, Z0, Z2
	VMULPS      Z1, Z2, Z2         // norm·r0²
	VFMADD132PS Z7, Z6, Z2         // 1.5 − 0.5·norm·r0²
	VCMPPS      $4, Z5, Z1, K1     // r0 ≠ 0
	VMULPS      Z2, Z1, Z1
	VMOVUPS.Z   (DI), K2, Z3
	VMULPS.Z    Z1, Z3, K1, Z3
	VMOVUPS     Z3, K2, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, DX
	JMP         dsaloop
dsadone:
	VZEROUPPER
	RET

// func sumTermsBF16HalfAVX512(dst *uint32, src *uint16, lds int, off *[4]int, c *[4]float32, pairs, n int)
// sumTermsBF16AVX512 on a source of bfloat16 values: each is widened to
// float32 (VPMOVZXWD, then shifted into the upper half) before its product.
TEXT ·sumTermsBF16HalfAVX512(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         lds+16(FP), R9
	SHLQ         $1, R9
	MOVQ         off+24(FP), AX
	MOVQ         0(AX), R10
	MOVQ         8(AX), R11
	MOVQ         16(AX), R12
	MOVQ         24(AX), R13
	SHLQ         $1, R10
	SHLQ         $1, R11
	SHLQ         $1, R12
	SHLQ         $1, R13
	MOVQ         c+32(FP), AX
	VBROADCASTSS 0(AX), Z4
	VBROADCASTSS 4(AX), Z5
	VBROADCASTSS 8(AX), Z6
	VBROADCASTSS 12(AX), Z7
	BF16CONSTS
	MOVQ         pairs+40(FP), CX
	MOVQ         CX, R8
	SHLQ         $7, R8 // panel stride: pairs·32 words
shrow:
	MOVQ DI, BX
	MOVQ SI, R14
	LEAQ (SI)(R9*1), R15
	MOVQ n+48(FP), DX
	SHRQ $5, DX
	JZ   shhalf
shpanel:
	BF16BLOCKH(0, 0)
	BF16BLOCKH(64, 32)
	ADDQ $64, R14
	ADDQ $64, R15
	ADDQ R8, BX
	DECQ DX
	JNZ  shpanel
shhalf:
	MOVQ  n+48(FP), DX
	TESTQ $16, DX
	JZ    shnext
	BF16BLOCKH(0, 0)
shnext:
	ADDQ $128, DI
	LEAQ (SI)(R9*2), SI
	DECQ CX
	JNZ  shrow
	VZEROUPPER
	RET

// func deinterleave4RowsBF16AVX512(dst *uint16, off *[4]int, ldd int, src *float32, lds, n, rows int)
// For r < rows (> 0) and i < n (> 0): dst[r·ldd + off[i mod 4] + i/4] =
// the bfloat16 rounding of src[r·lds + i] (as in sumTermsBF16AVX512).
// Blocks of 32 are rounded to 32 words by one VCVTNE2PS2BF16 and sorted by
// phase (VPERMW with d4bf16idx); the rest one element at a time.
TEXT ·deinterleave4RowsBF16AVX512(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), R14
	MOVQ         ldd+16(FP), R10
	SHLQ         $1, R10
	MOVQ         src+24(FP), R15
	MOVQ         lds+32(FP), R11
	SHLQ         $2, R11
	MOVQ         n+40(FP), R13
	MOVQ         rows+48(FP), R12
	VMOVDQU64    d4bf16idx<>(SB), Z10
dbrow:
	MOVQ off+8(FP), AX
	MOVQ 0(AX), DI
	LEAQ (R14)(DI*2), DI
	MOVQ 8(AX), DX
	LEAQ (R14)(DX*2), DX
	MOVQ 16(AX), R8
	LEAQ (R14)(R8*2), R8
	MOVQ 24(AX), R9
	LEAQ (R14)(R9*2), R9
	MOVQ R15, SI
	MOVQ R13, CX
	SHRQ $5, CX
	JZ   dbtail
dbloop:
	VMOVUPS       (SI), Z0
	VMOVUPS       64(SI), Z1
	BYTE $0x62; BYTE $0xf2; BYTE $0x77; BYTE $0x48; BYTE $0x72; BYTE $0xd0 // VCVTNE2PS2BF16 Z0, Z1, Z2: elements 0..31 as words
	VPERMW        Z2, Z10, Z4       // sorted by phase, 8 each
	VMOVDQU       X4, (DI)
	VEXTRACTI32X4 $1, Z4, X5
	VMOVDQU       X5, (DX)
	VEXTRACTI32X4 $2, Z4, X5
	VMOVDQU       X5, (R8)
	VEXTRACTI32X4 $3, Z4, X5
	VMOVDQU       X5, (R9)
	ADDQ          $128, SI
	ADDQ          $16, DI
	ADDQ          $16, DX
	ADDQ          $16, R8
	ADDQ          $16, R9
	DECQ          CX
	JNZ           dbloop
dbtail:
	MOVQ R13, CX
	ANDQ $31, CX
	JZ   dbnext
dbscalar:
	BF16STORE(DI)
	DECQ  CX
	JZ    dbnext
	BF16STORE(DX)
	DECQ  CX
	JZ    dbnext
	BF16STORE(R8)
	DECQ  CX
	JZ    dbnext
	BF16STORE(R9)
	DECQ  CX
	JNZ   dbscalar
dbnext:
	ADDQ R10, R14
	ADDQ R11, R15
	DECQ R12
	JNZ  dbrow
	VZEROUPPER
	RET

// d4bf16idx sorts 32 words by their index mod 4 (VPERMW indices).
DATA d4bf16idx<>+0(SB)/8, $0x000c000800040000
DATA d4bf16idx<>+8(SB)/8, $0x001c001800140010
DATA d4bf16idx<>+16(SB)/8, $0x000d000900050001
DATA d4bf16idx<>+24(SB)/8, $0x001d001900150011
DATA d4bf16idx<>+32(SB)/8, $0x000e000a00060002
DATA d4bf16idx<>+40(SB)/8, $0x001e001a00160012
DATA d4bf16idx<>+48(SB)/8, $0x000f000b00070003
DATA d4bf16idx<>+56(SB)/8, $0x001f001b00170013
GLOBL d4bf16idx<>(SB), RODATA|NOPTR, $64

// pairidx interleaves two rows of 16 words, the first at even positions
// (VPERMW indices 0, 16, 1, 17, …).
DATA pairidx<>+0(SB)/8, $0x0011000100100000
DATA pairidx<>+8(SB)/8, $0x0013000300120002
DATA pairidx<>+16(SB)/8, $0x0015000500140004
DATA pairidx<>+24(SB)/8, $0x0017000700160006
DATA pairidx<>+32(SB)/8, $0x0019000900180008
DATA pairidx<>+40(SB)/8, $0x001b000b001a000a
DATA pairidx<>+48(SB)/8, $0x001d000d001c000c
DATA pairidx<>+56(SB)/8, $0x001f000f001e000e
GLOBL pairidx<>(SB), RODATA|NOPTR, $64
