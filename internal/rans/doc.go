// Package rans implements the interleaved range asymmetric numeral system
// (rANS) coder of aezip over frozen [quant.CDF] tables, with an escape that
// codes any int32 exactly. The stream is specified in docs/spec.md §3
// (docs/spec/03-entropy.md while the spec is being assembled).
package rans
