// This file implements the element-wise helpers that the layers of package
// model run between products (GDN's x², its square roots, bias fills). On
// amd64 they use AVX; the results are the same bits as the Go loops,
// because each element is one correctly rounded IEEE operation either way.

package gemm

import "math"

// MulSqrt sets x[i] = x[i]·√norm[i] for every i, in float32 with each
// operation correctly rounded. It panics if norm is shorter than x.
func MulSqrt(x, norm []float32) {
	norm = norm[:len(x)]
	for i := mulSqrtAsm(x, norm); i < len(x); i++ {
		x[i] *= sqrt32(norm[i])
	}
}

// DivSqrt sets x[i] = x[i]/√norm[i] for every i, in float32 with each
// operation correctly rounded. It panics if norm is shorter than x.
func DivSqrt(x, norm []float32) {
	norm = norm[:len(x)]
	for i := divSqrtAsm(x, norm); i < len(x); i++ {
		x[i] /= sqrt32(norm[i])
	}
}

// Square sets dst[i] = src[i]·src[i] for every i. It panics if src is
// shorter than dst.
func Square(dst, src []float32) {
	src = src[:len(dst)]
	for i := squareAsm(dst, src); i < len(dst); i++ {
		dst[i] = src[i] * src[i]
	}
}

// SquareToPanels writes src[j]·src[j] for every j into row row of a k-row
// matrix B laid out in panels for [SgemmPanels]: element (row, j) is
// dst[j/w·k·w + row·w + j%w] with w = [PanelWidth]. It panics if dst is
// too short.
func SquareToPanels(dst []float32, k, row int, src []float32) {
	w, n := PanelWidth(), len(src)
	if n == 0 {
		return
	}
	if row < 0 || row >= k || len(dst) < ((n+w-1)/w-1)*k*w+row*w+(n-1)%w+1 {
		panic("gemm: SquareToPanels destination too short")
	}
	full := n / w
	j0 := 0
	if full > 0 && squareRowAsm(dst[row*w:], src[:full*w], full, k*w, w) {
		j0 = full * w
	}
	for j := j0; j < n; j++ {
		dst[j/w*k*w+row*w+j%w] = src[j] * src[j]
	}
}

// Fill sets every element of dst to v.
func Fill(dst []float32, v float32) {
	for i := fillAsm(dst, v); i < len(dst); i++ {
		dst[i] = v
	}
}

// Interleave2 sets dst[2i] = a[i] and dst[2i+1] = b[i] for i < len(a),
// which is how the two column phases of a stride-2 transposed convolution
// make up an output row. b may be one element shorter than a, and then
// the last element of dst written is dst[2·len(a)−2]. It panics if b or dst
// is too short.
func Interleave2(dst, a, b []float32) {
	n := len(a)
	if len(b) < n-1 || len(dst) < 2*n-1 {
		panic("gemm: Interleave2 operands too short")
	}
	i := 0
	if len(b) >= n && len(dst) >= 2*n {
		i = interleave2Asm(dst, a, b)
	}
	for ; i < n; i++ {
		dst[2*i] = a[i]
		if i < len(b) {
			dst[2*i+1] = b[i]
		}
	}
}

// Interleave4Rows interleaves, for each r < rows, the four slices
// src[r·lds+j·step:][:n] (j = 0 … 3) into dst[r·ldd:][:4n], so that
// dst[r·ldd+4i+j] = src[r·lds+j·step+i]: the four columns of a row of
// 4-wide tiles. One call stores a row of Winograd tiles for every channel.
// It panics if a slice is too short.
func Interleave4Rows(dst []float32, ldd int, src []float32, lds, step, n, rows int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ldd < 4*n || step < n || lds < 0 || len(dst) < (rows-1)*ldd+4*n || len(src) < (rows-1)*lds+3*step+n {
		panic("gemm: Interleave4Rows operands too short")
	}
	done := interleave4RowsAsm(dst, ldd, src, lds, step, n, rows)
	for r := 0; r < rows; r++ {
		d, f := dst[r*ldd:], src[r*lds:]
		for i := done; i < n; i++ {
			d[4*i], d[4*i+1], d[4*i+2], d[4*i+3] = f[i], f[step+i], f[2*step+i], f[3*step+i]
		}
	}
}

