// This file implements the typed errors of the model file, the importer and
// the integer hyper-synthesis, as specified in docs/spec.md §5.

package model

import (
	"errors"
	"fmt"
)

// FormatError reports a model file that is damaged or not a model file at
// all: bad magic, a malformed record, a value out of range, a limit exceeded.
type FormatError string

func (e FormatError) Error() string { return "model: invalid model file: " + string(e) }

// UnsupportedError reports a well-formed model file that this package cannot
// use: an unknown format version or architecture.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "model: unsupported model file: " + string(e) }

// DumpError reports a safetensors dump that the importer cannot use: a
// malformed header, a missing tensor, a wrong shape or dtype, a bad value.
type DumpError string

func (e DumpError) Error() string { return "model: invalid safetensors dump: " + string(e) }

// BoundError reports an integer hyper-synthesis layer whose accumulation
// could leave int32 within one group of 16 input channels:
// Σ|w_q|·32768 ≥ 2^31 over the weights of the group that one output adds up.
type BoundError struct {
	Layer   string // tensor prefix, e.g. "h_s.2"
	Channel int    // output channel
	Group   int    // input channel group (channels 16·Group … 16·Group+15)
	Sum     int64  // Σ|w_q|·32768
}

func (e *BoundError) Error() string {
	return fmt.Sprintf("model: %s output channel %d, input group %d: accumulator bound %d ≥ 2^31", e.Layer, e.Channel, e.Group, e.Sum)
}

// ErrChecksum means the SHA-256 checksum at the end of a model file does not
// match its contents.
var ErrChecksum = errors.New("model: model file checksum mismatch")
