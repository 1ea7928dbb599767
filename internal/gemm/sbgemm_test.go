// This file tests the bfloat16 product: the rounding, the input transform
// against SumTerms, and the kernels against the Go kernel and float64.

package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bf16Specials are float32 bit patterns where conversions to bfloat16
// may disagree: zeros, subnormals, the smallest normals, ties, values that
// round to infinity, infinities and NaNs (quiet and signalling).
var bf16Specials = []uint32{0, 0x80000000, 1, 0x80000001, 0x00431fb8, 0x807fffff, 0x007fffff,
	0x00800000, 0x80800000, 0x00808000, 0x00818000, 0x3f808000, 0x3f818000, 0x3f80ffff,
	0x7f7f8000, 0x7f7fffff, 0xff7f8000, 0x7f800000, 0xff800000, 0x7f800001, 0x7fbfffff,
	0x7fc00000, 0xffc00001, 0xff800100}

// TestRoundBF16 checks the rounding against the nearest bfloat16 found in
// float64 arithmetic, ties to even, including values at and around ties,
// and the flush of subnormals and quieting of NaNs.
func TestRoundBF16(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 3.1415927, 65504, 1e-30,
		math.MaxFloat32, -math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1))}
	for _, u := range bf16Specials {
		vals = append(vals, math.Float32frombits(u))
	}
	for range 2000 {
		u := r.Uint32()&0x7f7fffff | r.Uint32()&0x80000000
		vals = append(vals, math.Float32frombits(u))
		// Exact ties and their neighbours.
		tie := u&0xffff0000 | 0x8000
		vals = append(vals, math.Float32frombits(tie), math.Float32frombits(tie-1), math.Float32frombits(tie+1))
	}
	for _, v := range vals {
		got := RoundBF16(v)
		u := math.Float32bits(v)
		switch {
		case u&0x7f800000 == 0: // zero or subnormal
			if want := uint16(u>>31) << 15; got != want {
				t.Fatalf("RoundBF16(%#08x) = %#04x, want %#04x", u, got, want)
			}
			continue
		case v != v:
			if got&0x7f80 != 0x7f80 || got&0x40 == 0 || got>>15 != uint16(u>>31) {
				t.Fatalf("RoundBF16(NaN %#08x) = %#04x, want a quiet NaN of the same sign", u, got)
			}
			continue
		}
		if math.IsInf(float64(v), 0) {
			if math.Float32bits(v)>>16 != uint32(got) {
				t.Fatalf("RoundBF16(%v) = %#04x", v, got)
			}
			continue
		}
		lo := math.Float32bits(v) >> 16 // truncation: the candidate toward zero
		a, b := float64(bf16Float(lo)), float64(bf16Float(lo+1))
		if math.IsInf(b, 0) {
			b = math.Copysign(math.Ldexp(1, 128), b) // the next value up, were the exponent wider
		}
		da, db := math.Abs(float64(v)-a), math.Abs(b-float64(v))
		want := lo
		if db < da || (db == da && lo&1 == 1) {
			want = lo + 1
		}
		if uint32(got) != want {
			t.Fatalf("RoundBF16(%v = %#08x) = %#04x, want %#04x", v, math.Float32bits(v), got, want)
		}
	}
}

// TestBF16RoundingAssembly requires the assembly helpers to round the
// special values as RoundBF16 does: the vector conversion (GatherPairsBF16
// with scale 1, whose product is exact; Deinterleave4RowsBF16's blocks) and
// the scalar one (Deinterleave4RowsBF16's tail).
func TestBF16RoundingAssembly(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(81, 82))
		const n = 96 + 7 // blocks of 32, a block of 16 and a scalar tail
		src := make([]float32, 2*n)
		for i := range src {
			u := bf16Specials[r.IntN(len(bf16Specials))]
			if i%3 == 0 {
				u = r.Uint32()
			}
			src[i] = math.Float32frombits(u)
		}
		dst := make([]uint32, n)
		GatherPairsBF16(dst, n, src, []int{0, n}, n, 1)
		const plane = (n + 3) / 4
		phases := [4]int{0, plane, 2 * plane, 3 * plane}
		half := make([]uint16, 2*4*plane)
		Deinterleave4RowsBF16(half, &phases, 4*plane, src, n, n, 2)
		for i := 0; i < n; i++ {
			want := uint32(RoundBF16(src[i])) | uint32(RoundBF16(src[n+i]))<<16
			if v := src[i] * 1; v != v || src[n+i]*1 != src[n+i]*1 {
				// v·1 is the same NaN made quiet on amd64; compare the
				// rounding of what the product gave.
				want = uint32(RoundBF16(v)) | uint32(RoundBF16(src[n+i]*1))<<16
			}
			if dst[i] != want {
				t.Fatalf("GatherPairsBF16 of %#08x, %#08x = %#08x, want %#08x", math.Float32bits(src[i]), math.Float32bits(src[n+i]), dst[i], want)
			}
		}
		for row := 0; row < 2; row++ {
			for i := 0; i < n; i++ {
				got := half[row*4*plane+phases[i%4]+i/4]
				if want := RoundBF16(src[row*n+i]); got != want {
					t.Fatalf("Deinterleave4RowsBF16 of %#08x = %#04x, want %#04x", math.Float32bits(src[row*n+i]), got, want)
				}
			}
		}
	})
}

