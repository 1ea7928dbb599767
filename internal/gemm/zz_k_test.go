package gemm

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkZZPanelsPar(b *testing.B) {
	const m, n, k = 128, 256, 128
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(1, 1))
		bp := bf16Panels(r, k, n, randSlice(r, k*n))
		pa := PackBF16(m, k, randSlice(r, m*k), k)
		c := make([]float32, m*1032)
		for pb.Next() {
			SgemmBF16Panels(pa, n, bp, c, 1032)
		}
	})
	b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}

func BenchmarkZZPanels1(b *testing.B) {
	const m, n, k = 128, 256, 128
	r := rand.New(rand.NewPCG(1, 1))
	bp := bf16Panels(r, k, n, randSlice(r, k*n))
	pa := PackBF16(m, k, randSlice(r, m*k), k)
	c := make([]float32, m*1032)
	for b.Loop() {
		SgemmBF16Panels(pa, n, bp, c, 1032)
	}
	b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
}
