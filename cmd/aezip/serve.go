// This file implements "aezip serve": a static file server whose PNG and
// JPEG responses are transcoded to aezip for clients that ask for it.

package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/transport"
)

func init() {
	commands["serve"] = &command{
		summary: "Serve a directory over HTTP, sending PNG/JPEG as image/aez to clients that accept it.",
		usage:   "[-addr ADDR] [-q Q | -bpp B | -psnr P] [-model FILE] DIR",
		run:     runServe,
	}
}

// serveHandler parses the command line and returns the handler and address.
func serveHandler(e *env, args []string) (http.Handler, string, error) {
	fs := newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	q := fs.Float64("q", codec.DefaultQuality, "quality, 0 (smallest) to 100 (best)")
	bpp := fs.Float64("bpp", 0, "target size in bits per pixel")
	psnr := fs.Float64("psnr", 0, "target PSNR in dB")
	modelPath := fs.String("model", "", "model file (.aezm); default: the embedded model")
	if err := parseFlags(e, fs, "serve", args); err != nil {
		return nil, "", err
	}
	if fs.NArg() != 1 {
		return nil, "", usagef("need one DIR, got %d arguments", fs.NArg())
	}
	dir := fs.Arg(0)
	if st, err := os.Stat(dir); err != nil {
		return nil, "", err
	} else if !st.IsDir() {
		return nil, "", fmt.Errorf("%s is not a directory", dir)
	}
	rate, err := pickRate(fs, *q, *bpp, *psnr, transport.WithQuality, transport.WithTargetBPP, transport.WithTargetPSNR)
	if err != nil {
		return nil, "", err
	}
	opts := []transport.Option{rate}
	if *modelPath != "" {
		m, err := loadModel(*modelPath)
		if err != nil {
			return nil, "", err
		}
		opts = append(opts, transport.WithEncoderOptions(codec.WithModel(m)))
	} else if _, err := codec.DefaultModel(); err != nil {
		return nil, "", err
	}
	h, err := transport.NewHandler(http.FileServer(http.Dir(dir)), opts...)
	if err != nil {
		return nil, "", err
	}
	return h, *addr, nil
}

func runServe(e *env, args []string) error {
	h, addr, err := serveHandler(e, args)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "serving on http://%s/\n", addr)
	err = http.ListenAndServe(addr, h)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
