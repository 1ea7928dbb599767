package quant

import (
	"errors"
	"math"
	"testing"
)

func checkCDF(t *testing.T, c CDF) {
	t.Helper()
	n := len(c.Cum) - 1
	if n < 2 || c.Cum[0] != 0 || c.Cum[n] != 1<<Precision {
		t.Fatalf("bad ends: n=%d", n)
	}
	for i := 0; i < n; i++ {
		if c.Cum[i+1] <= c.Cum[i] {
			t.Fatalf("not strictly increasing at %d", i)
		}
	}
}

func TestNewCDF(t *testing.T) {
	tests := []struct {
		name  string
		pmf   []float64
		freqs []uint32 // expected frequencies, escape last; nil: only check validity
	}{
		{"half", []float64{0.5, 0.5}, []uint32{32768 - 1, 32768, 1}},
		{"quarters", []float64{0.25, 0.25, 0.25}, []uint32{16384, 16384, 16384, 16384}},
		{"zeros", []float64{0, 1, 0}, []uint32{1, 65533, 1, 1}},
		{"over one", []float64{0.7, 0.7}, nil},
		{"tiny", []float64{1e-30, 1e-30}, nil},
		{"many", make([]float64, 60000), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCDF(tc.pmf, -3)
			if err != nil {
				t.Fatal(err)
			}
			checkCDF(t, c)
			if len(c.Cum) != len(tc.pmf)+2 || c.Offset != -3 {
				t.Fatalf("got %d entries, offset %d", len(c.Cum), c.Offset)
			}
			for i, f := range tc.freqs {
				if got := c.Cum[i+1] - c.Cum[i]; got != f {
					t.Errorf("freq[%d] = %d, want %d", i, got, f)
				}
			}
		})
	}
}

func TestNewCDFErrors(t *testing.T) {
	tests := []struct {
		name   string
		pmf    []float64
		offset int32
	}{
		{"empty", nil, 0},
		{"negative", []float64{0.5, -0.1}, 0},
		{"nan", []float64{math.NaN()}, 0},
		{"inf", []float64{math.Inf(1)}, 0},
		{"too many", make([]float64, 1<<Precision), 0},
		{"offset overflow", []float64{0.5, 0.5}, math.MaxInt32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewCDF(tc.pmf, tc.offset); !errors.Is(err, ErrBadPMF) {
				t.Fatalf("got %v, want ErrBadPMF", err)
			}
		})
	}
}

func TestGaussianCDF(t *testing.T) {
	for _, s := range append(ScaleTable(DefaultScaleMin, DefaultScaleMax, DefaultScaleCount), 0, -1, math.NaN(), 1e9) {
		c := GaussianCDF(s)
		checkCDF(t, c)
		n := len(c.Cum) - 1
		h := -int(c.Offset)
		if n != 2*h+2 || h > MaxGaussianHalfWidth {
			t.Fatalf("scale %v: n=%d offset=%d", s, n, c.Offset)
		}
		// Symmetric up to rounding: the centre holds the largest frequency.
		fc := c.Cum[h+1] - c.Cum[h]
		for i := 0; i < n-1; i++ {
			if c.Cum[i+1]-c.Cum[i] > fc {
				t.Fatalf("scale %v: symbol %d above the centre", s, i)
			}
		}
	}
	if c := GaussianCDF(256); -c.Offset < 1500 {
		t.Errorf("scale 256: half-width %d too small for 1e-9 tails", -c.Offset)
	}
	if c := GaussianCDF(0.11); c.Offset != -1 {
		t.Errorf("scale 0.11: offset %d, want -1", c.Offset)
	}
}

func TestScaleTable(t *testing.T) {
	s := ScaleTable(DefaultScaleMin, DefaultScaleMax, DefaultScaleCount)
	if len(s) != 64 || math.Abs(s[0]-0.11) > 1e-12 || math.Abs(s[63]-256) > 1e-9 {
		t.Fatalf("ends %v %v", s[0], s[len(s)-1])
	}
	r := s[1] / s[0]
	for k := 1; k < len(s); k++ {
		if math.Abs(s[k]/s[k-1]-r) > 1e-9 {
			t.Fatalf("not log-spaced at %d", k)
		}
	}
	tests := []struct {
		scale float64
		want  int
	}{{0, 0}, {0.11, 0}, {0.1100001, 1}, {s[10], 10}, {s[10] * 1.0001, 11}, {1e6, 63}, {math.NaN(), 63}}
	for _, tc := range tests {
		if got := ScaleIndex(s, tc.scale); got != tc.want {
			t.Errorf("ScaleIndex(%v) = %d, want %d", tc.scale, got, tc.want)
		}
	}
}

func TestQuantize(t *testing.T) {
	tests := []struct {
		y, mean float32
		want    int32
	}{
		{0.5, 0, 0}, {1.5, 0, 2}, {-0.5, 0, 0}, {-1.5, 0, -2}, {2.4, 0.3, 2},
		{3e9, 0, math.MaxInt32}, {-3e9, 0, math.MinInt32}, {float32(math.NaN()), 0, 0},
	}
	for _, tc := range tests {
		if got := Quantize(tc.y, tc.mean); got != tc.want {
			t.Errorf("Quantize(%v, %v) = %d, want %d", tc.y, tc.mean, got, tc.want)
		}
	}
	if got := Dequantize(3, 0.25); got != 3.25 {
		t.Errorf("Dequantize = %v", got)
	}
}
