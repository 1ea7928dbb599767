// Package quant holds the integer side of aezip: quantisation, the Gaussian
// scale table and the frozen integer CDF tables that drive entropy coding.
package quant

// Precision is the number of bits of every CDF table: frequencies sum to 1<<Precision.
const Precision = 16

// CDF is a frozen integer cumulative frequency table for one distribution.
// Symbol i (i < n-1, n = len(Cum)-1) codes the value Offset+i; the last symbol
// is the escape, used for any value outside that range.
// Cum[0] == 0, Cum[n] == 1<<Precision and Cum is strictly increasing, so no
// symbol has zero frequency.
type CDF struct {
	Offset int32
	Cum    []uint32
}
