// This file implements the bfloat16 helpers of bf16vec.go and bf16sep.go.

//go:build amd64 && !noasm && gc

#include "textflag.h"

// The processor rounds to bfloat16 itself: VCVTNE2PS2BF16 (AVX512_BF16),
// which Go's assembler does not know, so it is written as bytes. It rounds
// to nearest with ties to even, flushes subnormal inputs to zero of the
// same sign and makes NaNs quiet, as RoundBF16 does.

// BF16CONSTS loads the word interleave of BF16PAIR into Z8 (it clobbers
// nothing else).
#define BF16CONSTS \
	VMOVDQU64 ·bf16pairidx(SB), Z8

// BF16PAIR rounds the float32 lanes of Z0 (row 2p) and Z2 (row 2p+1) to
// bfloat16 and leaves one word per lane in Z0, row 2p in the low half: the
// conversion puts Z0's 16 values in the low half of Z1 and Z2's in the
// high half (the bytes are VCVTNE2PS2BF16 Z0, Z2, Z1 in Go's operand
// order), the permutation interleaves them. It clobbers Z1.
#define BF16PAIR \
	BYTE $0x62; BYTE $0xf2; BYTE $0x6f; BYTE $0x48; BYTE $0x72; BYTE $0xc8 \
	VPERMW Z1, Z8, Z0

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

// func squarePairsBF16AVX512(dst *uint32, ldd int, src *float32, lds, pairs, n int)
// For p < pairs (> 0) and i < n (a positive multiple of 16), the squares of
// rows 2p and 2p+1 rounded to bfloat16 (BF16PAIR).
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
// and scale·src[rows[2p+1]+i] rounded to bfloat16 (BF16PAIR).
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

// func divSqrtApproxAVX512(x, norm *float32, n int, beta float32)
// x[i] *= r[i] for i < n (> 0): with s = norm + β, r0 = VRSQRT14PS(s) (relative error below
// 2⁻¹⁴), refined by one Newton step r = r0·(1.5 − 0.5·norm·r0²); lanes
// where r0 = 0 (norm = +Inf) give 0 instead of the step's NaN. The last
// n mod 16 elements run through the same instructions under a lane mask,
// so every element's result is the same wherever it lies.
TEXT ·divSqrtApproxAVX512(SB), NOSPLIT, $0-28
	MOVQ         x+0(FP), DI
	MOVQ         norm+8(FP), SI
	MOVQ         n+16(FP), DX
	VBROADCASTSS beta+24(FP), Z4
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
	VADDPS      Z4, Z0, Z0         // norm + β
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

// func deinterleave4RowsBF16AVX512(dst *uint16, off *[4]int, ldd int, src *float32, lds, n, rows int)
// For r < rows (> 0) and i < n (> 0): dst[r·ldd + off[i mod 4] + i/4] =
// the bfloat16 rounding of src[r·lds + i] (as RoundBF16 does).
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

// func roundRowsBF16AVX512(dst *uint16, ldd int, src *float32, lds, n, rows int)
// For r < rows (> 0) and i < n (> 0): dst[r·ldd + i] = the bfloat16
// rounding of src[r·lds + i], 32 at a time by one VCVTNE2PS2BF16; the last
// n mod 32 under lane masks (K1, K2 for the two halves' loads, K3 for the
// 32 words' store).
TEXT ·roundRowsBF16AVX512(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), R14
	MOVQ ldd+8(FP), R10
	SHLQ $1, R10
	MOVQ src+16(FP), R15
	MOVQ lds+24(FP), R11
	SHLQ $2, R11
	MOVQ n+32(FP), R13
	MOVQ rows+40(FP), R12
	// The masks of the last n mod 32.
	MOVQ  R13, CX
	ANDQ  $31, CX
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX
	KMOVD AX, K3
	KMOVW AX, K1
	SHRQ  $16, AX
	KMOVW AX, K2

rrrow:
	MOVQ R15, SI
	MOVQ R14, DI
	MOVQ R13, CX
	SHRQ $5, CX
	JZ   rrtail

rrloop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	BYTE $0x62; BYTE $0xf2; BYTE $0x77; BYTE $0x48; BYTE $0x72; BYTE $0xd0 // VCVTNE2PS2BF16 Z0, Z1, Z2: elements 0..31 as words
	VMOVDQU64 Z2, (DI)
	ADDQ $128, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  rrloop

rrtail:
	TESTQ $31, R13
	JZ    rrnext
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	BYTE $0x62; BYTE $0xf2; BYTE $0x77; BYTE $0x48; BYTE $0x72; BYTE $0xd0 // VCVTNE2PS2BF16 Z0, Z1, Z2
	VMOVDQU16 Z2, K3, (DI)