// bf16Panels lays out the k×n matrix b (row stride n) in bfloat16 pair
// panels for SgemmBF16Panels, with garbage in the columns past n.
func bf16Panels(r *rand.Rand, k, n int, b []float32) []uint32 {
	const w = BF16PanelWidth
	kp := (k + 1) / 2
	np := (n + w - 1) / w
	bp := make([]uint32, np*kp*w)
	for i := range bp {
		bp[i] = r.Uint32() // garbage, NaNs included, must not reach C
	}
	for j := 0; j < n; j++ {
		for q := 0; q < kp; q++ {
			var hi float32
			if 2*q+1 < k {
				hi = b[(2*q+1)*n+j]
			}
			bp[j/w*kp*w+q*w+j%w] = packBF16Pair(b[2*q*n+j], hi)
		}
	}
	return bp
}

// TestSgemmBF16Panels compares the product with the Go kernel bit for bit
// and with float64 sums of the rounded operands, for shapes with partial
// row and column panels and odd k.
func TestSgemmBF16Panels(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	shapes := []shape{{1, 1, 1}, {3, 31, 2}, {14, 32, 7}, {15, 33, 64}, {29, 100, 130}, {128, 256, 128}, {192, 70, 128}, {5, 64, 0}}
	for _, sh := range shapes {
		m, n, k := sh.m, sh.n, sh.k
		a, b := randSlice(r, m*k), randSlice(r, k*n)
		pa := PackBF16(m, k, a, k)
		bp := bf16Panels(r, k, n, b)
		ldc := n + 3
		c0 := randSlice(r, m*ldc)
		got := append([]float32(nil), c0...)
		SgemmBF16Panels(pa, n, bp, got, ldc)
		if BF16Available() {
			want := append([]float32(nil), c0...)
			saved := bf16Kernels
			bf16Kernels = kernBGo
			SgemmBF16Panels(pa, n, bp, want, ldc)
			bf16Kernels = saved
			requireBits(t, got, want, "m=%d n=%d k=%d: assembly against Go", m, n, k)
		}
		round := func(v float32) float64 { return float64(bf16Float(uint32(RoundBF16(v)))) }
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var s, mag float64
				for p := 0; p < k; p++ {
					v := round(a[i*k+p]) * round(b[p*n+j])
					s += v
					mag += math.Abs(v)
				}
				want := float64(c0[i*ldc+j]) + s
				// float32 sums of k terms: a few ulps of the magnitudes.
				tol := 1e-6*(mag+math.Abs(want)) + 1e-30
				if d := math.Abs(float64(got[i*ldc+j]) - want); d > float64(k+2)*tol {
					t.Fatalf("m=%d n=%d k=%d: C[%d][%d] = %v, want %v", m, n, k, i, j, got[i*ldc+j], want)
				}
			}
			for j := n; j < ldc; j++ {
				if math.Float32bits(got[i*ldc+j]) != math.Float32bits(c0[i*ldc+j]) {
					t.Fatalf("m=%d n=%d k=%d: C[%d][%d] past n changed", m, n, k, i, j)
				}
			}
		}
	}
}

// TestSgemmBF16PanelsSet requires the stored product to equal the product
// added to zeros, and the assembly to give the Go kernel's bits, with
// garbage in C beforehand and columns past n left alone.
func TestSgemmBF16PanelsSet(t *testing.T) {
	r := rand.New(rand.NewPCG(85, 86))
	for _, sh := range []shape{{1, 1, 1}, {3, 31, 2}, {14, 32, 7}, {15, 33, 64}, {128, 100, 128}} {
		m, n, k := sh.m, sh.n, sh.k
		pa := PackBF16(m, k, randSlice(r, m*k), k)
		bp := bf16Panels(r, k, n, randSlice(r, k*n))
		ldc := n + 3
		zero := make([]float32, m*ldc)
		SgemmBF16Panels(pa, n, bp, zero, ldc)
		c0 := randSlice(r, m*ldc)
		got := append([]float32(nil), c0...)
		SgemmBF16PanelsSet(pa, n, bp, got, ldc)
		for i := 0; i < m; i++ {
			for j := 0; j < ldc; j++ {
				want := zero[i*ldc+j]
				if j >= n {
					want = c0[i*ldc+j]
				}
				if got[i*ldc+j] != want {
					t.Fatalf("m=%d n=%d k=%d: C[%d][%d] = %v, want %v", m, n, k, i, j, got[i*ldc+j], want)
				}
			}
		}
		if BF16Available() {
			want := append([]float32(nil), c0...)
			saved := bf16SetKernels
			bf16SetKernels = kernSGo
			SgemmBF16PanelsSet(pa, n, bp, want, ldc)
			bf16SetKernels = saved
			requireBits(t, got, want, "m=%d n=%d k=%d: assembly against Go", m, n, k)
		}
	}
}

