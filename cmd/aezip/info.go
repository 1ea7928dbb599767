// This file implements "aezip info".

package main

import (
	"encoding/json"
	"fmt"

	"github.com/aezip/aezip/codec"
)

func init() {
	commands["info"] = &command{
		summary: "Describe an aezip file (size, colour type, quality, model, stream sizes).",
		usage:   "[-json] FILE",
		run:     runInfo,
	}
}

func runInfo(e *env, args []string) error {
	fs := newFlags("info")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(e, fs, "info", args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("need one FILE, got %d arguments", fs.NArg())
	}
	r, err := openInput(e, fs.Arg(0))
	if err != nil {
		return err
	}
	defer r.Close()
	in, err := codec.Inspect(r)
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.MarshalIndent(in, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	tiles := "1"
	if in.Tiles > 1 {
		tiles = fmt.Sprintf("%d of %d×%d", in.Tiles, in.TileWidth, in.TileHeight)
	}
	_, err = fmt.Fprintf(e.stdout,
		"aezip %d.%d, %d×%d %s, quality %.2f\nmodel %s (M=%d N=%d), tiles %s\n"+
			"hyper %d B, latent %d B, alpha %d B, metadata %d B, file %d B, %.4f bpp\n",
		in.Major, in.Minor, in.Width, in.Height, in.ColorType, in.Quality,
		in.ModelID, in.M, in.N, tiles,
		in.HyperBytes, in.LatentBytes, in.AlphaBytes, in.MetadataBytes, in.FileBytes, in.BitsPerPixel)
	return err
}
