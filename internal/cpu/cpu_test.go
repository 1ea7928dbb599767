// This file checks CPU feature detection against /proc/cpuinfo.

package cpu

import (
	"os"
	"strings"
	"testing"
)

// TestMatchesProcCPUInfo checks the detection against the kernel's view on
// Linux, where /proc/cpuinfo lists the flags the OS has enabled.
func TestMatchesProcCPUInfo(t *testing.T) {
	if !hasAsm {
		t.Skip("feature detection compiled out")
	}
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo")
	}
	var flags map[string]bool
	for _, line := range strings.Split(string(data), "\n") {
		if name, val, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = map[string]bool{}
			for _, f := range strings.Fields(val) {
				flags[f] = true
			}
			break
		}
	}
	if flags == nil {
		t.Skip("no flags line")
	}
	tests := []struct {
		flag string
		got  bool
	}{
		{"avx2", X86.HasAVX2},
		{"fma", X86.HasFMA},
		{"avx512f", X86.HasAVX512F},
		{"avx512_bf16", X86.HasAVX512BF16},
		{"avx512bw", X86.HasAVX512BW},
		{"avx512dq", X86.HasAVX512DQ},
		{"avx512vl", X86.HasAVX512VL},
		{"avx512_vnni", X86.HasAVX512VNNI},
	}
	for _, tc := range tests {
		if tc.got != flags[tc.flag] {
			t.Errorf("%s: detected %v, /proc/cpuinfo says %v", tc.flag, tc.got, flags[tc.flag])
		}
	}
}
