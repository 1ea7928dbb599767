package rans

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aezip/aezip/quant"
)

func gaussTables(t testing.TB) ([]*Table, []quant.CDF) {
	t.Helper()
	sc := quant.ScaleTable(quant.DefaultScaleMin, quant.DefaultScaleMax, quant.DefaultScaleCount)
	tabs := make([]*Table, len(sc))
	cdfs := make([]quant.CDF, len(sc))
	for k, s := range sc {
		cdfs[k] = quant.GaussianCDF(s)
		var err error
		if tabs[k], err = NewTable(cdfs[k]); err != nil {
			t.Fatal(err)
		}
	}
	return tabs, cdfs
}

// sampleCDF draws a value from the integer distribution of c (escape drawn
// as a value outside the range).
func sampleCDF(r *rand.Rand, c quant.CDF) int32 {
	u := uint32(r.IntN(1 << quant.Precision))
	n := len(c.Cum) - 1
	s := 0
	for c.Cum[s+1] <= u {
		s++
	}
	if s == n-1 {
		return c.Offset + int32(n-1) + int32(r.IntN(1000))
	}
	return c.Offset + int32(s)
}

func randomCDF(r *rand.Rand) quant.CDF {
	n := 2 + r.IntN(300)
	pmf := make([]float64, n-1)
	for i := range pmf {
		pmf[i] = r.ExpFloat64() / float64(n)
	}
	c, err := quant.NewCDF(pmf, int32(r.IntN(200))-100)
	if err != nil {
		panic(err)
	}
	return c
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	extremes := []int32{math.MinInt32, math.MaxInt32, math.MinInt32 + 1, math.MaxInt32 - 1, 0, -1, 1 << 16, -(1 << 16), 65535}
	for iter := 0; iter < 200; iter++ {
		nt := 1 + r.IntN(8)
		tabs := make([]*Table, nt)
		cdfs := make([]quant.CDF, nt)
		for k := range tabs {
			cdfs[k] = randomCDF(r)
			var err error
			if tabs[k], err = NewTable(cdfs[k]); err != nil {
				t.Fatal(err)
			}
		}
		n := r.IntN(2000)
		idx := make([]uint16, n)
		vals := make([]int32, n)
		for i := range vals {
			idx[i] = uint16(r.IntN(nt))
			switch r.IntN(20) {
			case 0:
				vals[i] = extremes[r.IntN(len(extremes))]
			case 1:
				vals[i] = int32(r.Uint32())
			default:
				vals[i] = sampleCDF(r, cdfs[idx[i]])
			}
		}
		enc, err := Encode([]byte{0xAA}, tabs, idx, vals)
		if err != nil {
			t.Fatal(err)
		}
		if enc[0] != 0xAA {
			t.Fatal("Encode overwrote dst prefix")
		}
		got := make([]int32, n)
		if err := Decode(enc[1:], tabs, idx, got); err != nil {
			t.Fatalf("iter %d: %v", iter, err)
		}
		for i := range got {
			if got[i] != vals[i] {
				t.Fatalf("iter %d: value %d: got %d want %d", iter, i, got[i], vals[i])
			}
		}
	}
}