rrnext:
	ADDQ R10, R14
	ADDQ R11, R15
	DECQ R12
	JNZ  rrrow
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

// The separable transform (bf16sep.go).

// The sepPlan at AX: offsets of the two samples of column v at 16v and
// 16v+8, of the two column sums of output b at 112+16b and 120+16b, C1 at
// 224, C2[b] at 228+4b, 7·dstStride bytes at 256. The column sums of rows
// 2p and 2p+1 go to the scratch area at R13 (v·64 and 448+v·64).

// SEPLOADF and SEPLOADH load the samples of the lanes in K2 (the others
// are zero) as float32, the latter widening bfloat16 values.
#define SEPLOADF(mem, z) \
	VMOVUPS.Z mem, K2, z

#define SEPLOADH(mem, z) \
	VPMOVZXWD.Z mem, K2, z \
	VPSLLD      $16, z, z

// SEP1 forms the column sum v of both rows at source offset soff, loading
// samples with LOAD (SEPLOADF or SEPLOADH): the plan's offsets o0 and o1,
// the scratch offsets r0 and r1.
#define SEP1(LOAD, soff, o0, o1, r0, r1) \
	MOVQ        o0(AX), R10                 \
	MOVQ        o1(AX), R11                 \
	LOAD(soff(R14)(R10*1), Z0)              \
	LOAD(soff(R14)(R11*1), Z1)              \
	VFMADD231PS Z1, Z16, Z0                 \
	VMOVUPS     Z0, r0(R13)                 \
	LOAD(soff(R15)(R10*1), Z2)              \
	LOAD(soff(R15)(R11*1), Z3)              \
	VFMADD231PS Z3, Z16, Z2                 \
	VMOVUPS     Z2, r1(R13)

// SEP2 forms output b of both rows (plan offsets o0 and o1 of its column
// sums, coefficient in zc), rounds and pairs it, stores the lanes in K2 at
// doff(BX) and moves BX to the next output's panels.
#define SEP2(o0, o1, zc, doff) \
	MOVQ        o0(AX), R10               \
	MOVQ        o1(AX), R11               \
	VMOVUPS     (R13)(R10*1), Z0          \
	VFMADD231PS (R13)(R11*1), zc, Z0      \
	VMOVUPS     448(R13)(R10*1), Z2       \
	VFMADD231PS 448(R13)(R11*1), zc, Z2   \
	BF16PAIR                              \
	VMOVDQU32   Z0, K2, doff(BX)          \
	ADDQ        R12, BX

// SEPBLOCK writes the seven outputs of 16 columns of rows 2p and 2p+1
// (source offset soff, samples loaded with LOAD) at doff(BX) in each
// output's panels.
#define SEPBLOCK(LOAD, doff, soff) \
	SEP1(LOAD, soff, 0, 8, 0, 448) \
	SEP1(LOAD, soff, 16, 24, 64, 512) \
	SEP1(LOAD, soff, 32, 40, 128, 576) \
	SEP1(LOAD, soff, 48, 56, 192, 640) \
	SEP1(LOAD, soff, 64, 72, 256, 704) \
	SEP1(LOAD, soff, 80, 88, 320, 768) \
	SEP1(LOAD, soff, 96, 104, 384, 832) \
	SEP2(112, 120, Z17, doff) \
	SEP2(128, 136, Z18, doff) \
	SEP2(144, 152, Z19, doff) \
	SEP2(160, 168, Z20, doff) \
	SEP2(176, 184, Z21, doff) \
	SEP2(192, 200, Z22, doff) \
	SEP2(208, 216, Z23, doff) \
	SUBQ 256(AX), BX

// SEPSETUP loads the arguments of the separable transforms (the source's
// row stride scaled by shift to bytes), aligns the scratch area and
// broadcasts the plan's coefficients.
#define SEPSETUP(shift) \
	MOVQ         dst+0(FP), DI    \
	MOVQ         dstStride+8(FP), R12 \
	SHLQ         $2, R12          \
	MOVQ         src+16(FP), SI   \
	MOVQ         lds+24(FP), R9   \
	SHLQ         $shift, R9       \
	MOVQ         plan+32(FP), AX  \
	MOVQ         scratch+40(FP), R13 \
	ADDQ         $63, R13         \
	ANDQ         $-64, R13        \
	VBROADCASTSS 224(AX), Z16     \
	VBROADCASTSS 228(AX), Z17     \
	VBROADCASTSS 232(AX), Z18     \
	VBROADCASTSS 236(AX), Z19     \
	VBROADCASTSS 240(AX), Z20     \
	VBROADCASTSS 244(AX), Z21     \
	VBROADCASTSS 248(AX), Z22     \
	VBROADCASTSS 252(AX), Z23     \
	BF16CONSTS                    \
	MOVQ         pairs+48(FP), CX \
	MOVQ         CX, R8           \
	SHLQ         $7, R8

