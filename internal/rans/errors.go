// This file implements the errors of the rANS coder, as specified in docs/spec.md §3.

package rans

import (
	"errors"
	"strconv"
)

// CorruptInputError reports corrupt entropy-coded data: the byte offset into
// the stream at which the decoder found it to be inconsistent.
type CorruptInputError int64

func (e CorruptInputError) Error() string {
	return "rans: corrupt input at byte offset " + strconv.FormatInt(int64(e), 10)
}

// Errors for misuse by the caller (not for corrupt data).
var (
	// ErrBadTable is wrapped by [NewTable] for a CDF that breaks the table rules.
	ErrBadTable = errors.New("rans: invalid CDF table")
	// ErrLength is returned when idx and the values differ in length.
	ErrLength = errors.New("rans: idx and values differ in length")
	// ErrTableIndex is returned when idx selects a table that does not exist.
	ErrTableIndex = errors.New("rans: table index out of range")
)
