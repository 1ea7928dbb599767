package randmodel

import (
	"testing"
)

func TestNew(t *testing.T) {
	fix, err := FindFixture()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range [][2]int{{16, 24}, {64, 96}, {128, 192}} {
		m, err := New(fix, w[0], w[1], 1)
		if err != nil {
			t.Fatalf("N=%d M=%d: %v", w[0], w[1], err)
		}
		if m.Arch.N != w[0] || m.Arch.M != w[1] {
			t.Errorf("widths %d, %d; want %v", m.Arch.N, m.Arch.M, w)
		}
		again, err := New(fix, w[0], w[1], 1)
		if err != nil {
			t.Fatal(err)
		}
		if m.ID() != again.ID() {
			t.Errorf("N=%d M=%d: the same seed gave two models", w[0], w[1])
		}
	}
}