// TestSgemmBF16PanelsPanics checks the shape checks.
func TestSgemmBF16PanelsPanics(t *testing.T) {
	pa := PackBF16(4, 6, make([]float32, 24), 6)
	expectPanics(t, map[string]func(){
		"short B": func() { SgemmBF16Panels(pa, 40, make([]uint32, 3*32), make([]float32, 160), 40) },
		"short C": func() { SgemmBF16Panels(pa, 40, make([]uint32, 2*3*32), make([]float32, 159), 40) },
		"short A": func() { PackBF16(4, 6, make([]float32, 23), 6) },
		"negative": func() {
			SgemmBF16Panels(pa, -1, nil, nil, 1)
		},
	})
}

// TestSquarePairsBF16 requires, on every kernel family, the rounded squares
// of both rows of each pair.
func TestSquarePairsBF16(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(47, 48))
		for _, n := range []int{1, 15, 16, 17, 32, 61} {
			for _, pairs := range []int{1, 3} {
				lds, ldd := n+r.IntN(3), n+r.IntN(3)
				src := randSlice(r, (2*pairs-1)*lds+n)
				dst := make([]uint32, (pairs-1)*ldd+n+1)
				dst[len(dst)-1] = 0xdeadbeef
				SquarePairsBF16(dst, ldd, src, lds, pairs, n)
				for p := 0; p < pairs; p++ {
					for i := 0; i < n; i++ {
						x, y := src[2*p*lds+i], src[(2*p+1)*lds+i]
						want := uint32(RoundBF16(float32(float64(x)*float64(x)))) | uint32(RoundBF16(float32(float64(y)*float64(y))))<<16
						if dst[p*ldd+i] != want {
							t.Fatalf("n=%d pairs=%d: dst[%d][%d] = %#08x, want %#08x", n, pairs, p, i, dst[p*ldd+i], want)
						}
					}
				}
				if dst[len(dst)-1] != 0xdeadbeef {
					t.Fatalf("n=%d pairs=%d: wrote past the end", n, pairs)
				}
			}
		}
	})
}

// TestGatherPairsBF16 requires, on every kernel family, the rounded rows at
// the offsets, with a zero partner for an odd count.
func TestGatherPairsBF16(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(49, 50))
		for _, n := range []int{1, 15, 16, 17, 32, 61} {
			for _, count := range []int{1, 2, 5, 8} {
				src := randSlice(r, 200)
				rows := make([]int, count)
				for i := range rows {
					rows[i] = r.IntN(len(src) - n + 1)
				}
				pairs := (count + 1) / 2
				ldd := n + r.IntN(3)
				dst := make([]uint32, (pairs-1)*ldd+n+1)
				dst[len(dst)-1] = 0xdeadbeef
				scale := []float32{1, 255, -0.3}[count%3]
				GatherPairsBF16(dst, ldd, src, rows, n, scale)
				for p := 0; p < pairs; p++ {
					for i := 0; i < n; i++ {
						want := uint32(RoundBF16(float32(float64(scale) * float64(src[rows[2*p]+i]))))
						if 2*p+1 < count {
							want |= uint32(RoundBF16(float32(float64(scale)*float64(src[rows[2*p+1]+i])))) << 16
						}
						if dst[p*ldd+i] != want {
							t.Fatalf("n=%d count=%d: dst[%d][%d] = %#08x, want %#08x", n, count, p, i, dst[p*ldd+i], want)
						}
					}
				}
				if dst[len(dst)-1] != 0xdeadbeef {
					t.Fatalf("n=%d count=%d: wrote past the end", n, count)
				}
			}
		}
		expectPanics(t, map[string]func(){
			"row past end": func() { GatherPairsBF16(make([]uint32, 32), 32, make([]float32, 40), []int{0, 9}, 32, 1) },
			"negative row": func() { GatherPairsBF16(make([]uint32, 32), 32, make([]float32, 40), []int{-1, 0}, 32, 1) },
		})
	})
}