// Interleave2Rows is [Interleave2] on rows row pairs at once: for r < rows,
// it interleaves src[r·lds:][:n] and src[r·lds+step:][:n] into
// dst[r·ldd:][:2n]. It panics if a slice is too short.
func Interleave2Rows(dst []float32, ldd int, src []float32, lds, step, n, rows int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ldd < 2*n || step < n || lds < 0 || len(dst) < (rows-1)*ldd+2*n || len(src) < (rows-1)*lds+step+n {
		panic("gemm: Interleave2Rows operands too short")
	}
	done := interleave2RowsAsm(dst, ldd, src, src[step:], lds, n, rows)
	for r := 0; r < rows; r++ {
		d, f := dst[r*ldd:], src[r*lds:]
		for i := done; i < n; i++ {
			d[2*i], d[2*i+1] = f[i], f[step+i]
		}
	}
}

// Deinterleave2Rows is [Deinterleave2] on rows rows at once: for r < rows,
// it splits src[r·lds:][:n] into a[r·ldab:][:⌈n/2⌉] and b[r·ldab:][:⌊n/2⌋].
// It panics if a slice is too short.
func Deinterleave2Rows(a, b []float32, ldab int, src []float32, lds, n, rows int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ldab < (n+1)/2 || lds < n || len(a) < (rows-1)*ldab+(n+1)/2 || len(b) < (rows-1)*ldab+n/2 || len(src) < (rows-1)*lds+n {
		panic("gemm: Deinterleave2Rows operands too short")
	}
	done := deinterleave2RowsAsm(a, b, ldab, src, lds, n, rows) // pairs
	for r := 0; r < rows; r++ {
		ar, br, f := a[r*ldab:], b[r*ldab:], src[r*lds:]
		for i := 2 * done; i < n; i++ {
			if i%2 == 0 {
				ar[i/2] = f[i]
			} else {
				br[i/2] = f[i]
			}
		}
	}
}

// Deinterleave2 sets a[i] = src[2i] and b[i] = src[2i+1], splitting a
// row into its even and odd columns (the column phases of a stride-2
// convolution's input). a must hold ⌈len(src)/2⌉ elements and b ⌊len(src)/2⌋;
// it panics otherwise.
func Deinterleave2(a, b, src []float32) {
	if len(a) != (len(src)+1)/2 || len(b) != len(src)/2 {
		panic("gemm: Deinterleave2 operand lengths")
	}
	i := deinterleave2Asm(a, b, src)
	for ; i < len(b); i++ {
		a[i], b[i] = src[2*i], src[2*i+1]
	}
	if len(a) > len(b) {
		a[len(b)] = src[2*len(b)]
	}
}

// Deinterleave4 sets a[i] = src[4i], b[i] = src[4i+1], c[i] = src[4i+2]
// and d[i] = src[4i+3], splitting a row into its four column phases (the
// input layout of a 4-step source). With n = len(src), a must hold
// ⌈n/4⌉ elements, b ⌈(n−1)/4⌉, c ⌈(n−2)/4⌉ and d ⌊n/4⌋; it panics
// otherwise.
func Deinterleave4(a, b, c, d, src []float32) {
	n := len(src)
	if len(a) != (n+3)/4 || len(b) != (n+2)/4 || len(c) != (n+1)/4 || len(d) != n/4 {
		panic("gemm: Deinterleave4 operand lengths")
	}
	dst := [4][]float32{a, b, c, d}
	for i := deinterleave4Asm(a, b, c, d, src); i < n; i++ {
		dst[i%4][i/4] = src[i]
	}
}

