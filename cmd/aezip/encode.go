// This file implements "aezip encode".

package main

import (
	"flag"
	"fmt"
	"image"
	"io"

	// Input formats beyond aezip itself.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/model"
)

func init() {
	commands["encode"] = &command{
		summary: "Encode a PNG, JPEG, GIF, BMP, TIFF or WebP image (or an aezip file) as aezip.",
		usage:   "[-q Q | -bpp B | -psnr P] [-model FILE] [-j N] [-precision P] [-f] INPUT OUTPUT",
		run:     runEncode,
	}
}

func runEncode(e *env, args []string) error {
	fs := newFlags("encode")
	q := fs.Float64("q", codec.DefaultQuality, "quality, 0 (smallest) to 100 (best)")
	bpp := fs.Float64("bpp", 0, "target size in bits per pixel (highest quality not above it)")
	psnr := fs.Float64("psnr", 0, "target PSNR in dB (lowest quality reaching it)")
	modelPath := fs.String("model", "", "model file (.aezm); default: the embedded model")
	jobs := fs.Int("j", 0, "goroutines per image; 0 means GOMAXPROCS (output does not depend on it)")
	precision := fs.String("precision", "bf16", "analysis arithmetic: bf16 (fastest, where the processor has AVX512_BF16; output may differ between machines) or float32 (the same bytes on every amd64 processor)")
	force := fs.Bool("f", false, "overwrite OUTPUT if it exists")
	if err := parseFlags(e, fs, "encode", args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("need INPUT and OUTPUT, got %d arguments", fs.NArg())
	}
	in, out := fs.Arg(0), fs.Arg(1)

	prec, err := model.ParsePrecision(*precision)
	if err != nil {
		return usagef("%v", err)
	}
	opts := []codec.EncoderOption{codec.WithConcurrency(*jobs), codec.WithPrecision(prec)}
	rate, err := pickRate(fs, *q, *bpp, *psnr, codec.WithQuality, codec.WithTargetBPP, codec.WithTargetPSNR)
	if err != nil {
		return err
	}
	opts = append(opts, rate)
	if *modelPath != "" {
		m, err := loadModel(*modelPath)
		if err != nil {
			return err
		}
		opts = append(opts, codec.WithModel(m))
	}
	// Check options and the output before the (slow) decode and encode.
	if _, err := codec.NewEncoder(io.Discard, opts...); err != nil {
		return err
	}
	if err := checkOutput(out, *force); err != nil {
		return err
	}

	r, err := openInput(e, in)
	if err != nil {
		return err
	}
	defer r.Close()
	m, _, err := image.Decode(r)
	if err != nil {
		return fmt.Errorf("reading %s: %w", in, err)
	}
	return writeOutput(e, out, *force, func(w io.Writer) error {
		return codec.Encode(w, m, opts...)
	})
}

// pickRate turns the exclusive -q, -bpp and -psnr flags of fs into one
// option of the caller's kind (codec's for encode, transport's for serve):
// a target when one was given, the quality otherwise.
func pickRate[O any](fs *flag.FlagSet, q, bpp, psnr float64, withQ, withBPP, withPSNR func(float64) O) (O, error) {
	rates := 0
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "q", "bpp", "psnr":
			rates++
		}
	})
	switch {
	case rates > 1:
		var zero O
		return zero, usagef("-q, -bpp and -psnr are exclusive")
	case bpp != 0:
		return withBPP(bpp), nil
	case psnr != 0:
		return withPSNR(psnr), nil
	}
	return withQ(q), nil
}
