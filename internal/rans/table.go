// This file implements the validated decoding/encoding tables built from a
// quant.CDF, as specified in docs/spec.md §3.

package rans

import (
	"fmt"
	"math"

	"github.com/aezip/aezip/quant"
)

const (
	probBits   = quant.Precision
	probScale  = 1 << probBits
	lutBits    = 10 // bucket index bits of the symbol lookup
	lutShift   = probBits - lutBits
	maxSymbols = probScale // every symbol needs frequency >= 1
)

// Table is a CDF prepared for coding: validated, with a bucketed lookup from
// a slot to its symbol. A Table is immutable and safe for concurrent use.
type Table struct {
	offset int32
	esc    uint32   // index of the escape symbol, n-1
	cum    []uint32 // n+1 entries
	lut    [1 << lutBits]uint16
}

// NewTable validates c and builds its coding table. c must have at least one
// value symbol besides the escape, Cum[0] == 0, Cum[n] == 1<<[quant.Precision],
// strictly increasing entries, and Offset+n-2 must fit in an int32.
func NewTable(c quant.CDF) (*Table, error) {
	n := len(c.Cum) - 1
	switch {
	case n < 2 || n > maxSymbols:
		return nil, fmt.Errorf("%w: %d symbols (want 2..%d)", ErrBadTable, n, maxSymbols)
	case c.Cum[0] != 0:
		return nil, fmt.Errorf("%w: Cum[0] = %d, want 0", ErrBadTable, c.Cum[0])
	case c.Cum[n] != probScale:
		return nil, fmt.Errorf("%w: Cum[%d] = %d, want %d", ErrBadTable, n, c.Cum[n], probScale)
	case int64(c.Offset)+int64(n)-2 > math.MaxInt32:
		return nil, fmt.Errorf("%w: offset %d + %d values overflows int32", ErrBadTable, c.Offset, n-1)
	}
	for i := 0; i < n; i++ {
		if c.Cum[i+1] <= c.Cum[i] {
			return nil, fmt.Errorf("%w: Cum[%d] = %d not above Cum[%d] = %d", ErrBadTable, i+1, c.Cum[i+1], i, c.Cum[i])
		}
	}
	t := &Table{offset: c.Offset, esc: uint32(n - 1), cum: append([]uint32(nil), c.Cum...)}
	s := 0
	for b := range t.lut {
		slot := uint32(b) << lutShift
		for t.cum[s+1] <= slot {
			s++
		}
		t.lut[b] = uint16(s)
	}
	return t, nil
}

// symbol returns the symbol whose range holds slot (slot < 1<<16).
func (t *Table) symbol(slot uint32) uint32 {
	s := uint32(t.lut[slot>>lutShift])
	cum := t.cum
	for cum[s+1] <= slot {
		s++
	}
	return s
}
