// Package bench implements the `aezip bench` command: it sweeps aezip and
// peer codecs (Go's image/jpeg, libjpeg-turbo, WebP, AVIF, JPEG XL, HEIC)
// over their quality settings on a directory of images, measures whole-file
// bits per pixel, PSNR, MS-SSIM and encode/decode time, aggregates per
// (codec, setting), computes Bjøntegaard delta rates against a reference
// codec, and writes CSV, JSON and a rate-distortion plot.
//
// External peers are driven through their command-line tools (cjpeg/djpeg,
// cwebp/dwebp, avifenc/avifdec, cjxl/djxl, heif-enc/heif-convert); a tool
// missing from PATH is reported and the peer skipped. Encode and decode times
// of external peers are the wall time of the tool process, so they include
// process start-up and file I/O; times of in-process codecs are the function
// calls. See docs/bench.md.
package bench
