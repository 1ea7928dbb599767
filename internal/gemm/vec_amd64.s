// This file implements the vector helpers of vec_amd64.go with AVX
// instructions (256-bit, so they run on every AVX2 machine). Square roots,
// products and quotients are IEEE correctly rounded, as in Go.

//go:build amd64 && !noasm && gc

#include "textflag.h"

// func mulSqrtAVX(x, norm *float32, n int)
TEXT ·mulSqrtAVX(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ norm+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   msdone
msloop:
	VSQRTPS (SI), Y0
	VMULPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     msloop
msdone:
	VZEROUPPER
	RET

// func divSqrtAVX(x, norm *float32, n int)
TEXT ·divSqrtAVX(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ norm+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   dsdone
dsloop:
	VSQRTPS (SI), Y0
	VMOVUPS (DI), Y1
	VDIVPS  Y0, Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     dsloop
dsdone:
	VZEROUPPER
	RET

// func squareAVX(dst, src *float32, n int)
TEXT ·squareAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   sqdone
sqloop:
	VMOVUPS (SI), Y0
	VMULPS  Y0, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     sqloop
sqdone:
	VZEROUPPER
	RET

// func fillAVX(dst *float32, v float32, n int)
TEXT ·fillAVX(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	VBROADCASTSS v+8(FP), Y0
	MOVQ         n+16(FP), CX
	SHRQ         $3, CX
	JZ           fidone
filoop:
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     filoop
fidone:
	VZEROUPPER
	RET

// func packRow32AVX(dst, src *float32, panels, stride int)
// Copies 32 floats from src+32·i to dst+stride·i (stride in floats) for
// every i < panels.
TEXT ·packRow32AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ panels+16(FP), CX
	MOVQ stride+24(FP), DX
	SHLQ $2, DX
	TESTQ CX, CX
	JZ   p32done
p32loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    DX, DI
	DECQ    CX
	JNZ     p32loop
p32done:
	VZEROUPPER
	RET

// func packRow16AVX(dst, src *float32, panels, stride int)
// Copies 16 floats from src+16·i to dst+stride·i for every i < panels.
TEXT ·packRow16AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ panels+16(FP), CX
	MOVQ stride+24(FP), DX
	SHLQ $2, DX
	TESTQ CX, CX
	JZ   p16done
p16loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    DX, DI
	DECQ    CX
	JNZ     p16loop
p16done:
	VZEROUPPER
	RET

// func interleave16AVX(dst, a, b *int16, n int)
// Writes a[i] to dst[2i] and b[i] to dst[2i+1] for i < n (a multiple of 16).
TEXT ·interleave16AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ   i16done
i16loop:
	VMOVDQU    (SI), Y0
	VMOVDQU    (DX), Y1
	VPUNPCKLWD Y1, Y0, Y2
	VPUNPCKHWD Y1, Y0, Y3
	VPERM2I128 $0x20, Y3, Y2, Y4
	VPERM2I128 $0x31, Y3, Y2, Y5
	VMOVDQU    Y4, (DI)
	VMOVDQU    Y5, 32(DI)
	ADDQ       $32, SI
	ADDQ       $32, DX
	ADDQ       $64, DI
	DECQ       CX
	JNZ        i16loop
i16done:
	VZEROUPPER
	RET

// func rgba8AVX(dst *uint8, red, green, blue *float32, n int)
// Writes To8 of r[i], g[i], b[i] and 255 to dst[4i:4i+4] for i < n (a
// multiple of 8): VMULPS and VADDPS round separately, as To8 does; VMAXPS
// returns its second source (zero) for NaN; VCVTTPS2DQ truncates like
// Go's conversion of a value in [0, 255].
TEXT ·rgba8AVX(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         red+8(FP), SI
	MOVQ         green+16(FP), DX
	MOVQ         blue+24(FP), R8
	MOVQ         n+32(FP), CX
	SHRQ         $3, CX
	JZ           rgdone
	MOVL         $0x437f0000, AX // 255.0
	MOVQ         AX, X10
	VBROADCASTSS X10, Y10
	MOVL         $0x3f000000, AX // 0.5
	MOVQ         AX, X11
	VBROADCASTSS X11, Y11
	VXORPS       Y12, Y12, Y12
	MOVL         $0xff000000, AX // alpha
	MOVQ         AX, X13
	VPBROADCASTD X13, Y13
rgloop:
	VMULPS       (SI), Y10, Y0
	VMULPS       (DX), Y10, Y1
	VMULPS       (R8), Y10, Y2
	VADDPS       Y11, Y0, Y0
	VADDPS       Y11, Y1, Y1
	VADDPS       Y11, Y2, Y2
	VMAXPS       Y12, Y0, Y0
	VMAXPS       Y12, Y1, Y1
	VMAXPS       Y12, Y2, Y2
	VMINPS       Y10, Y0, Y0
	VMINPS       Y10, Y1, Y1
	VMINPS       Y10, Y2, Y2
	VCVTTPS2DQ   Y0, Y0
	VCVTTPS2DQ   Y1, Y1
	VCVTTPS2DQ   Y2, Y2
	VPSLLD       $8, Y1, Y1
	VPSLLD       $16, Y2, Y2
	VPOR         Y1, Y0, Y0
	VPOR         Y2, Y0, Y0
	VPOR         Y13, Y0, Y0
	VMOVDQU      Y0, (DI)
	ADDQ         $32, SI
	ADDQ         $32, DX
	ADDQ         $32, R8
	ADDQ         $32, DI
	DECQ         CX
	JNZ          rgloop
rgdone:
	VZEROUPPER
	RET

// func widenAddClearAVX(dst *int64, src *int32, n int)
// dst[i] += int64(src[i]); src[i] = 0, eight elements per iteration.
TEXT ·widenAddClearAVX(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   src+8(FP), SI
	MOVQ   n+16(FP), CX
	SHRQ   $3, CX
	JZ     wadone
	VPXOR  Y4, Y4, Y4
waloop:
	VPMOVSXDQ (SI), Y0
	VPMOVSXDQ 16(SI), Y1
	VPADDQ    (DI), Y0, Y0
	VPADDQ    32(DI), Y1, Y1
	VMOVDQU   Y0, (DI)
	VMOVDQU   Y1, 32(DI)
	VMOVDQU   Y4, (SI)
	ADDQ      $32, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       waloop
wadone:
	VZEROUPPER
	RET

// func sumTermsAVX(dst *float32, ldd int, src *float32, lds int, off *[4]int, c *[4]float32, rows, n int)
// dst[r·ldd+i] = c0·src[r·lds+off0+i] + … + c3·src[r·lds+off3+i] for
// r < rows (> 0) and i < n (a positive multiple of 8); each product is
// rounded (VMULPS) before it is added, as in the Go loop.
TEXT ·sumTermsAVX(SB), NOSPLIT, $0-64
	MOVQ         dst+0(FP), DI
	MOVQ         ldd+8(FP), R8
	SHLQ         $2, R8
	MOVQ         src+16(FP), SI
	MOVQ         lds+24(FP), R9
	SHLQ         $2, R9
	MOVQ         off+32(FP), AX
	MOVQ         0(AX), R10
	MOVQ         8(AX), R11
	MOVQ         16(AX), R12
	MOVQ         24(AX), R13
	SHLQ         $2, R10
	SHLQ         $2, R11
	SHLQ         $2, R12
	SHLQ         $2, R13
	MOVQ         c+40(FP), AX
	VBROADCASTSS 0(AX), Y4
	VBROADCASTSS 4(AX), Y5
	VBROADCASTSS 8(AX), Y6
	VBROADCASTSS 12(AX), Y7
	MOVQ         rows+48(FP), CX
	MOVQ         n+56(FP), DX
	SHRQ         $3, DX
strow:
	MOVQ DI, BX
	MOVQ SI, R14
	MOVQ DX, AX
stcol:
	VMULPS  (R14)(R10*1), Y4, Y0
	VMULPS  (R14)(R11*1), Y5, Y1
	VADDPS  Y1, Y0, Y0
	VMULPS  (R14)(R12*1), Y6, Y2
	VADDPS  Y2, Y0, Y0
	VMULPS  (R14)(R13*1), Y7, Y3
	VADDPS  Y3, Y0, Y0
	VMOVUPS Y0, (BX)
	ADDQ    $32, R14
	ADDQ    $32, BX
	DECQ    AX
	JNZ     stcol
	ADDQ    R8, DI
	ADDQ    R9, SI
	DECQ    CX
	JNZ     strow
	VZEROUPPER
	RET

// func addScaledRowsAVX(dst *float32, ldd int, src *float32, lds int, s float32, rows, n int)
// dst[r·ldd+i] += s·src[r·lds+i] for r < rows (> 0) and i < n (a positive
// multiple of 8), the product rounded before the addition.
TEXT ·addScaledRowsAVX(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DI
	MOVQ         ldd+8(FP), R8
	SHLQ         $2, R8
	MOVQ         src+16(FP), SI
	MOVQ         lds+24(FP), R9
	SHLQ         $2, R9
	VBROADCASTSS s+32(FP), Y4
	MOVQ         rows+40(FP), CX
	MOVQ         n+48(FP), DX
	SHRQ         $3, DX
asrow:
	MOVQ DI, BX
	MOVQ SI, R14
	MOVQ DX, AX
ascol:
	VMULPS  (R14), Y4, Y0
	VADDPS  (BX), Y0, Y0
	VMOVUPS Y0, (BX)
	ADDQ    $32, R14
	ADDQ    $32, BX
	DECQ    AX
	JNZ     ascol
	ADDQ    R8, DI
	ADDQ    R9, SI
	DECQ    CX
	JNZ     asrow
	VZEROUPPER
	RET

// func addScaledRowsClearAVX(dst *float32, ldd int, src *float32, lds int, s float32, rows, n int)
// addScaledRowsAVX that also zeroes every element of src it reads.
TEXT ·addScaledRowsClearAVX(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DI
	MOVQ         ldd+8(FP), R8
	SHLQ         $2, R8
	MOVQ         src+16(FP), SI
	MOVQ         lds+24(FP), R9
	SHLQ         $2, R9
	VBROADCASTSS s+32(FP), Y4
	VXORPS       Y5, Y5, Y5
	MOVQ         rows+40(FP), CX
	MOVQ         n+48(FP), DX
	SHRQ         $3, DX
acrow:
	MOVQ DI, BX
	MOVQ SI, R14
	MOVQ DX, AX
accol:
	VMULPS  (R14), Y4, Y0
	VMOVUPS Y5, (R14)
	VADDPS  (BX), Y0, Y0
	VMOVUPS Y0, (BX)
	ADDQ    $32, R14
	ADDQ    $32, BX
	DECQ    AX
	JNZ     accol
	ADDQ    R8, DI
	ADDQ    R9, SI
	DECQ    CX
	JNZ     acrow
	VZEROUPPER
	RET

// func sumTerms2AVX(dst *float32, ldd int, src *float32, lds int, off *[4]int, c *[4]float32, rows, n int)
// SumTerms' sum of the first two terms only, for c[2] = c[3] = 0.
TEXT ·sumTerms2AVX(SB), NOSPLIT, $0-64
	MOVQ         dst+0(FP), DI
	MOVQ         ldd+8(FP), R8
	SHLQ         $2, R8
	MOVQ         src+16(FP), SI
	MOVQ         lds+24(FP), R9
	SHLQ         $2, R9
	MOVQ         off+32(FP), AX
	MOVQ         0(AX), R10
	MOVQ         8(AX), R11
	SHLQ         $2, R10
	SHLQ         $2, R11
	MOVQ         c+40(FP), AX
	VBROADCASTSS 0(AX), Y4
	VBROADCASTSS 4(AX), Y5
	MOVQ         rows+48(FP), CX
	MOVQ         n+56(FP), DX
	SHRQ         $3, DX
s2row:
	MOVQ DI, BX
	MOVQ SI, R14
	MOVQ DX, AX
s2col:
	VMULPS  (R14)(R10*1), Y4, Y0
	VMULPS  (R14)(R11*1), Y5, Y1
	VADDPS  Y1, Y0, Y0
	VMOVUPS Y0, (BX)
	ADDQ    $32, R14
	ADDQ    $32, BX
	DECQ    AX
	JNZ     s2col
	ADDQ    R8, DI
	ADDQ    R9, SI
	DECQ    CX
	JNZ     s2row
	VZEROUPPER
	RET

// func deinterleave4AVX(a, b, c, d, src *float32, n int)
// Writes src[4i], src[4i+1], src[4i+2], src[4i+3] to a[i], b[i], c[i],
// d[i] for i < n (a multiple of 8): the inverse of interleave4RowsAVX on one row.
TEXT ·deinterleave4AVX(SB), NOSPLIT, $0-48
	MOVQ a+0(FP), DI
	MOVQ b+8(FP), DX
	MOVQ c+16(FP), R8
	MOVQ d+24(FP), R9
	MOVQ src+32(FP), SI
	MOVQ n+40(FP), CX
	SHRQ $3, CX
	JZ   d4done
d4loop:
	VMOVUPS    (SI), Y0              // a0 b0 c0 d0 | a1 b1 c1 d1
	VMOVUPS    32(SI), Y1            // a2 … | a3 …
	VMOVUPS    64(SI), Y2            // a4 … | a5 …
	VMOVUPS    96(SI), Y3            // a6 … | a7 …
	VPERM2F128 $0x20, Y2, Y0, Y4     // a0 b0 c0 d0 | a4 b4 c4 d4
	VPERM2F128 $0x31, Y2, Y0, Y5     // a1 … | a5 …
	VPERM2F128 $0x20, Y3, Y1, Y6     // a2 … | a6 …
	VPERM2F128 $0x31, Y3, Y1, Y7     // a3 … | a7 …
	VUNPCKLPS  Y5, Y4, Y0            // a0 a1 b0 b1 | a4 a5 b4 b5
	VUNPCKHPS  Y5, Y4, Y1            // c0 c1 d0 d1 | c4 c5 d4 d5
	VUNPCKLPS  Y7, Y6, Y2            // a2 a3 b2 b3 | a6 a7 b6 b7
	VUNPCKHPS  Y7, Y6, Y3            // c2 c3 d2 d3 | c6 c7 d6 d7
	VUNPCKLPD  Y2, Y0, Y4            // a0 a1 a2 a3 | a4 a5 a6 a7
	VUNPCKHPD  Y2, Y0, Y5            // b…
	VUNPCKLPD  Y3, Y1, Y6            // c…
	VUNPCKHPD  Y3, Y1, Y7            // d…
	VMOVUPS    Y4, (DI)
	VMOVUPS    Y5, (DX)
	VMOVUPS    Y6, (R8)
	VMOVUPS    Y7, (R9)
	ADDQ       $128, SI
	ADDQ       $32, DI
	ADDQ       $32, DX
	ADDQ       $32, R8
	ADDQ       $32, R9
	DECQ       CX
	JNZ        d4loop
d4done:
	VZEROUPPER
	RET

// func interleave2RowsAVX(dst *float32, ldd int, a, b *float32, lds, n, rows int)
// For r < rows (> 0): writes a[r·lds+i] to dst[r·ldd+2i] and b[r·lds+i] to
// dst[r·ldd+2i+1] for i < n (a positive multiple of 8). With rows 1 it is
// the body of Interleave2.
TEXT ·interleave2RowsAVX(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R10
	SHLQ $2, R10
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), R12
	MOVQ lds+32(FP), R11
	SHLQ $2, R11
	MOVQ rows+48(FP), R13
i2rrow:
	MOVQ       n+40(FP), CX
	SHRQ       $3, CX
	MOVQ       DI, BX
	MOVQ       SI, DX
	MOVQ       R12, R8
i2rloop:
	VMOVUPS    (DX), Y0
	VMOVUPS    (R8), Y1
	VUNPCKLPS  Y1, Y0, Y2
	VUNPCKHPS  Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	VMOVUPS    Y4, (BX)
	VMOVUPS    Y5, 32(BX)
	ADDQ       $32, DX
	ADDQ       $32, R8
	ADDQ       $64, BX
	DECQ       CX
	JNZ        i2rloop
	ADDQ       R10, DI
	ADDQ       R11, SI
	ADDQ       R11, R12
	DECQ       R13
	JNZ        i2rrow
	VZEROUPPER
	RET

// func deinterleave2RowsAVX(a, b *float32, ldab int, src *float32, lds, n, rows int)
// For r < rows (> 0): writes src[r·lds+2i] to a[r·ldab+i] and
// src[r·lds+2i+1] to b[r·ldab+i] for i < n pairs (a positive multiple of
// 8). With rows 1 it is the body of Deinterleave2.
TEXT ·deinterleave2RowsAVX(SB), NOSPLIT, $0-56
	MOVQ a+0(FP), DI
	MOVQ b+8(FP), R9
	MOVQ ldab+16(FP), R10
	SHLQ $2, R10
	MOVQ src+24(FP), SI
	MOVQ lds+32(FP), R11
	SHLQ $2, R11
	MOVQ rows+48(FP), R13
d2rrow:
	MOVQ    n+40(FP), CX
	SHRQ    $3, CX
	MOVQ    DI, BX
	MOVQ    R9, DX
	MOVQ    SI, R8
d2rloop:
	VMOVUPS (R8), Y0
	VMOVUPS 32(R8), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (BX)
	VMOVUPS Y3, (DX)
	ADDQ    $64, R8
	ADDQ    $32, BX
	ADDQ    $32, DX
	DECQ    CX
	JNZ     d2rloop
	ADDQ    R10, DI
	ADDQ    R10, R9
	ADDQ    R11, SI
	DECQ    R13
	JNZ     d2rrow
	VZEROUPPER
	RET

// func interleave4RowsAVX(dst *float32, ldd int, src *float32, lds, step, n, rows int)
// For r < rows (> 0): interleaves src[r·lds+j·step+i] (j = 0 … 3) into
// dst[r·ldd+4i+j] for i < n (a positive multiple of 8).
TEXT ·interleave4RowsAVX(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R10
	SHLQ $2, R10
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R11
	SHLQ $2, R11
	MOVQ step+32(FP), R12
	SHLQ $2, R12
	MOVQ rows+48(FP), R13
i4rrow:
	MOVQ       n+40(FP), CX
	SHRQ       $3, CX
	MOVQ       DI, BX                // dst of this row
	MOVQ       SI, DX                // a
	LEAQ       (DX)(R12*1), R8       // b
	LEAQ       (R8)(R12*1), R9       // c
	LEAQ       (R9)(R12*1), AX       // d
i4rloop:
	VMOVUPS    (DX), Y0
	VMOVUPS    (R8), Y1
	VMOVUPS    (R9), Y2
	VMOVUPS    (AX), Y3
	VUNPCKLPS  Y2, Y0, Y4
	VUNPCKHPS  Y2, Y0, Y5
	VUNPCKLPS  Y3, Y1, Y6
	VUNPCKHPS  Y3, Y1, Y7
	VUNPCKLPS  Y6, Y4, Y0
	VUNPCKHPS  Y6, Y4, Y1
	VUNPCKLPS  Y7, Y5, Y2
	VUNPCKHPS  Y7, Y5, Y3
	VPERM2F128 $0x20, Y1, Y0, Y4
	VPERM2F128 $0x20, Y3, Y2, Y5
	VPERM2F128 $0x31, Y1, Y0, Y6
	VPERM2F128 $0x31, Y3, Y2, Y7
	VMOVUPS    Y4, (BX)
	VMOVUPS    Y5, 32(BX)
	VMOVUPS    Y6, 64(BX)
	VMOVUPS    Y7, 96(BX)
	ADDQ       $32, DX
	ADDQ       $32, R8
	ADDQ       $32, R9
	ADDQ       $32, AX
	ADDQ       $128, BX
	DECQ       CX
	JNZ        i4rloop
	ADDQ       R10, DI
	ADDQ       R11, SI
	DECQ       R13
	JNZ        i4rrow
	VZEROUPPER
	RET

// func squareRow32AVX(dst, src *float32, panels, stride int)
// Writes the squares of 32 floats from src+32·i to dst+stride·i (stride in
// floats) for every i < panels (> 0).
TEXT ·squareRow32AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ panels+16(FP), CX
	MOVQ stride+24(FP), DX
	SHLQ $2, DX
sq32loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS  Y0, Y0, Y0
	VMULPS  Y1, Y1, Y1
	VMULPS  Y2, Y2, Y2
	VMULPS  Y3, Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    DX, DI
	DECQ    CX
	JNZ     sq32loop
	VZEROUPPER
	RET

// func squareRow16AVX(dst, src *float32, panels, stride int)
// squareRow32AVX for panels of 16 floats.
TEXT ·squareRow16AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ panels+16(FP), CX
	MOVQ stride+24(FP), DX
	SHLQ $2, DX
sq16loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMULPS  Y0, Y0, Y0
	VMULPS  Y1, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    DX, DI
	DECQ    CX
	JNZ     sq16loop
	VZEROUPPER
	RET

// func deinterleave4RowsAVX(dst *float32, off *[4]int, ldd int, src *float32, lds, n, rows int)
// For r < rows (> 0) and i < n (> 0): dst[r·ldd + off[i mod 4] + i/4] =
// src[r·lds + i]. Blocks of 32 elements go through the shuffles of
// deinterleave4AVX; the rest one element at a time.
TEXT ·deinterleave4RowsAVX(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), R14
	MOVQ off+8(FP), AX
	MOVQ ldd+16(FP), R10
	SHLQ $2, R10
	MOVQ src+24(FP), R15
	MOVQ lds+32(FP), R11
	SHLQ $2, R11
	MOVQ n+40(FP), R13
	MOVQ rows+48(FP), R12
d4rrow:
	MOVQ 0(AX), DI
	LEAQ (R14)(DI*4), DI
	MOVQ 8(AX), DX
	LEAQ (R14)(DX*4), DX
	MOVQ 16(AX), R8
	LEAQ (R14)(R8*4), R8
	MOVQ 24(AX), R9
	LEAQ (R14)(R9*4), R9
	MOVQ R15, SI
	MOVQ R13, CX
	SHRQ $5, CX
	JZ   d4rtail
d4rloop:
	VMOVUPS    (SI), Y0
	VMOVUPS    32(SI), Y1
	VMOVUPS    64(SI), Y2
	VMOVUPS    96(SI), Y3
	VPERM2F128 $0x20, Y2, Y0, Y4
	VPERM2F128 $0x31, Y2, Y0, Y5
	VPERM2F128 $0x20, Y3, Y1, Y6
	VPERM2F128 $0x31, Y3, Y1, Y7
	VUNPCKLPS  Y5, Y4, Y0
	VUNPCKHPS  Y5, Y4, Y1
	VUNPCKLPS  Y7, Y6, Y2
	VUNPCKHPS  Y7, Y6, Y3
	VUNPCKLPD  Y2, Y0, Y4
	VUNPCKHPD  Y2, Y0, Y5
	VUNPCKLPD  Y3, Y1, Y6
	VUNPCKHPD  Y3, Y1, Y7
	VMOVUPS    Y4, (DI)
	VMOVUPS    Y5, (DX)
	VMOVUPS    Y6, (R8)
	VMOVUPS    Y7, (R9)
	ADDQ       $128, SI
	ADDQ       $32, DI
	ADDQ       $32, DX
	ADDQ       $32, R8
	ADDQ       $32, R9
	DECQ       CX
	JNZ        d4rloop
d4rtail:
	MOVQ R13, CX
	ANDQ $31, CX
	JZ   d4rnext
d4rscalar:
	VMOVSS (SI), X0
	VMOVSS X0, (DI)
	ADDQ  $4, DI
	DECQ  CX
	JZ    d4rnext
	VMOVSS 4(SI), X0
	VMOVSS X0, (DX)
	ADDQ  $4, DX
	DECQ  CX
	JZ    d4rnext
	VMOVSS 8(SI), X0
	VMOVSS X0, (R8)
	ADDQ  $4, R8
	DECQ  CX
	JZ    d4rnext
	VMOVSS 12(SI), X0
	VMOVSS X0, (R9)
	ADDQ  $4, R9
	ADDQ  $16, SI
	DECQ  CX
	JNZ   d4rscalar
d4rnext:
	ADDQ R10, R14
	ADDQ R11, R15
	DECQ R12
	JNZ  d4rrow
	VZEROUPPER
	RET

// func addScaledRows2AVX512(d1, d2 *float32, ldd int, src *float32, lds int, s1, s2 float32, rows, n, zero int)
// For r < rows (> 0) and i < n (a positive multiple of 16): d1[r·ldd+i] +=
// s1·src[r·lds+i] and d2[r·ldd+i] += s2·src[r·lds+i], each product rounded
// before its addition, as addScaledRowsAVX does; with zero ≠ 0 the src
// elements are then set to zero.
TEXT ·addScaledRows2AVX512(SB), NOSPLIT, $0-72
	MOVQ         d1+0(FP), DI
	MOVQ         d2+8(FP), R10
	MOVQ         ldd+16(FP), R8
	SHLQ         $2, R8
	MOVQ         src+24(FP), SI
	MOVQ         lds+32(FP), R9
	SHLQ         $2, R9
	VBROADCASTSS s1+40(FP), Z4
	VBROADCASTSS s2+44(FP), Z5
	VPXORD       Z6, Z6, Z6
	MOVQ         rows+48(FP), CX
	MOVQ         zero+64(FP), R12
a2row:
	MOVQ DI, BX
	MOVQ R10, R11
	MOVQ SI, R14
	MOVQ n+56(FP), AX
	SHRQ $4, AX
a2col:
	VMOVUPS (R14), Z0
	VMULPS  Z0, Z4, Z1
	VMULPS  Z0, Z5, Z2
	VADDPS  (BX), Z1, Z1
	VADDPS  (R11), Z2, Z2
	VMOVUPS Z1, (BX)
	VMOVUPS Z2, (R11)
	TESTQ   R12, R12
	JZ      a2next
	VMOVUPS Z6, (R14)
a2next:
	ADDQ $64, R14
	ADDQ $64, BX
	ADDQ $64, R11
	DECQ AX
	JNZ  a2col
	ADDQ R8, DI
	ADDQ R8, R10
	ADDQ R9, SI
	DECQ CX
	JNZ  a2row
	VZEROUPPER
	RET