// SEPROW starts a row pair: all lanes in K2, BX at its panels, R14 and R15
// at its rows, DX the count of whole panels.
#define SEPROW \
	MOVQ  $-1, AX          \
	KMOVW AX, K2           \
	MOVQ  plan+32(FP), AX  \
	MOVQ  DI, BX           \
	MOVQ  SI, R14          \
	LEAQ  (SI)(R9*1), R15  \
	MOVQ  n+56(FP), DX     \
	SHRQ  $5, DX

// SEPMASK sets K2 to the lanes below DX (the last n mod 16 columns) and
// reloads the plan into AX.
#define SEPMASK \
	MOVQ  CX, R11          \
	MOVQ  DX, CX           \
	MOVQ  $1, AX           \
	SHLQ  CX, AX           \
	DECQ  AX               \
	MOVQ  R11, CX          \
	KMOVW AX, K2           \
	MOVQ  plan+32(FP), AX

// func sumSepBF16AVX512(dst *uint32, dstStride int, src *float32, lds int, plan *sepPlan, scratch *float32, pairs, n int)
// SumSepBF16 for n > 0: a row pair at a time, 32 columns (a panel) at a
// time, 16 per block; the last n mod 16 columns in a block with a lane
// mask in K2.
TEXT ·sumSepBF16AVX512(SB), NOSPLIT, $0-64
	SEPSETUP(2)
sfrow:
	SEPROW
	JZ   sfhalf
sfpanel:
	SEPBLOCK(SEPLOADF, 0, 0)
	SEPBLOCK(SEPLOADF, 64, 64)
	ADDQ $128, R14
	ADDQ $128, R15
	ADDQ R8, BX
	DECQ DX
	JNZ  sfpanel
sfhalf:
	MOVQ  n+56(FP), DX
	TESTQ $16, DX
	JZ    sftail
	SEPBLOCK(SEPLOADF, 0, 0)
	ADDQ  $64, BX
	ADDQ  $64, R14
	ADDQ  $64, R15
sftail:
	ANDQ $15, DX
	JZ   sfnext
	SEPMASK
	SEPBLOCK(SEPLOADF, 0, 0)
sfnext:
	ADDQ $128, DI
	LEAQ (SI)(R9*2), SI
	DECQ CX
	JNZ  sfrow
	VZEROUPPER
	RET

// func sumSepBF16HalfAVX512(dst *uint32, dstStride int, src *uint16, lds int, plan *sepPlan, scratch *float32, pairs, n int)
// SumSepBF16Half for n > 0: a row pair at a time, 32 columns (a panel) at
// a time, 16 per block; the last n mod 16 columns in a block with a lane
// mask in K2.
TEXT ·sumSepBF16HalfAVX512(SB), NOSPLIT, $0-64
	SEPSETUP(1)
shrow:
	SEPROW
	JZ   shhalf
shpanel:
	SEPBLOCK(SEPLOADH, 0, 0)
	SEPBLOCK(SEPLOADH, 64, 32)
	ADDQ $64, R14
	ADDQ $64, R15
	ADDQ R8, BX
	DECQ DX
	JNZ  shpanel
shhalf:
	MOVQ  n+56(FP), DX
	TESTQ $16, DX
	JZ    shtail
	SEPBLOCK(SEPLOADH, 0, 0)
	ADDQ  $64, BX
	ADDQ  $32, R14
	ADDQ  $32, R15
shtail:
	ANDQ $15, DX
	JZ   shnext
	SEPMASK
	SEPBLOCK(SEPLOADH, 0, 0)
shnext:
	ADDQ $128, DI
	LEAQ (SI)(R9*2), SI
	DECQ CX
	JNZ  shrow
	VZEROUPPER
	RET

// bf16pairidx interleaves two rows of 16 words, the first at even positions
// (VPERMW indices 0, 16, 1, 17, …).
DATA ·bf16pairidx+0(SB)/8, $0x0011000100100000
DATA ·bf16pairidx+8(SB)/8, $0x0013000300120002
DATA ·bf16pairidx+16(SB)/8, $0x0015000500140004
DATA ·bf16pairidx+24(SB)/8, $0x0017000700160006
DATA ·bf16pairidx+32(SB)/8, $0x0019000900180008
DATA ·bf16pairidx+40(SB)/8, $0x001b000b001a000a
DATA ·bf16pairidx+48(SB)/8, $0x001d000d001c000c
DATA ·bf16pairidx+56(SB)/8, $0x001f000f001e000e
GLOBL ·bf16pairidx(SB), RODATA|NOPTR, $64
