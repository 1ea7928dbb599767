// This file tests the separable bfloat16 input transform.

package gemm

import (
	"math/rand/v2"
	"testing"
)

// randSep returns a transform with random offsets below maxOff and random
// unit coefficients.
func randSep(r *rand.Rand, maxOff int) *Sep {
	s := &Sep{C1: float32(r.IntN(3) - 1)}
	for v := range s.Off {
		s.Off[v] = [2]int{r.IntN(maxOff), r.IntN(maxOff)}
		s.Cols[v] = [2]int{r.IntN(7), r.IntN(7)}
		s.C2[v] = float32(r.IntN(3) - 1)
	}
	return s
}

// TestSumSepBF16 requires every word of both forms, on every kernel
// family, to be the definition's, for widths inside, at and across the
// panels and 16-column blocks, and nothing else in dst to change.
func TestSumSepBF16(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(91, 92))
		const w = BF16PanelWidth
		for _, n := range []int{1, 15, 16, 17, 32, 48, 61, 64, 80, 97} {
			for _, pairs := range []int{1, 2, 5} {
				s := randSep(r, 20)
				lds := n + 20 + r.IntN(3)
				srcF := randSlice(r, 2*pairs*lds)
				srcH := make([]uint16, len(srcF))
				for i, v := range srcF {
					srcH[i] = RoundBF16(v)
				}
				np := (n + w - 1) / w
				stride := np*pairs*w + r.IntN(5)
				for _, half := range []bool{false, true} {
					x := func(row, j int) float32 {
						if half {
							return bf16Float(uint32(srcH[row*lds+j]))
						}
						return srcF[row*lds+j]
					}
					dst := make([]uint32, 7*stride)
					for i := range dst {
						dst[i] = 0xdeadbeef
					}
					want := append([]uint32(nil), dst...)
					for p := 0; p < pairs; p++ {
						for i := 0; i < n; i++ {
							var word [7]uint32
							for c := range 2 {
								var col [7]float64
								for v, o := range s.Off {
									// Exact in float64, rounded once as the definition says.
									col[v] = float64(float32(float64(x(2*p+c, o[0]+i)) + float64(s.C1)*float64(x(2*p+c, o[1]+i))))
								}
								for b, cb := range s.Cols {
									v := float32(col[cb[0]] + float64(s.C2[b])*col[cb[1]])
									word[b] |= uint32(RoundBF16(v)) << (16 * c)
								}
							}
							for b := range word {
								want[b*stride+i/w*pairs*w+p*w+i%w] = word[b]
							}
						}
					}
					if half {
						SumSepBF16Half(dst, stride, srcH, lds, s, pairs, n)
					} else {
						SumSepBF16(dst, stride, srcF, lds, s, pairs, n)
					}
					for i := range dst {
						if dst[i] != want[i] {
							t.Fatalf("n=%d pairs=%d half=%v: word %d = %#08x, want %#08x", n, pairs, half, i, dst[i], want[i])
						}
					}
				}
			}
		}
	})
}

// TestSumSepBF16Panics checks the argument checks.
func TestSumSepBF16Panics(t *testing.T) {
	good := func() *Sep { return &Sep{} }
	expectPanics(t, map[string]func(){
		"coefficient": func() {
			s := good()
			s.C2[3] = 0.5
			SumSepBF16(make([]uint32, 7*32), 32, make([]float32, 100), 40, s, 1, 32)
		},
		"column": func() {
			s := good()
			s.Cols[1][1] = 7
			SumSepBF16(make([]uint32, 7*32), 32, make([]float32, 100), 40, s, 1, 32)
		},
		"negative offset": func() {
			s := good()
			s.Off[0][0] = -1
			SumSepBF16(make([]uint32, 7*32), 32, make([]float32, 100), 40, s, 1, 32)
		},
		"short destination": func() {
			SumSepBF16(make([]uint32, 7*32-1), 32, make([]float32, 100), 40, good(), 1, 32)
		},
		"short source": func() {
			s := good()
			s.Off[6][1] = 10
			SumSepBF16Half(make([]uint32, 7*32), 32, make([]uint16, 81), 40, s, 1, 32)
		},
	})
}
