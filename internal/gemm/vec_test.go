// This file tests the element-wise helpers against plain Go loops, bit for
// bit, with and without the assembly.

package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestVectorHelpers(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(17, 18))
		for _, n := range []int{0, 1, 7, 8, 9, 16, 31, 100, 1027} {
			x := randSlice(r, n+3)[:n] // spare capacity must stay untouched
			norm := make([]float32, n)
			for i := range norm {
				norm[i] = float32(r.ExpFloat64())
			}
			if n > 2 {
				norm[1] = 0
				x[2] = float32(math.Inf(1))
			}
			want := make([]float32, n)
			for i := range want {
				want[i] = x[i] * float32(math.Sqrt(float64(norm[i])))
			}
			got := append([]float32(nil), x...)
			MulSqrt(got, norm)
			requireBits(t, got, want, "MulSqrt n=%d", n)
			for i := range want {
				want[i] = x[i] / float32(math.Sqrt(float64(norm[i])))
			}
			got = append(got[:0], x...)
			DivSqrt(got, norm)
			requireBits(t, got, want, "DivSqrt n=%d", n)
			for i := range want {
				want[i] = x[i] * x[i]
			}
			got = make([]float32, n, n+1)
			got = append(got, 5)[:n]
			Square(got, x)
			requireBits(t, got, want, "Square n=%d", n)
			if got[:n+1][n] != 5 {
				t.Fatalf("Square n=%d wrote past the end", n)
			}
			Fill(got, -2.5)
			for i, v := range got {
				if v != -2.5 {
					t.Fatalf("Fill n=%d: element %d = %v", n, i, v)
				}
			}
			if got[:n+1][n] != 5 {
				t.Fatalf("Fill n=%d wrote past the end", n)
			}
		}
	})
}

func TestInterleave2(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(19, 20))
		for _, n := range []int{1, 2, 7, 8, 9, 16, 17, 100} {
			for _, short := range []int{0, 1} {
				a, b := randSlice(r, n), randSlice(r, n-short)
				dst := make([]float32, 2*n-short+1)
				dst[len(dst)-1] = 9
				Interleave2(dst[:2*n-short], a, b)
				for i := range a {
					if dst[2*i] != a[i] || (i < len(b) && dst[2*i+1] != b[i]) {
						t.Fatalf("n=%d short=%d: element %d wrong", n, short, i)
					}
				}
				if dst[len(dst)-1] != 9 {
					t.Fatalf("n=%d short=%d: wrote past the end", n, short)
				}
			}
		}
		defer func() {
			if recover() == nil {
				t.Error("no panic on a short b")
			}
		}()
		Interleave2(make([]float32, 8), make([]float32, 4), make([]float32, 2))
	})
}

// TestPackPairStep checks the int16 pair layout of a B panel step (the
// interleave and the zero pad) on every kernel family, on widths that
// end inside and on a vector.
func TestPackPairStep(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		for _, nr := range []int{16, 32, 64} {
			for _, w := range []int{1, 7, 15, 16, 17, 31, 32, 33, 48, 64} {
				if w > nr {
					continue
				}
				r0, r1 := make([]int16, w+3), make([]int16, w+3)
				for i := range r0 {
					r0[i], r1[i] = int16(r.Uint32()), int16(r.Uint32())
				}
				for _, second := range [][]int16{r1, nil} {
					row := make([]int16, 2*nr+1)
					for i := range row {
						row[i] = 7
					}
					packPairStep(row[:2*nr], r0, second, w)
					for j := 0; j < nr; j++ {
						var want0, want1 int16
						if j < w {
							want0 = r0[j]
							if second != nil {
								want1 = r1[j]
							}
						}
						if row[2*j] != want0 || row[2*j+1] != want1 {
							t.Fatalf("nr=%d w=%d nil=%v: column %d = %d,%d, want %d,%d",
								nr, w, second == nil, j, row[2*j], row[2*j+1], want0, want1)
						}
					}
					if row[2*nr] != 7 {
						t.Fatalf("nr=%d w=%d: wrote past the row", nr, w)
					}
				}
			}
		}
	})
}

