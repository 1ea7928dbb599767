// Package cpu reports the x86 vector extensions that the assembly kernels
// of aezip may use. It reads CPUID and XGETBV itself, so the answer also
// accounts for the operating system saving the wider registers.
package cpu

// X86 holds the features of the running processor. All fields are false on
// other architectures and under the noasm build tag.
var X86 struct {
	// HasAVX2 and HasFMA report AVX2 and FMA3 with YMM state enabled by
	// the operating system.
	HasAVX2, HasFMA bool
	// HasAVX512F, HasAVX512BW, HasAVX512DQ and HasAVX512VL report those
	// AVX-512 subsets with ZMM and opmask state enabled by the operating
	// system.
	HasAVX512F, HasAVX512BW, HasAVX512DQ, HasAVX512VL bool
	// HasAVX512VNNI reports the AVX-512 VNNI dot-product instructions
	// (VPDPWSSD), with the same operating-system support as AVX512F.
	HasAVX512VNNI bool
	// HasAVX512BF16 reports the AVX-512 bfloat16 instructions
	// (VDPBF16PS), with the same operating-system support as AVX512F.
	HasAVX512BF16 bool
}

func init() { detect() }
