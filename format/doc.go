// Package format implements the aezip container, version 1.0, as specified in
// docs/spec.md §2 (Container).
//
// An aezip file is an 8-byte signature ([Magic]), two version bytes
// ([Major], [Minor]) and a sequence of length-prefixed chunks, each protected
// by a CRC-32C. The first chunk is the header (image size, colour type, model
// ID, quality, latent channel counts, tile grid); the last is the end chunk.
// In between come the per-tile payloads (hyper-latent and latent streams), the
// alpha plane and the ICC, EXIF and XMP metadata, all carried as opaque bytes:
// this package knows nothing about models or entropy coding.
//
// # Compatibility
//
// A file whose major version is not [Major], or that holds an unknown critical
// chunk (a chunk type whose first letter is upper case), is refused with an
// [UnsupportedError]. Unknown ancillary chunks (first letter lower case), as
// added by a later minor version, are skipped and kept in [File.Unknown].
//
// # Frame streams
//
// Several images are stored as concatenated files. [Read] and [Decoder] consume
// exactly the bytes of one file and never read past its end chunk, so the next
// file can be read from the same [io.Reader]; a clean end of input before the
// first byte of a file is reported as [io.EOF].
//
// # Security
//
// Every length and dimension is checked against the format's hard limits and
// the caller's [Limits] before anything is allocated, and chunk buffers grow
// only as bytes actually arrive, so a truncated or hostile file cannot make the
// reader allocate much more than it has read.
package format