// TestRGBA8 checks the assembly conversion against To8 on every kernel
// family, on the edges of the rounding (the halfway points k/255 ± ½/255
// and their float neighbours), out-of-range values, infinities and NaN.
func TestRGBA8(t *testing.T) {
	var vals []float32
	for k := -2; k <= 257; k++ {
		h := (float32(k) - 0.5) / 255
		vals = append(vals, h, math.Nextafter32(h, 2), math.Nextafter32(h, -2), float32(k)/255)
	}
	inf := float32(math.Inf(1))
	vals = append(vals, inf, -inf, float32(math.NaN()), 0, float32(math.Copysign(0, -1)), 1e-45, 1e30, -1e30)
	r := rand.New(rand.NewPCG(25, 26))
	for range 1000 {
		vals = append(vals, r.Float32()*1.2-0.1)
	}
	forEachKernel(t, func(t *testing.T) {
		for _, n := range []int{0, 1, 7, 8, 9, 31, len(vals) / 3} {
			rr, gg, bb := vals[:n], vals[n:2*n], vals[len(vals)-n:]
			dst := make([]uint8, 4*n+1)
			dst[4*n] = 9
			RGBA8(dst[:4*n], rr, gg, bb)
			for i := 0; i < n; i++ {
				want := [4]uint8{To8(rr[i]), To8(gg[i]), To8(bb[i]), 255}
				if got := [4]uint8(dst[4*i : 4*i+4]); got != want {
					t.Fatalf("n=%d pixel %d (%g %g %g): %v, want %v", n, i, rr[i], gg[i], bb[i], got, want)
				}
			}
			if dst[4*n] != 9 {
				t.Fatalf("n=%d: wrote past the end", n)
			}
		}
	})
	for _, c := range []struct {
		v    float32
		want uint8
	}{{float32(math.NaN()), 0}, {-1, 0}, {0, 0}, {0.5, 128}, {1, 255}, {2, 255}, {inf, 255}, {-inf, 0}} {
		if got := To8(c.v); got != c.want {
			t.Errorf("To8(%g) = %d, want %d", c.v, got, c.want)
		}
	}
}

func TestDeinterleave2(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, n := range []int{0, 1, 2, 3, 15, 16, 17, 33, 200, 201} {
			src := randSlice(r, n)
			a := make([]float32, (n+1)/2+1)
			b := make([]float32, n/2+1)
			a[len(a)-1], b[len(b)-1] = 9, 9
			Deinterleave2(a[:len(a)-1], b[:len(b)-1], src)
			for i, v := range src {
				if (i%2 == 0 && a[i/2] != v) || (i%2 == 1 && b[i/2] != v) {
					t.Fatalf("n=%d: element %d wrong", n, i)
				}
			}
			if a[len(a)-1] != 9 || b[len(b)-1] != 9 {
				t.Fatalf("n=%d: wrote past the end", n)
			}
		}
		defer func() {
			if recover() == nil {
				t.Error("no panic on wrong lengths")
			}
		}()
		Deinterleave2(make([]float32, 2), make([]float32, 2), make([]float32, 5))
	})
}

