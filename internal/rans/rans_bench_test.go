package rans

import (
	"math/rand/v2"
	"testing"
)

func benchData(b *testing.B) ([]*Table, []uint16, []int32, []byte) {
	tabs, cdfs := gaussTables(b)
	r := rand.New(rand.NewPCG(8, 9))
	const n = 1 << 20
	idx := make([]uint16, n)
	vals := make([]int32, n)
	for i := range vals {
		idx[i] = uint16(r.IntN(len(tabs)))
		vals[i] = sampleCDF(r, cdfs[idx[i]])
	}
	enc, err := Encode(nil, tabs, idx, vals)
	if err != nil {
		b.Fatal(err)
	}
	return tabs, idx, vals, enc
}

func BenchmarkDecode(b *testing.B) {
	tabs, idx, vals, enc := benchData(b)
	dst := make([]int32, len(vals))
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Decode(enc, tabs, idx, dst); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(vals))*float64(b.N)/b.Elapsed().Seconds(), "symbols/s")
}

func BenchmarkEncode(b *testing.B) {
	tabs, idx, vals, enc := benchData(b)
	buf := make([]byte, 0, len(enc))
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Encode(buf, tabs, idx, vals); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(vals))*float64(b.N)/b.Elapsed().Seconds(), "symbols/s")
}
