// This file implements the interleaved rANS encoder and decoder, as specified
// in docs/spec.md §3: four 32-bit states, 16-bit renormalisation words, little
// endian, symbol i on state i mod 4, escapes followed by two raw 16-bit halves.

package rans

import (
	"encoding/binary"
)

const (
	numStates  = 4
	stateLow   = 1 << 16 // lower bound of a normalised state; initial and final state
	headerSize = numStates * 4
)

// Encode appends to dst the rANS stream of vals, where vals[i] is coded with
// tabs[idx[i]]. Values outside a table's range are coded through its escape
// symbol, so every int32 round-trips.
func Encode(dst []byte, tabs []*Table, idx []uint16, vals []int32) ([]byte, error) {
	if len(idx) != len(vals) {
		return dst, ErrLength
	}
	for _, k := range idx {
		if int(k) >= len(tabs) || tabs[k] == nil {
			return dst, ErrTableIndex
		}
	}
	// Words are produced last-first; they are reversed into dst at the end.
	words := make([]uint16, 0, len(vals)/2+16)
	var st [numStates]uint32
	for j := range st {
		st[j] = stateLow
	}
	put := func(x uint32, start, freq uint32) uint32 {
		if uint64(x) >= uint64(freq)<<16 {
			words = append(words, uint16(x))
			x >>= 16
		}
		return (x/freq)<<16 + x%freq + start
	}
	for i := len(vals) - 1; i >= 0; i-- {
		t := tabs[idx[i]]
		x := st[i%numStates]
		d := int64(vals[i]) - int64(t.offset)
		if d >= 0 && d < int64(t.esc) {
			s := uint32(d)
			x = put(x, t.cum[s], t.cum[s+1]-t.cum[s])
		} else {
			u := uint32(vals[i])
			x = put(x, u&0xffff, 1) // low half, decoded last
			x = put(x, u>>16, 1)
			x = put(x, t.cum[t.esc], probScale-t.cum[t.esc])
		}
		st[i%numStates] = x
	}
	need := headerSize + 2*len(words)
	dst = grow(dst, need)
	out := dst[len(dst)-need:]
	for j, x := range st {
		binary.LittleEndian.PutUint32(out[4*j:], x)
	}
	p := out[headerSize:]
	for k := len(words) - 1; k >= 0; k-- {
		binary.LittleEndian.PutUint16(p, words[k])
		p = p[2:]
	}
	return dst, nil
}

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n)
	copy(nb, b)
	return nb
}

// Decode decodes len(dst) values from src into dst, where dst[i] uses
// tabs[idx[i]]. src must be exactly one stream written by [Encode]; corrupt
// or truncated data gives a [CorruptInputError]. Decode runs in time linear
// in len(dst) and reads only inside src.
func Decode(src []byte, tabs []*Table, idx []uint16, dst []int32) error {
	if len(idx) != len(dst) {
		return ErrLength
	}
	for _, k := range idx {
		if int(k) >= len(tabs) || tabs[k] == nil {
			return ErrTableIndex
		}
	}
	if len(src) < headerSize || len(src)%2 != 0 {
		return CorruptInputError(len(src))
	}
	var st [numStates]uint32
	for j := range st {
		st[j] = binary.LittleEndian.Uint32(src[4*j:])
		if st[j] < stateLow {
			return CorruptInputError(4 * j)
		}
	}
	pos := headerSize
	n := len(dst)
	for i := 0; i < n; i++ {
		t := tabs[idx[i]]
		j := i & (numStates - 1)
		x := st[j]
		slot := x & 0xffff
		s := t.symbol(slot)
		c := t.cum[s]
		x = (t.cum[s+1]-c)*(x>>16) + slot - c
		if x < stateLow {
			if pos+2 > len(src) {
				return CorruptInputError(len(src))
			}
			x = x<<16 | uint32(binary.LittleEndian.Uint16(src[pos:]))
			pos += 2
		}
		if s != t.esc {
			dst[i] = t.offset + int32(s)
			st[j] = x
			continue
		}
		// Escape: two uniform 16-bit symbols; each leaves x>>16 < 1<<16, so
		// each reads one word.
		var u uint32
		for h := 0; h < 2; h++ {
			u = u<<16 | x&0xffff
			if pos+2 > len(src) {
				return CorruptInputError(len(src))
			}
			x = x&0xffff0000 | uint32(binary.LittleEndian.Uint16(src[pos:]))
			pos += 2
		}
		v := int32(u)
		if d := int64(v) - int64(t.offset); d >= 0 && d < int64(t.esc) {
			return CorruptInputError(pos) // an in-range value is never escaped
		}
		dst[i] = v
		st[j] = x
	}
	if pos != len(src) {
		return CorruptInputError(pos)
	}
	for _, x := range st {
		if x != stateLow {
			return CorruptInputError(pos)
		}
	}
	return nil
}
