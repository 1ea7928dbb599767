// Package conformance holds the aezip conformance vectors and a runner that
// checks any decoder against them, as specified in docs/spec.md §8.
//
// The vectors (testdata/vectors.json and the files it names) are frozen:
// once a vector is published it is never regenerated or changed, so that
// every released format version stays decodable. Each valid vector has the
// SHA-256 of its entropy-decoded integers, which must match bit for bit, and
// an expected 8-bit image, which a decoder must match within the tolerance
// of [MaxSampleDiff] and [AllowedDiffering]; each invalid vector names the
// [ErrorClass] a decoder must report.
//
// Another implementation calls [Run] from a Go test with an adapter that
// implements [Decoder] (and optionally [LatentDecoder] and
// [MetadataDecoder]):
//
//	func TestConformance(t *testing.T) { conformance.Run(t, myDecoder{}) }
//
// [AezipDecoder] is the adapter for this module's own codec package.
package conformance
