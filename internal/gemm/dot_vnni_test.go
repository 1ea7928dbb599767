// This file runs the int16 product tests once more with the AVX-512
// family that does not use VNNI, where the processor would otherwise pick
// the VNNI one.

//go:build amd64 && !noasm && gc

package gemm

import "testing"

func TestDotI16WithoutVNNI(t *testing.T) {
	if dotVNNI == nil {
		t.Skip("no VNNI: the other tests ran the only AVX-512 family")
	}
	defer func(d *dotKernels) { dotFamilies[AVX512] = d }(dotFamilies[AVX512])
	dotFamilies[AVX512] = dotAVX512
	t.Run("AgainstReference", TestDotI16AgainstReference)
	t.Run("MinInt", TestDotI16MinInt)
	t.Run("Groups", TestDotI16GroupsMatchesReference)
}