func TestEmpty(t *testing.T) {
	tabs, _ := gaussTables(t)
	enc, err := Encode(nil, tabs, nil, nil)
	if err != nil || len(enc) != headerSize {
		t.Fatalf("empty: %d bytes, %v", len(enc), err)
	}
	if err := Decode(enc, tabs, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// TestOverhead checks the coded size against the ideal -sum log2 p under the
// integer tables, over Gaussian symbols at every scale.
func TestOverhead(t *testing.T) {
	tabs, cdfs := gaussTables(t)
	r := rand.New(rand.NewPCG(3, 4))
	const n = 1 << 20
	idx := make([]uint16, n)
	vals := make([]int32, n)
	ideal := 0.0
	for i := range vals {
		k := r.IntN(len(tabs))
		idx[i] = uint16(k)
		c := cdfs[k]
		v := sampleCDF(r, c)
		vals[i] = v
		d := int64(v) - int64(c.Offset)
		nn := len(c.Cum) - 1
		if d >= 0 && d < int64(nn-1) {
			ideal -= math.Log2(float64(c.Cum[d+1]-c.Cum[d]) / (1 << 16))
		} else {
			ideal += 32 - math.Log2(float64(c.Cum[nn]-c.Cum[nn-1])/(1<<16))
		}
	}
	enc, err := Encode(nil, tabs, idx, vals)
	if err != nil {
		t.Fatal(err)
	}
	bits := float64(8 * len(enc))
	over := bits/ideal - 1
	t.Logf("%d symbols: %d bytes, ideal %.0f bytes, overhead %.4f%%", n, len(enc), ideal/8, 100*over)
	if over > 0.005 {
		t.Errorf("overhead %.4f%% > 0.5%%", 100*over)
	}
	got := make([]int32, n)
	if err := Decode(enc, tabs, idx, got); err != nil {
		t.Fatal(err)
	}
}

func TestNewTableErrors(t *testing.T) {
	tests := []struct {
		name string
		c    quant.CDF
	}{
		{"empty", quant.CDF{}},
		{"escape only", quant.CDF{Cum: []uint32{0, 1 << 16}}},
		{"bad start", quant.CDF{Cum: []uint32{1, 2, 1 << 16}}},
		{"bad end", quant.CDF{Cum: []uint32{0, 2, 1 << 15}}},
		{"flat", quant.CDF{Cum: []uint32{0, 2, 2, 1 << 16}}},
		{"decreasing", quant.CDF{Cum: []uint32{0, 9, 5, 1 << 16}}},
		{"offset overflow", quant.CDF{Offset: math.MaxInt32, Cum: []uint32{0, 2, 3, 1 << 16}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewTable(tc.c); !errors.Is(err, ErrBadTable) {
				t.Fatalf("got %v, want ErrBadTable", err)
			}
		})
	}
}

func TestMisuse(t *testing.T) {
	tabs, _ := gaussTables(t)
	if _, err := Encode(nil, tabs, []uint16{0}, nil); err != ErrLength {
		t.Errorf("Encode length: %v", err)
	}
	if _, err := Encode(nil, tabs, []uint16{64}, []int32{0}); err != ErrTableIndex {
		t.Errorf("Encode index: %v", err)
	}
	if err := Decode(make([]byte, 16), tabs, []uint16{64}, []int32{0}); err != ErrTableIndex {
		t.Errorf("Decode index: %v", err)
	}
}

func TestCorrupt(t *testing.T) {
	tabs, cdfs := gaussTables(t)
	r := rand.New(rand.NewPCG(5, 6))
	const n = 1000
	idx := make([]uint16, n)
	vals := make([]int32, n)
	for i := range vals {
		idx[i] = uint16(r.IntN(len(tabs)))
		vals[i] = sampleCDF(r, cdfs[idx[i]])
	}
	enc, _ := Encode(nil, tabs, idx, vals)
	got := make([]int32, n)
	detected := 0
	for trial := 0; trial < 500; trial++ {
		b := append([]byte(nil), enc...)
		b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
		err := Decode(b, tabs, idx, got)
		var ce CorruptInputError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("untyped error %v", err)
		}
		if err != nil {
			detected++
		}
	}
	for _, cut := range []int{0, 1, 15, 16, len(enc) - 2, len(enc) - 1} {
		if err := Decode(enc[:cut], tabs, idx, got); err == nil {
			t.Errorf("truncated to %d bytes: no error", cut)
		}
	}
	t.Logf("single-byte corruption detected in %d/500 trials", detected)
	if detected < 450 {
		t.Errorf("only %d/500 corruptions detected", detected)
	}
}
