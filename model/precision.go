// This file implements the choice of arithmetic for the transforms that
// only the encoder runs.

package model

import (
	"fmt"
	"sync"

	"github.com/aezip/aezip/internal/gemm"
)

// Precision selects how the encoder-only transforms (g_a and h_a) compute
// their products. Their outputs are quantised and coded by the encoder, and
// a decoder never recomputes them, so they need not be reproducible; the
// synthesis transform and the integer h_s, which a decoder must reproduce,
// always use float32 and integers.
type Precision uint8

const (
	// Float32 computes every product in float32: the output is the same
	// bits on every amd64 kernel family (AVX-512, AVX2).
	Float32 Precision = iota
	// BF16 rounds the operands of the convolutions' products (Winograd or
	// direct) and of the GDNs' products to bfloat16 and sums them in
	// float32 (VDPBF16PS), at twice the float32 rate, where [BF16Available];
	// elsewhere it is Float32. A layer feeding such a Winograd layer stores
	// its output in bfloat16, and the GDNs divide by an estimated square
	// root refined by a Newton step. Its output depends on the processor:
	// two machines may encode the same image into different (equally valid)
	// files. Tiles, strips and worker counts still do not change it.
	// docs/speed.md gives its effect on rate and distortion.
	BF16
)

// BF16Available reports whether [BF16] differs from [Float32] here: the
// processor has AVX512_BF16 and the AVX-512 kernels are active.
func BF16Available() bool { return gemm.BF16Available() }

// bf16 reports whether p's products run in bfloat16 on this machine.
func (p Precision) bf16() bool { return p == BF16 && gemm.BF16Available() }

// ParsePrecision returns the Precision named s ("float32" or "bf16").
func ParsePrecision(s string) (Precision, error) {
	switch s {
	case "float32":
		return Float32, nil
	case "bf16":
		return BF16, nil
	}
	return 0, fmt.Errorf("model: unknown precision %q (want float32 or bf16)", s)
}

// String returns "float32" or "bf16".
func (p Precision) String() string {
	if p == BF16 {
		return "bf16"
	}
	return "float32"
}

// words is a pool of the bfloat16 pair panels (B operands of
// gemm.SgemmBF16Panels) that the layers' work items fill.
var words sync.Pool

// getWords returns a buffer of n words from the pool; give it back with
// words.Put.
func getWords(n int) *[]uint32 {
	if p, ok := words.Get().(*[]uint32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]uint32, n)
	return &s
}
