// This file implements feature detection on amd64 with CPUID and XGETBV.

//go:build amd64 && !noasm && gc

package cpu

// cpuid executes CPUID with the given leaf and sub-leaf.
//
//go:noescape
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads extended control register 0.
//
//go:noescape
func xgetbv() (eax, edx uint32)

func bit(v uint32, n uint) bool { return v>>n&1 != 0 }

const hasAsm = true

func detect() {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return
	}
	_, _, ecx1, _ := cpuid(1, 0)
	// OSXSAVE (ecx bit 27) must be set before XGETBV may be executed.
	if !bit(ecx1, 27) || !bit(ecx1, 28) {
		return
	}
	xcr0, _ := xgetbv()
	ymmOS := xcr0&0x6 == 0x6   // XMM and YMM state
	zmmOS := xcr0&0xe6 == 0xe6 // plus opmask, ZMM0-15 upper halves, ZMM16-31
	eax7, ebx7, ecx7, _ := cpuid(7, 0)
	if ymmOS {
		X86.HasAVX2 = bit(ebx7, 5)
		X86.HasFMA = bit(ecx1, 12)
	}
	if ymmOS && zmmOS {
		X86.HasAVX512F = bit(ebx7, 16)
		X86.HasAVX512DQ = X86.HasAVX512F && bit(ebx7, 17)
		X86.HasAVX512BW = X86.HasAVX512F && bit(ebx7, 30)
		X86.HasAVX512VL = X86.HasAVX512F && bit(ebx7, 31)
		X86.HasAVX512VNNI = X86.HasAVX512F && bit(ecx7, 11)
		// Leaf 7's EAX is the highest sub-leaf; sub-leaf 1 EAX bit 5
		// is AVX512_BF16.
		if eax7 >= 1 {
			eax71, _, _, _ := cpuid(7, 1)
			X86.HasAVX512BF16 = X86.HasAVX512F && bit(eax71, 5)
		}
	}
}