// TestDivSqrtApprox compares with the correctly rounded quotient of the
// float32 sum norm + β over many magnitudes, and checks +Inf norms and the
// tail.
func TestDivSqrtApprox(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(51, 52))
		for _, n := range []int{1, 15, 16, 17, 100} {
			x, norm := randSlice(r, n), make([]float32, n)
			for i := range norm {
				norm[i] = float32(math.Ldexp(1+r.Float64(), r.IntN(80)-40))
			}
			norm[n/2] = float32(math.Inf(1))
			beta := []float32{0, 1e-6, 0.5}[n%3]
			got := append([]float32(nil), x...)
			DivSqrtApprox(got, norm, beta)
			for i := range x {
				want := float64(x[i]) / math.Sqrt(float64(norm[i]+beta))
				if d := math.Abs(float64(got[i]) - want); d > math.Ldexp(math.Abs(want), -21) {
					t.Fatalf("n=%d: x=%v norm=%v: got %v, want %v", n, x[i], norm[i], got[i], want)
				}
			}
		}
	})
}

// TestDivSqrtApproxPositionFree requires each element's result not to
// depend on where the slice starts or ends (band and strip splits).
func TestDivSqrtApproxPositionFree(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	x, norm := randSlice(r, 77), make([]float32, 77)
	for i := range norm {
		norm[i] = 0.5 + r.Float32()
	}
	want := append([]float32(nil), x...)
	DivSqrtApprox(want, norm, 0.25)
	for lo := 0; lo < 20; lo++ {
		for _, hi := range []int{lo + 1, lo + 15, lo + 17, 77} {
			got := append([]float32(nil), x[lo:hi]...)
			DivSqrtApprox(got, norm[lo:hi], 0.25)
			requireBits(t, got, want[lo:hi], "x[%d:%d]", lo, hi)
		}
	}
}

// TestGatherPairsBF16Pixels checks what g_a's first layer relies on: with
// scale 255, every 8-bit pixel value k/255 (as the codec computes it)
// becomes exactly k in bfloat16.
func TestGatherPairsBF16Pixels(t *testing.T) {
	src := make([]float32, 2*256)
	for k := range 256 {
		src[k] = float32(k) / 255
		src[256+k] = float32(k) * (1.0 / 255)
	}
	dst := make([]uint32, 256)
	GatherPairsBF16(dst, 256, src, []int{0, 256}, 256, 255)
	for k, w := range dst {
		if lo, hi := bf16Float(w&0xffff), bf16Float(w>>16); lo != float32(k) || hi != float32(k) {
			t.Fatalf("k=%d: got %v and %v", k, lo, hi)
		}
	}
}

// TestDeinterleave4RowsBF16 checks every element against the definition,
// on every family, across and inside the 32-element blocks, and that
// nothing outside the phase ranges is written.
func TestDeinterleave4RowsBF16(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(63, 64))
		for n := 1; n <= 70; n++ {
			rows, lds := 1+r.IntN(3), n+r.IntN(3)
			plane := (n+3)/4 + 2
			off := [4]int{1 + 2*plane, 1 + 3*plane, 1, 1 + plane}
			ldd := 4*plane + 3
			src := randSlice(r, (rows-1)*lds+n)
			dst := make([]uint16, rows*ldd)
			for i := range dst {
				dst[i] = 0xbeef
			}
			want := append([]uint16(nil), dst...)
			for row := 0; row < rows; row++ {
				for i := 0; i < n; i++ {
					want[row*ldd+off[i%4]+i/4] = RoundBF16(src[row*lds+i])
				}
			}
			Deinterleave4RowsBF16(dst, &off, ldd, src, lds, n, rows)
			for i := range dst {
				if dst[i] != want[i] {
					t.Fatalf("n=%d rows=%d: dst[%d] = %#04x, want %#04x", n, rows, i, dst[i], want[i])
				}
			}
		}
	})
}

// TestRoundRowsBF16 checks every kernel family against RoundBF16 for
// widths across and between the blocks of 32, special values included,
// and nothing else in dst written.
func TestRoundRowsBF16(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(67, 68))
		specials := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, float32(math.Inf(1)), float32(math.NaN()), 3.0000002}
		for n := 1; n <= 100; n++ {
			rows, lds, ldd := 1+r.IntN(3), n+r.IntN(3), n+r.IntN(3)
			src := randSlice(r, (rows-1)*lds+n)
			for i := range src {
				if r.IntN(8) == 0 {
					src[i] = specials[r.IntN(len(specials))]
				}
			}
			dst := make([]uint16, rows*ldd)
			for i := range dst {
				dst[i] = 0xbeef
			}
			want := append([]uint16(nil), dst...)
			for row := 0; row < rows; row++ {
				for i := 0; i < n; i++ {
					want[row*ldd+i] = RoundBF16(src[row*lds+i])
				}
			}
			RoundRowsBF16(dst, ldd, src, lds, n, rows)
			for i := range dst {
				if dst[i] != want[i] {
					t.Fatalf("n=%d rows=%d: dst[%d] = %#04x, want %#04x", n, rows, i, dst[i], want[i])
				}
			}
		}
	})
}
