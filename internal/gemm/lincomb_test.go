// This file tests SumTerms and AddScaledRows against float64 arithmetic
// rounded the way they document, bit for bit, on every kernel family.

package gemm

import (
	"math/rand/v2"
	"testing"
)

func TestSumTerms(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		for _, n := range []int{1, 7, 8, 9, 24, 61} {
			for _, rows := range []int{1, 2, 5} {
				off := [4]int{r.IntN(9), r.IntN(9), 0, r.IntN(9)}
				// Signs, a zero and a power of two: the coefficients the
				// Winograd transforms use; 0.3 makes the rounding visible.
				c := [4]float32{1, -1, 0.3, 2}
				switch rows {
				case 2:
					c[2] = 0
				case 5:
					c[2], c[3] = 0, 0 // the two-term path
				}
				lds, ldd := n+9+r.IntN(3), n+r.IntN(3)
				src := randSlice(r, (rows-1)*lds+n+9)
				dst := randSlice(r, (rows-1)*ldd+n+1)
				want := append([]float32(nil), dst...)
				for row := 0; row < rows; row++ {
					for i := 0; i < n; i++ {
						var v float32
						nt := 4
						if c[2] == 0 && c[3] == 0 {
							nt = 2
						}
						for k := range nt {
							p := float32(float64(c[k]) * float64(src[row*lds+off[k]+i]))
							if k == 0 {
								v = p
							} else {
								v = float32(float64(v) + float64(p))
							}
						}
						want[row*ldd+i] = v
					}
				}
				SumTerms(dst, ldd, src, lds, &off, &c, rows, n)
				requireBits(t, dst, want, "SumTerms n=%d rows=%d", n, rows)
			}
		}
	})
}

func TestAddScaledRows(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(33, 34))
		for _, n := range []int{1, 8, 15, 40} {
			for _, s := range []float32{1, -1, 0.7} {
				rows, lds, ldd := 3, n+2, n+5
				src := randSlice(r, (rows-1)*lds+n)
				dst := randSlice(r, (rows-1)*ldd+n+3)
				want := append([]float32(nil), dst...)
				for row := 0; row < rows; row++ {
					for i := 0; i < n; i++ {
						p := float32(float64(s) * float64(src[row*lds+i]))
						want[row*ldd+i] = float32(float64(want[row*ldd+i]) + float64(p))
					}
				}
				d2 := append([]float32(nil), dst...)
				AddScaledRows(dst, ldd, src, lds, s, rows, n)
				requireBits(t, dst, want, "AddScaledRows n=%d s=%v", n, s)
				AddScaledRowsClear(d2, ldd, src, lds, s, rows, n)
				requireBits(t, d2, want, "AddScaledRowsClear n=%d s=%v", n, s)
				for row := 0; row < rows; row++ {
					for i := 0; i < lds; i++ {
						if k := row*lds + i; k < len(src) && (i < n) == (src[k] != 0) {
							t.Fatalf("AddScaledRowsClear n=%d: src[%d] = %v", n, k, src[k])
						}
					}
				}
			}
		}
	})
}

// TestAddScaledRows2 requires each destination to get the bits of
// AddScaledRows, on every kernel family, across the 16-column blocks, and
// the clearing form to zero exactly the source elements it reads.
func TestAddScaledRows2(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(35, 36))
		for _, n := range []int{1, 15, 16, 17, 40, 64} {
			for _, zero := range []bool{false, true} {
				rows, lds, ldd := 3, n+2, n+5
				s1, s2 := []float32{1, -1, 0.7}[n%3], []float32{-1, 0.3, 1}[n%3]
				src := randSlice(r, (rows-1)*lds+n+1)
				d1, d2 := randSlice(r, (rows-1)*ldd+n+3), randSlice(r, (rows-1)*ldd+n+3)
				w1, w2 := append([]float32(nil), d1...), append([]float32(nil), d2...)
				AddScaledRows(w1, ldd, src, lds, s1, rows, n)
				AddScaledRows(w2, ldd, src, lds, s2, rows, n)
				wantSrc := append([]float32(nil), src...)
				if zero {
					for row := 0; row < rows; row++ {
						clear(wantSrc[row*lds : row*lds+n])
					}
				}
				AddScaledRows2(d1, d2, ldd, src, lds, s1, s2, rows, n, zero)
				requireBits(t, d1, w1, "d1 n=%d zero=%v", n, zero)
				requireBits(t, d2, w2, "d2 n=%d zero=%v", n, zero)
				requireBits(t, src, wantSrc, "src n=%d zero=%v", n, zero)
			}
		}
	})
}

func TestLinCombBounds(t *testing.T) {
	off := [4]int{0, 1, 2, 3}
	c := [4]float32{1, 1, 1, 1}
	for name, f := range map[string]func(){
		"short src":     func() { SumTerms(make([]float32, 8), 8, make([]float32, 10), 8, &off, &c, 1, 8) },
		"short dst":     func() { SumTerms(make([]float32, 7), 8, make([]float32, 16), 8, &off, &c, 1, 8) },
		"negative off":  func() { o := off; o[2] = -1; SumTerms(make([]float32, 8), 8, make([]float32, 16), 8, &o, &c, 1, 8) },
		"short add src": func() { AddScaledRows(make([]float32, 16), 8, make([]float32, 15), 8, 1, 2, 8) },
		"short add2 d2": func() {
			AddScaledRows2(make([]float32, 16), make([]float32, 15), 8, make([]float32, 16), 8, 1, 1, 2, 8, false)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
