package cputime

import (
	"runtime"
	"testing"
)

func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no CPU time on this platform")
	}
	t0 := Process()
	x := 0
	for i := 0; Process()-t0 < 20e6 && i < 1e10; i++ { // 20 ms of CPU
		x += i
	}
	if d := Process() - t0; d <= 0 {
		t.Fatalf("CPU time did not grow: %v (%d)", d, x)
	}
}
