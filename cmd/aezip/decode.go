// This file implements "aezip decode".

package main

import (
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/aezip/aezip/codec"
)

func init() {
	commands["decode"] = &command{
		summary: "Decode an aezip file to PNG (or JPEG, GIF, BMP, TIFF by OUTPUT's extension).",
		usage:   "[-model FILE] [-jpeg-quality N] [-max-pixels N] [-f] INPUT OUTPUT",
		run:     runDecode,
	}
}

func runDecode(e *env, args []string) error {
	fs := newFlags("decode")
	modelPath := fs.String("model", "", "model file (.aezm); default: the embedded model")
	jq := fs.Int("jpeg-quality", 95, "JPEG quality (1-100) for .jpg/.jpeg output")
	maxPixels := fs.Int64("max-pixels", codec.DefaultMaxPixels, "refuse images with more pixels")
	force := fs.Bool("f", false, "overwrite OUTPUT if it exists")
	if err := parseFlags(e, fs, "decode", args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("need INPUT and OUTPUT, got %d arguments", fs.NArg())
	}
	in, out := fs.Arg(0), fs.Arg(1)
	if *jq < 1 || *jq > 100 {
		return usagef("-jpeg-quality %d out of range [1, 100]", *jq)
	}
	enc := outputEncoder(out, *jq)
	opts := []codec.DecoderOption{codec.WithMaxPixels(*maxPixels)}
	if *modelPath != "" {
		m, err := loadModel(*modelPath)
		if err != nil {
			return err
		}
		opts = append(opts, codec.WithDecoderModel(m))
	}
	if err := checkOutput(out, *force); err != nil {
		return err
	}
	r, err := openInput(e, in)
	if err != nil {
		return err
	}
	defer r.Close()
	d, err := codec.NewDecoder(r, opts...)
	if err != nil {
		return err
	}
	m, err := d.Decode()
	if err == io.EOF {
		return fmt.Errorf("%s: empty input", in)
	}
	if err != nil {
		return err
	}
	return writeOutput(e, out, *force, func(w io.Writer) error { return enc(w, m) })
}

// outputEncoder picks the output format from the file name's extension;
// PNG for "-", no extension or an unknown one.
func outputEncoder(name string, jpegQuality int) func(io.Writer, image.Image) error {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg":
		return func(w io.Writer, m image.Image) error {
			return jpeg.Encode(w, m, &jpeg.Options{Quality: jpegQuality})
		}
	case ".gif":
		return func(w io.Writer, m image.Image) error { return gif.Encode(w, m, nil) }
	case ".bmp":
		return bmp.Encode
	case ".tif", ".tiff":
		return func(w io.Writer, m image.Image) error {
			return tiff.Encode(w, m, &tiff.Options{Compression: tiff.Deflate})
		}
	}
	return png.Encode
}
