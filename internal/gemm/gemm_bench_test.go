// This file benchmarks the kernels on the GEMM shapes of the aezip network.

package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/aezip/aezip/internal/cputime"
)

// benchShapes are GEMMs of the im2col convolutions at a 768×512 input:
// out channels × (in channels·kernel area) × output pixels.
var benchShapes = []struct {
	name    string
	m, n, k int
}{
	{"conv128x3200x6144", 128, 6144, 3200}, // g_a.4: N→N, k5, 96×64 out
	{"conv128x3200x1296", 128, 1296, 3200}, // one im2col band of model (16 MiB of B)
	{"gdn128x128x6144", 128, 6144, 128},    // GDN: gamma · x² on 96×64
	{"conv192x3200x1536", 192, 1536, 3200}, // g_a.6: N→M, 48×32 out
	{"conv128x75x24576", 128, 24576, 75},   // g_a.0 slice: 3→N, k=75
	{"thin3x3200x6144", 3, 6144, 3200},     // N→3 output layer
	{"thin6144x3x3200", 6144, 3, 3200},     // the same with n=3
}

func BenchmarkSgemm(b *testing.B) {
	for _, sh := range benchShapes {
		r := rand.New(rand.NewPCG(1, 1))
		a := randSlice(r, sh.m*sh.k)
		bb := randSlice(r, sh.k*sh.n)
		c := make([]float32, sh.m*sh.n)
		for _, k := range []Kernel{AVX512, AVX2, Generic} {
			if !k.Available() {
				continue
			}
			for _, th := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/threads=%d", sh.name, k, th), func(b *testing.B) {
					defer SetKernel(SetKernel(k))
					defer SetMaxThreads(SetMaxThreads(th))
					b.ReportAllocs()
					cpu0 := cputime.Process().Seconds()
					for b.Loop() {
						Sgemm(sh.m, sh.n, sh.k, a, sh.k, bb, sh.n, c, sh.n)
					}
					reportFlops(b, 2*float64(sh.m)*float64(sh.n)*float64(sh.k), cpu0, "GFLOPS")
				})
			}
		}
	}
}

func BenchmarkDotI16(b *testing.B) {
	// h_s.4 at a 768×512 input: 3M/2·9 → 2M channels on 48×32 pixels.
	const m, n, k = 384, 1536, 288 * 9
	r := rand.New(rand.NewPCG(1, 1))
	a := randI16(r, m*k, false)
	bb := randI16(r, k*n, false)
	c := make([]int32, m*n)
	for _, kern := range []Kernel{AVX512, AVX2, Generic} {
		if !kern.Available() {
			continue
		}
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("hs4/%s/threads=%d", kern, th), func(b *testing.B) {
				defer SetKernel(SetKernel(kern))
				defer SetMaxThreads(SetMaxThreads(th))
				cpu0 := cputime.Process().Seconds()
				for b.Loop() {
					DotI16(m, n, k, a, k, bb, n, c, n)
				}
				reportFlops(b, 2*float64(m)*float64(n)*float64(k), cpu0, "GOPS")
			})
		}
	}
}

// reportFlops reports the wall-clock rate and, because the benchmark
// machine is shared, the rate per CPU-second of this process (the per-core
// throughput, unaffected by time slices given to other processes).
func reportFlops(b *testing.B, perOp, cpu0 float64, unit string) {
	total := perOp * float64(b.N) / 1e9
	b.ReportMetric(total/b.Elapsed().Seconds(), unit)
	if cpu := cputime.Process().Seconds() - cpu0; cpu0 > 0 && cpu > 0 {
		b.ReportMetric(total/cpu, unit+"/cpu-s")
	}
}

// BenchmarkKernel runs one full-size micro-kernel call on L1-resident
// panels: the roof that the blocked Sgemm approaches.
func BenchmarkKernel(b *testing.B) {
	for _, k := range []Kernel{AVX512, AVX2, Generic} {
		if !k.Available() {
			continue
		}
		fk := floatFamilies[k]
		a := make([]float32, fk.mr*kcBlock)
		bb := make([]float32, fk.nr*kcBlock)
		c := make([]float32, fk.mr*fk.nr)
		b.Run(k.String(), func(b *testing.B) {
			cpu0 := cputime.Process().Seconds()
			for b.Loop() {
				fk.call(fk.mr, kcBlock, a, bb, c, fk.nr)
			}
			reportFlops(b, 2*float64(fk.mr*fk.nr*kcBlock), cpu0, "GFLOPS")
		})
	}
}

