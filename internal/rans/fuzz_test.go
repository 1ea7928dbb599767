package rans

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/aezip/aezip/quant"
)

// fuzzTables derives up to four tables from seed bytes.
func fuzzTables(seed uint64) []*Table {
	r := rand.New(rand.NewPCG(seed, 7))
	nt := 1 + r.IntN(4)
	tabs := make([]*Table, nt)
	for k := range tabs {
		var c quant.CDF
		if r.IntN(2) == 0 {
			c = quant.GaussianCDF(0.05 + 300*r.Float64()*r.Float64())
		} else {
			c = randomCDF(r)
		}
		t, err := NewTable(c)
		if err != nil {
			panic(err)
		}
		tabs[k] = t
	}
	return tabs
}

func FuzzDecode(f *testing.F) {
	tabs := fuzzTables(1)
	enc, _ := Encode(nil, tabs, []uint16{0, 0, 0, 0, 0}, []int32{0, 1, -1, 1 << 30, 5})
	f.Add(enc, uint64(1), uint16(5))
	f.Add([]byte{}, uint64(2), uint16(0))
	f.Add(make([]byte, 64), uint64(3), uint16(100))
	f.Fuzz(func(t *testing.T, src []byte, seed uint64, n uint16) {
		tabs := fuzzTables(seed)
		idx := make([]uint16, n)
		for i := range idx {
			idx[i] = uint16((uint64(i) * (seed | 1)) % uint64(len(tabs)))
		}
		dst := make([]int32, n)
		err := Decode(src, tabs, idx, dst)
		var ce CorruptInputError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil {
			// A stream that decodes must re-encode to the same bytes.
			re, err := Encode(nil, tabs, idx, dst)
			if err != nil || string(re) != string(src) {
				t.Fatalf("decoded stream does not re-encode to itself: %v", err)
			}
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint64(1))
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0x80}, uint64(9))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		tabs := fuzzTables(seed)
		n := len(data) / 4
		vals := make([]int32, n)
		idx := make([]uint16, n)
		for i := range vals {
			vals[i] = int32(uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24)
			if data[4*i+3]&0x40 == 0 { // mostly small values
				vals[i] = int32(int8(data[4*i]))
			}
			idx[i] = uint16(int(data[4*i+1]) % len(tabs))
		}
		enc, err := Encode(nil, tabs, idx, vals)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]int32, n)
		if err := Decode(enc, tabs, idx, got); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i] != vals[i] {
				t.Fatalf("value %d: got %d want %d", i, got[i], vals[i])
			}
		}
	})
}