func TestWidenAddClear(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(19, 20))
		for _, n := range []int{0, 1, 7, 8, 9, 16, 31, 100, 1027} {
			src := make([]int32, n, n+1)
			for i := range src {
				src[i] = int32(r.Uint32()) // both signs, extremes included
			}
			if n > 1 {
				src[0], src[1] = math.MinInt32, math.MaxInt32
			}
			src = append(src, 77)[:n]
			dst := make([]int64, n+1)
			want := make([]int64, n+1)
			for i := range dst {
				dst[i] = r.Int64() >> 2
				want[i] = dst[i]
			}
			for i, v := range src {
				want[i] += int64(v)
			}
			widenAddClear(dst, src)
			for i := range want {
				if dst[i] != want[i] {
					t.Fatalf("n=%d: dst[%d] = %d, want %d", n, i, dst[i], want[i])
				}
			}
			for i, v := range src {
				if v != 0 {
					t.Fatalf("n=%d: src[%d] = %d not cleared", n, i, v)
				}
			}
			if src[:n+1][n] != 77 {
				t.Fatalf("n=%d: wrote past src", n)
			}
		}
	})
}

// TestDeinterleave4 checks every length's split into four phases (the
// assembly's groups of 32 and the Go tail) on every kernel family.
func TestDeinterleave4(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(27, 28))
		for n := 0; n <= 70; n++ {
			src := randSlice(r, n)
			var dst [4][]float32
			for k := range dst {
				dst[k] = make([]float32, (n-k+3)/4+1)
				dst[k][len(dst[k])-1] = 9
			}
			Deinterleave4(dst[0][:len(dst[0])-1], dst[1][:len(dst[1])-1], dst[2][:len(dst[2])-1], dst[3][:len(dst[3])-1], src)
			for i, v := range src {
				if dst[i%4][i/4] != v {
					t.Fatalf("n=%d: element %d wrong", n, i)
				}
			}
			for k := range dst {
				if dst[k][len(dst[k])-1] != 9 {
					t.Fatalf("n=%d: phase %d written past its end", n, k)
				}
			}
		}
		defer func() {
			if recover() == nil {
				t.Error("no panic on wrong lengths")
			}
		}()
		Deinterleave4(make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 2), make([]float32, 9))
	})
}

// TestInterleave4Rows checks the many-row interleave element by element on
// every kernel family, on lengths with and without a tail, and that it
// writes nothing outside the rows.
func TestInterleave4Rows(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(29, 30))
		for _, n := range []int{1, 7, 8, 9, 16, 23, 64} {
			for _, rows := range []int{1, 3} {
				step, lds, ldd := n+2, 4*n+11, 4*n+5
				src := randSlice(r, (rows-1)*lds+3*step+n)
				got := make([]float32, (rows-1)*ldd+4*n+1)
				want := make([]float32, len(got))
				got[len(got)-1], want[len(want)-1] = 9, 9
				Interleave4Rows(got[:len(got)-1], ldd, src, lds, step, n, rows)
				for q := 0; q < rows; q++ {
					for i := 0; i < n; i++ {
						for j := 0; j < 4; j++ {
							want[q*ldd+4*i+j] = src[q*lds+j*step+i]
						}
					}
				}
				if !sameBits(got, want) {
					t.Fatalf("n=%d rows=%d: elements misplaced or written past the rows", n, rows)
				}
			}
		}
		defer func() {
			if recover() == nil {
				t.Error("no panic on a short src")
			}
		}()
		Interleave4Rows(make([]float32, 64), 16, make([]float32, 20), 16, 4, 4, 2)
	})
}

// TestInterleave2Rows and TestDeinterleave2Rows check the many-row
// variants against the one-row functions, row by row, on every kernel
// family, on lengths with and without a tail.
func TestInterleave2Rows(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		for _, n := range []int{1, 7, 8, 9, 16, 23, 64} {
			for _, rows := range []int{1, 3} {
				step, lds, ldd := n+2, 2*n+11, 2*n+5
				src := randSlice(r, (rows-1)*lds+step+n)
				got := make([]float32, (rows-1)*ldd+2*n+1)
				want := make([]float32, len(got))
				got[len(got)-1], want[len(want)-1] = 9, 9
				Interleave2Rows(got[:len(got)-1], ldd, src, lds, step, n, rows)
				for q := 0; q < rows; q++ {
					f := src[q*lds:]
					Interleave2(want[q*ldd:q*ldd+2*n], f[:n], f[step:step+n])
				}
				if !sameBits(got, want) {
					t.Fatalf("n=%d rows=%d: differs from Interleave2", n, rows)
				}
			}
		}
		defer func() {
			if recover() == nil {
				t.Error("no panic on a short src")
			}
		}()
		Interleave2Rows(make([]float32, 64), 16, make([]float32, 20), 16, 8, 8, 2)
	})
}