// BenchmarkSgemmPacked compares Sgemm with SgemmPacked on one im2col band,
// where packing A on every call is a visible cost.
func BenchmarkSgemmPacked(b *testing.B) {
	const m, n, k = 128, 1296, 3200
	r := rand.New(rand.NewPCG(1, 1))
	a := randSlice(r, m*k)
	bb := randSlice(r, k*n)
	c := make([]float32, m*n)
	defer SetMaxThreads(SetMaxThreads(1))
	pa := PackA(m, k, a, k)
	for _, packed := range []bool{false, true} {
		b.Run(fmt.Sprintf("packed=%v", packed), func(b *testing.B) {
			cpu0 := cputime.Process().Seconds()
			for b.Loop() {
				if packed {
					SgemmPacked(pa, n, bb, n, c, n)
				} else {
					Sgemm(m, n, k, a, k, bb, n, c, n)
				}
			}
			reportFlops(b, 2*float64(m)*float64(n)*float64(k), cpu0, "GFLOPS")
		})
	}
}

// BenchmarkPanels compares SgemmPanels with SgemmBF16Panels on the shape of
// one Winograd product of a 128-channel layer: 128×128 by 128×256 panels,
// B in L2.
func BenchmarkPanels(b *testing.B) {
	const m, n, k = 128, 256, 128
	r := rand.New(rand.NewPCG(1, 1))
	a := randSlice(r, m*k)
	bb := randSlice(r, k*n)
	c := make([]float32, m*n)
	pa := PackA(m, k, a, k)
	w := PanelWidth()
	fp := make([]float32, (n+w-1)/w*w*k)
	for j := 0; j < n; j++ {
		for p := 0; p < k; p++ {
			fp[j/w*k*w+p*w+j%w] = bb[p*n+j]
		}
	}
	b.Run("float32", func(b *testing.B) {
		cpu0 := cputime.Process().Seconds()
		for b.Loop() {
			SgemmPanels(pa, n, fp, c, n)
		}
		reportFlops(b, 2*float64(m)*float64(n)*float64(k), cpu0, "GFLOPS")
	})
	if !BF16Available() {
		return
	}
	pb := PackBF16(m, k, a, k)
	bp := bf16Panels(r, k, n, bb)
	b.Run("bf16", func(b *testing.B) {
		cpu0 := cputime.Process().Seconds()
		for b.Loop() {
			SgemmBF16Panels(pb, n, bp, c, n)
		}
		reportFlops(b, 2*float64(m)*float64(n)*float64(k), cpu0, "GFLOPS")
	})
}

// BenchmarkSumSepBF16 times the separable bfloat16 input transform on the
// shape of one row of products of g_a.2 (128 input channels, a band of 256
// tiles, bfloat16 source), source and destination in L2; ns/word is per
// output word (a pair of channels at one position, for one product).
func BenchmarkSumSepBF16(b *testing.B) {
	const pairs, n, lds = 64, 256, 2048
	r := rand.New(rand.NewPCG(1, 1))
	src := make([]uint16, 2*pairs*lds)
	for i := range src {
		src[i] = RoundBF16(r.Float32())
	}
	// The rows of the conv axis of model/winograd.go: sample u1 plus c
	// times sample u2.
	rows := [7]struct {
		u1, u2 int
		c      float32
	}{{0, 4, -1}, {2, 4, 1}, {4, 2, -1}, {2, 6, -1}, {1, 3, -1}, {3, 3, 0}, {5, 3, -1}}
	s := &Sep{C1: rows[1].c}
	for v := range s.Off {
		s.Off[v] = [2]int{v * 250, (v + 1) * 240}
		s.Cols[v] = [2]int{rows[v].u1, rows[v].u2}
		s.C2[v] = rows[v].c
	}
	dst := make([]uint32, 7*pairs*n)
	for b.Loop() {
		SumSepBF16Half(dst, pairs*n, src, lds, s, pairs, n)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(7*pairs*n), "ns/word")
}
