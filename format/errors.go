// This file implements the error values of the container, as specified in
// docs/spec.md §2 (Container).

package format

import "errors"

// A FormatError reports that the input is not a valid aezip file.
type FormatError string

func (e FormatError) Error() string { return "aezip: invalid format: " + string(e) }

// An UnsupportedError reports that the input uses a valid but unimplemented
// feature: a different major version, an unknown critical chunk or a bit depth
// other than 8.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "aezip: unsupported feature: " + string(e) }

var (
	// ErrChecksum is returned (wrapped, test it with [errors.Is]) when a
	// chunk's CRC-32C does not match its contents.
	ErrChecksum = errors.New("aezip: invalid checksum")

	// ErrTooLarge is returned (wrapped, test it with [errors.Is]) when a file
	// exceeds the caller's [Limits].
	ErrTooLarge = errors.New("aezip: file exceeds limits")
)