func TestDeinterleave2Rows(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(33, 34))
		for _, n := range []int{1, 2, 15, 16, 17, 33, 64, 65} {
			for _, rows := range []int{1, 3} {
				lds, ldab := n+7, (n+1)/2+3
				src := randSlice(r, (rows-1)*lds+n)
				size := (rows-1)*ldab + (n+1)/2 + 1
				ga, gb := make([]float32, size), make([]float32, size)
				wa, wb := make([]float32, size), make([]float32, size)
				ga[size-1], gb[size-1], wa[size-1], wb[size-1] = 9, 9, 9, 9
				Deinterleave2Rows(ga[:size-1], gb[:size-1], ldab, src, lds, n, rows)
				for q := 0; q < rows; q++ {
					Deinterleave2(wa[q*ldab:q*ldab+(n+1)/2], wb[q*ldab:q*ldab+n/2], src[q*lds:q*lds+n])
				}
				if !sameBits(ga, wa) || !sameBits(gb, wb) {
					t.Fatalf("n=%d rows=%d: differs from Deinterleave2", n, rows)
				}
			}
		}
		defer func() {
			if recover() == nil {
				t.Error("no panic on a short src")
			}
		}()
		Deinterleave2Rows(make([]float32, 64), make([]float32, 64), 16, make([]float32, 20), 16, 16, 2)
	})
}

// sameBits reports whether a and b hold the same float bits.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestSquareToPanels(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(25, 26))
		w := PanelWidth()
		for _, n := range []int{1, w - 1, w, w + 1, 3*w + 5} {
			const k = 3
			np := (n + w - 1) / w
			dst := randSlice(r, np*k*w)
			want := append([]float32(nil), dst...)
			src := randSlice(r, n)
			for j, v := range src {
				want[j/w*k*w+1*w+j%w] = v * v
			}
			SquareToPanels(dst, k, 1, src)
			requireBits(t, dst, want, "n=%d", n)
		}
	})
}

// TestDeinterleave4Rows checks every element against the definition, on
// every family, for lengths inside and across the 32-element blocks, and
// that nothing outside the phase ranges is written.
func TestDeinterleave4Rows(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(61, 62))
		for n := 1; n <= 70; n++ {
			rows, lds := 1+r.IntN(3), n+r.IntN(3)
			plane := (n+3)/4 + 2 // each phase range plus a gap
			off := [4]int{1 + 3*plane, 1, 1 + plane, 1 + 2*plane}
			ldd := 4*plane + 3
			src := randSlice(r, (rows-1)*lds+n)
			dst := make([]float32, rows*ldd)
			for i := range dst {
				dst[i] = -7
			}
			want := append([]float32(nil), dst...)
			for row := 0; row < rows; row++ {
				for i := 0; i < n; i++ {
					want[row*ldd+off[i%4]+i/4] = src[row*lds+i]
				}
			}
			Deinterleave4Rows(dst, &off, ldd, src, lds, n, rows)
			requireBits(t, dst, want, "n=%d rows=%d", n, rows)
		}
		expectPanics(t, map[string]func(){
			"short dst": func() {
				Deinterleave4Rows(make([]float32, 10), &[4]int{0, 3, 6, 9}, 12, make([]float32, 12), 12, 12, 1)
			},
			"short src": func() {
				Deinterleave4Rows(make([]float32, 40), &[4]int{0, 3, 6, 9}, 12, make([]float32, 11), 12, 12, 1)
			},
		})
	})
}
