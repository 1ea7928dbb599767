// Package codec implements the aezip image codec: the public API (Encode,
// Decode, DecodeConfig and the streaming Encoder, Decoder, Writer and Reader),
// its options and errors, the encoding pipeline with rate control, and the
// embedded default model. Importing the package registers the "aezip" format
// with the image package, so image.Decode reads aezip files.
//
// The bitstream and the decoding process are specified in docs/spec.md
// (§6 describes this package's part: container → entropy decoding → integer
// hyper-synthesis → synthesis → crop and colour conversion).
//
// Encoding runs the analysis transform g_a on the image padded to a multiple
// of 64, scales the latent by the gain of the quality level, codes the
// hyper-latent with per-channel tables and the latent with the Gaussian scale
// tables that the bit-exact integer hyper-synthesis selects. Decoding inverts
// the entropy coding exactly; only the float synthesis may differ in the last
// bits across platforms.
//
// Memory: the transforms run strip by strip (bands of 512 pixel rows,
// each computed from the rows it depends on, cut into pieces of at most
// 36×36 latent positions), so no float plane of the whole image exists.
// The encoder converts the source to float one band at a time and keeps
// only the latent y for rate control; the decoder keeps the integer
// latents and writes each band of pixels straight into the output image.
// The strips give the same values bit for bit as whole-image transforms, so
// they change neither the file nor the decoded image (docs/spec.md §6.3).
// Images larger than 4096×4096 padded pixels are also cut into container
// tiles, which bounds the latents.
//
// Untrusted input: call [DecodeConfig] first, or decode with
// [NewDecoder] and [WithMaxPixels] / [WithMaxMemory], which refuse oversized
// images from the header, before anything is allocated.
package codec
