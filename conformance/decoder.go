// This file implements the interfaces a decoder under test implements and
// the implementation-independent error classes, as specified in
// docs/spec.md §8.

package conformance

import "image"

// A Decoder is the implementation under test.
type Decoder interface {
	// Decode decodes the single aezip file in file with the model whose
	// model file (docs/spec.md §5) is model, and returns the image or an
	// error.
	Decode(file, model []byte) (image.Image, error)
	// Class maps an error returned by the decoder's methods to its
	// [ErrorClass]; it returns [Other] for errors it does not recognise.
	Class(err error) ErrorClass
}

// A LatentDecoder is a [Decoder] that can also return the entropy-decoded
// integers of a file, so that [Run] checks them bit for bit. Implementing
// it is optional but strongly recommended: without it only the pixels,
// within tolerance, are checked.
type LatentDecoder interface {
	Decoder
	// DecodeLatents decodes file as Decode does, but stops after the integer
	// stages and returns one entry per tile, in tile index order.
	DecodeLatents(file, model []byte) ([]TileLatents, error)
}

// A MetadataDecoder is a [Decoder] that can also return the ICC profile,
// EXIF and XMP data a file carries (nil when absent); [Run] then checks
// that they are carried unchanged. Optional.
type MetadataDecoder interface {
	Decoder
	Metadata(file []byte) (icc, exif, xmp []byte, err error)
}

// TileLatents holds the integers of one tile (docs/spec.md §6.4, §6.5),
// each slice in channel-major raster order.
type TileLatents struct {
	// Z is the hyper-latent ẑ (N × HZ × WZ values).
	Z []int32
	// Symbols are the latent symbols s (M × HY × WY values).
	Symbols []int32
	// Means are the integer means μq of the hyper-synthesis, one per symbol.
	Means []int32
	// Scales are the scale indices k of the hyper-synthesis, one per symbol.
	Scales []int32
}

// An ErrorClass is the kind of failure a vector must produce, independent
// of how an implementation spells its errors.
type ErrorClass string

// The error classes of docs/spec.md §2.8 and §6.9.
const (
	// None: the file is valid and must decode.
	None ErrorClass = ""
	// Truncated: the input ends inside the file (Go: io.ErrUnexpectedEOF).
	Truncated ErrorClass = "truncated"
	// Format: not a valid container (bad signature, field, length, order,
	// missing or duplicate chunk).
	Format ErrorClass = "format"
	// Unsupported: another major version, bit depth or an unknown critical
	// chunk.
	Unsupported ErrorClass = "unsupported"
	// Checksum: a chunk's CRC-32C does not match.
	Checksum ErrorClass = "checksum"
	// TooLarge: the header declares more than the decoder's limits allow;
	// it must be refused before the image memory is allocated.
	TooLarge ErrorClass = "too_large"
	// ModelMismatch: the file names a model the decoder was not given.
	ModelMismatch ErrorClass = "model_mismatch"
	// Corrupt: the entropy-coded data, latent sizes or alpha payload are
	// invalid although the container is well formed.
	Corrupt ErrorClass = "corrupt"
	// Other: an error the decoder's Class does not recognise; never
	// expected by a vector.
	Other ErrorClass = "other"
)

// errorClasses lists the classes a manifest may name.
var errorClasses = []ErrorClass{Truncated, Format, Unsupported, Checksum, TooLarge, ModelMismatch, Corrupt}
