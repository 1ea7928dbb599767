// This file implements the errors the codec returns, as specified in
// docs/spec.md §6 (error handling).

package codec

import (
	"errors"
	"fmt"

	"github.com/aezip/aezip/format"
)

// FormatError reports input that is not a valid aezip container (bad
// signature, chunk length, chunk order ...). It is the container package's
// type, so errors.As works with either name.
type FormatError = format.FormatError

// UnsupportedError reports a valid file that uses a feature this version
// does not implement (another major version, an unknown critical chunk).
type UnsupportedError = format.UnsupportedError

// Sentinel errors. Test for them with errors.Is; they may be wrapped with
// detail.
var (
	// ErrChecksum reports a chunk whose CRC-32C does not match its bytes.
	// It is the container's sentinel.
	ErrChecksum = format.ErrChecksum
	// ErrTooLarge reports an image beyond a decoder limit (WithMaxPixels,
	// WithMaxMemory), an encoder input beyond what the format can describe,
	// or a file beyond the container's limits. It is the container's
	// sentinel.
	ErrTooLarge = format.ErrTooLarge
	// ErrClosed reports a use of an Encoder, Decoder, Writer or Reader after
	// Close.
	ErrClosed = errors.New("codec: use after close")
	// ErrModelMismatch reports a file made with a model other than the
	// decoder's (the model ID in the header differs).
	ErrModelMismatch = errors.New("codec: file was encoded with a different model")
	// ErrNoModel reports that no model was given and the package was built
	// without an embedded default model.
	ErrNoModel = errors.New("codec: no model (none embedded and none given)")
	// ErrEmptyImage reports an image with no pixels given to the encoder.
	ErrEmptyImage = errors.New("codec: empty image")
)

// CorruptInputError reports entropy-coded or chunk data that is not valid
// even though its checksum matched (or was not checked): the file was made
// by a broken encoder or was crafted.
type CorruptInputError struct {
	// Offset is the byte offset, from the start of the stream given to the
	// decoder, of the file holding the bad data (0 for a single image); -1
	// when unknown. Reason names the tile and stream.
	Offset int64
	// Reason says what is wrong.
	Reason string
}

// Error describes the corruption and where it is.
func (e *CorruptInputError) Error() string {
	if e.Offset < 0 {
		return "codec: corrupt input: " + e.Reason
	}
	return fmt.Sprintf("codec: corrupt input in the file at offset %d: %s", e.Offset, e.Reason)
}

func corruptf(format string, args ...any) *CorruptInputError {
	return &CorruptInputError{Offset: -1, Reason: fmt.Sprintf(format, args...)}
}