// deinterleave4RowsGo is the loop of Deinterleave4Rows and its bfloat16
// form, with conv applied to every value.
func deinterleave4RowsGo[T float32 | uint16](dst []T, off *[4]int, ldd int, src []float32, lds, n, rows int, conv func(float32) T) {
	for r := 0; r < rows; r++ {
		f := src[r*lds : r*lds+n]
		for k := 0; k < 4 && k < n; k++ {
			d := dst[r*ldd+off[k]:]
			for i := k; i < n; i += 4 {
				d[i/4] = conv(f[i])
			}
		}
	}
}

// Deinterleave4Rows is [Deinterleave4] on rows rows at once, into phase
// planes given by offsets: for r < rows and i < n it sets
// dst[r·ldd + off[i mod 4] + ⌊i/4⌋] = src[r·lds + i]. (A convolution's
// band stores a row segment of every channel into the four column phases
// of the next layer's input this way.) The four phases' ranges must not
// overlap. It panics if an offset is negative or a slice is too short.
func Deinterleave4Rows(dst []float32, off *[4]int, ldd int, src []float32, lds, n, rows int) {
	if rows <= 0 || n <= 0 {
		return
	}
	checkDeinterleave4Rows(len(dst), off, ldd, len(src), lds, n, rows)
	if deinterleave4RowsAsm(dst, off, ldd, src, lds, n, rows) {
		return
	}
	deinterleave4RowsGo(dst, off, ldd, src, lds, n, rows, func(v float32) float32 { return v })
}

// checkDeinterleave4Rows panics unless a Deinterleave4Rows of the shape
// fits a destination of dstLen and a source of srcLen elements.
func checkDeinterleave4Rows(dstLen int, off *[4]int, ldd, srcLen, lds, n, rows int) {
	for k, o := range off {
		if cnt := (n - k + 3) / 4; cnt > 0 && (o < 0 || dstLen < (rows-1)*ldd+o+cnt) {
			panic("gemm: Deinterleave4Rows destination too short")
		}
	}
	if ldd < 0 || lds < n || srcLen < (rows-1)*lds+n {
		panic("gemm: Deinterleave4Rows source too short")
	}
}

// To8 maps a float sample of nominal range [0, 1] to 8 bits:
// ⌊255·v + 0.5⌋ clamped to [0, 255], with NaN giving 0. The product is
// rounded to float32 before the half is added, so that no build fuses the
// two into one multiply-add and every build (and the assembly of RGBA8)
// gives the same byte.
func To8(v float32) uint8 {
	v = float32(v*255) + 0.5
	switch {
	case !(v >= 0): // also NaN
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v)
}

// RGBA8 writes To8(r[i]), To8(g[i]), To8(b[i]) and 255 to dst[4i:4i+4]
// for every i of r. It panics if g, b or dst is too short.
func RGBA8(dst []uint8, r, g, b []float32) {
	n := len(r)
	_, _, _ = g[:n], b[:n], dst[:4*n]
	for i := rgba8Asm(dst, r, g, b); i < n; i++ {
		s := dst[4*i : 4*i+4 : 4*i+4]
		s[0], s[1], s[2], s[3] = To8(r[i]), To8(g[i]), To8(b[i]), 0xff
	}
}

// interleave16 writes a[i] to dst[2i] and b[i] to dst[2i+1] for every i
// of a: the pair layout of the int16 B panels.
func interleave16(dst, a, b []int16) {
	n := len(a)
	_, _ = b[:n], dst[:2*n]
	for i := interleave16Asm(dst, a, b); i < n; i++ {
		dst[2*i] = a[i]
		dst[2*i+1] = b[i]
	}
}

// widenAddClear adds src to dst element by element in int64 and zeroes
// src (len(dst) ≥ len(src)): DotI16Groups moves each group's exact int32
// sums into its int64 tile this way, leaving the int32 tile ready for the
// next group.
func widenAddClear(dst []int64, src []int32) {
	_ = dst[:len(src)]
	for i := widenAddClearAsm(dst, src); i < len(src); i++ {
		dst[i] += int64(src[i])
		src[i] = 0
	}
}

// sqrt32 is the correctly rounded float32 square root: the float64 root
// of a float32, rounded to float32, is the correctly rounded float32 root.
func sqrt32(v float32) float32 { return float32(math.Sqrt(float64(v))) }
