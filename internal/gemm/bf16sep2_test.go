// This file tests the two-dimensional separable bfloat16 input transform.

package gemm

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// randSep2 returns a transform of p×p samples with random offsets below
// maxOff, term counts and coefficients (small integers and halves, like
// those of Winograd's transforms, and one that rounds).
func randSep2(r *rand.Rand, p, maxOff int) *Sep2 {
	coefs := []float32{1, -1, 2, -2, 4, -5, 0.5, 3, 1.1}
	s := &Sep2{P: p}
	for a := 0; a < p; a++ {
		s.N[a] = 1 + r.IntN(maxSepTerms)
		for k := range maxSepTerms {
			s.U[a][k] = r.IntN(p)
			s.C[a][k] = coefs[r.IntN(len(coefs))]
		}
		for v := 0; v < p; v++ {
			s.Off[a][v] = r.IntN(maxOff)
		}
	}
	return s
}

// sum2DRef is the definition of Sep2's outputs for one column of one row,
// in float64 arithmetic rounded to float32 after every operation.
func sum2DRef(s *Sep2, x func(u, v int) float32) [][]float32 {
	row := func(a int, at func(int) float32) float32 {
		var sum float64
		for k := 0; k < s.N[a]; k++ {
			// float64 products of float32s are exact.
			prod := float32(float64(s.C[a][k]) * float64(at(s.U[a][k])))
			if k == 0 {
				sum = float64(prod) // not 0 + prod: that turns −0 into +0
				continue
			}
			sum = float64(float32(sum + float64(prod)))
		}
		return float32(sum)
	}
	out := make([][]float32, s.P)
	for a := range out {
		rs := make([]float32, s.P)
		for v := range rs {
			rs[v] = row(a, func(u int) float32 { return x(u, v) })
		}
		out[a] = make([]float32, s.P)
		for b := range out[a] {
			out[a][b] = row(b, func(v int) float32 { return rs[v] })
		}
	}
	return out
}

// TestSum2DBF16 requires every word, on every kernel family, to be the
// definition's, for widths inside, at and across the panels and 16-column
// blocks, odd and even sample offsets (low and high halves of words),
// ranges of row pairs, and nothing else in dst to change.
func TestSum2DBF16(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(93, 94))
		const w = BF16PanelWidth
		f4s := 0
		for _, n := range []int{1, 15, 16, 17, 32, 48, 61, 64, 80, 97} {
			for _, pairs := range []int{1, 2, 5} {
				p := []int{1, 4, 7, 11, 11}[r.IntN(5)]
				s := randSep2(r, p, 30)
				f4 := p == 11 && r.IntN(2) == 0
				if f4 {
					bt := WinogradF4()
					s.SetMatrix(bt[:])
					f4s++
				}
				lds := 2 * (n + 30 + r.IntN(3)) // even, and room for 2n
				src := make([]uint16, 2*pairs*lds+1)
				for i := range src {
					src[i] = RoundBF16(float32(r.NormFloat64()))
				}
				x := func(row, j int) float32 { return bf16Float(uint32(src[row*lds+j])) }
				np := (n + w - 1) / w
				stride := np*pairs*w + r.IntN(5)
				dst := make([]uint32, p*p*stride)
				for i := range dst {
					dst[i] = 0xdeadbeef
				}
				want := append([]uint32(nil), dst...)
				for pp := 0; pp < pairs; pp++ {
					for i := 0; i < n; i++ {
						for c := range 2 {
							v := sum2DRef(s, func(u, v int) float32 { return x(2*pp+c, s.Off[u][v]+2*i) })
							for a := range v {
								for b, o := range v[a] {
									j := (a*p+b)*stride + i/w*pairs*w + pp*w + i%w
									if c == 0 {
										want[j] = 0
									}
									want[j] |= uint32(RoundBF16(o)) << (16 * c)
								}
							}
						}
					}
				}
				pl := NewSep2Plan(s, stride, lds, pairs)
				if pl.pl.f4 != f4 {
					t.Fatalf("plan for WinogradF4: %v, want %v", pl.pl.f4, f4)
				}
				// In two ranges of row pairs.
				mid := r.IntN(pairs + 1)
				for _, rg := range [][2]int{{0, mid}, {mid, pairs}} {
					Sum2DBF16Pairs(dst, src, pl, rg[0], rg[1], n)
				}
				for i := range dst {
					if dst[i] != want[i] {
						t.Fatalf("n=%d pairs=%d p=%d WinogradF4 %v: word %d = %#08x, want %#08x", n, pairs, p, f4, i, dst[i], want[i])
					}
				}
			}
		}
		if f4s < 3 {
			t.Fatalf("%d cases of WinogradF4", f4s)
		}
	})
}

// TestSum2DBF16Panics checks that malformed transforms, wrong plans,
// ranges and short slices are refused.
func TestSum2DBF16Panics(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	good := func() *Sep2 { return randSep2(r, 11, 4) }
	const stride = 2 * BF16PanelWidth
	dst, src := make([]uint32, 121*stride), make([]uint16, 64)
	plan := func(s *Sep2) *Sep2Plan { return NewSep2Plan(s, stride, 8, 2) }
	cases := map[string]func(){
		"p":      func() { s := good(); s.P = 12; plan(s) },
		"n":      func() { s := good(); s.N[3] = 5; plan(s) },
		"u":      func() { s := good(); s.N[2], s.U[2][0] = 1, 11; plan(s) },
		"off":    func() { s := good(); s.Off[1][0] = -1; plan(s) },
		"odd":    func() { NewSep2Plan(good(), stride, 7, 2) },
		"range":  func() { Sum2DBF16Pairs(dst, src, plan(good()), 1, 3, 4) },
		"dst":    func() { Sum2DBF16Pairs(dst[:120*stride], src, plan(good()), 0, 2, 4) },
		"src":    func() { Sum2DBF16Pairs(dst, src[:10], plan(good()), 0, 2, 4) },
		"stride": func() { Sum2DBF16Pairs(dst, src, NewSep2Plan(good(), 3, 8, 2), 0, 2, 4) },
	}
	for name, f := range cases {
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

// TestSep2PlanLayout pins the offsets the assembly reads.
func TestSep2PlanLayout(t *testing.T) {
	var p sep2Plan
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"terms", unsafe.Offsetof(p.terms), 968},
		{"p", unsafe.Offsetof(p.p), 1672},
		{"dstStep", unsafe.Offsetof(p.dstStep), 1680},
		{"back", unsafe.Offsetof(p.back), 1688},
		{"lds", unsafe.Offsetof(p.lds), 1696},
		{"panel", unsafe.Offsetof(p.panel), 1704},
		{"shift", unsafe.Offsetof(p.shift), 1712},
		{"term size", unsafe.Sizeof(p.terms[0]), 64},
	} {
		if c.got != c.want {
			t.Errorf("%s at %d, the assembly reads %d", c.name, c.got, c.want)
		}
	}
}

func BenchmarkSum2DBF16(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	const pairs, n = 64, 64
	s := randSep2(r, 11, 100)
	bt := WinogradF4()
	s.SetMatrix(bt[:])
	lds := 2 * (n + 100)
	src := make([]uint16, 2*pairs*lds)
	dst := make([]uint32, 121*pairs*n)
	pl := NewSep2Plan(s, pairs*n, lds, pairs)
	for b.Loop() {
		Sum2DBF16Pairs(dst, src, pl, 0, pairs, n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(121*pairs*n), "ns/word")
}
