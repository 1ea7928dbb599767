// Command bigimage measures the peak memory and time of aezip on a large
// image: it makes the test image from a smaller one, and it encodes or
// decodes in process with a CPU profile, so that the codec's own peak can
// be told apart from the PNG reading and writing that "aezip encode" and
// "aezip decode" add. measure.sh runs the real command line under
// /usr/bin/time -v for the numbers of docs/speed.md.
//
// Usage:
//
//	go run ./bench/bigimage make -src IMG -width 6000 -height 4000 -o /tmp/big.png
//	go run ./bench/bigimage model -N 128 -M 192 -o /tmp/r128.aezm
//	go run ./bench/bigimage encode [-model F.aezm] [-j N] [-q Q] [-cpuprofile P] IN.png OUT.aez
//	go run ./bench/bigimage decode [-model F.aezm] [-j N] [-cpuprofile P] IN.aez
//
// model writes a model of the given widths with random weights
// (bench/randmodel). encode and decode print one JSON object: wall and CPU seconds of the
// codec call alone and the process's peak resident set size in MiB.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg"
	"image/png"
	"os"
	"runtime/pprof"
	"time"

	"github.com/aezip/aezip/bench/benchdata"
	"github.com/aezip/aezip/bench/randmodel"
	"github.com/aezip/aezip/codec"
	"github.com/aezip/aezip/model"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bigimage make|model|encode|decode [flags] …")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "make":
		err = runMake(os.Args[2:])
	case "model":
		err = runModel(os.Args[2:])
	case "encode", "decode":
		err = runCodec(os.Args[1], os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bigimage:", err)
		os.Exit(1)
	}
}

// runMake writes a width×height PNG made by mirror-tiling the source, so
// that the large image has no hard seams and natural statistics.
func runMake(args []string) error {
	fs := flag.NewFlagSet("make", flag.ExitOnError)
	src := fs.String("src", "", "source image (PNG or JPEG)")
	width := fs.Int("width", 6000, "output width")
	height := fs.Int("height", 4000, "output height")
	out := fs.String("o", "", "output PNG")
	fs.Parse(args)
	if *src == "" || *out == "" || *width <= 0 || *height <= 0 {
		return errors.New("make needs -src, -o and positive -width, -height")
	}
	m, err := readImage(*src)
	if err != nil {
		return err
	}
	dst := benchdata.MirrorTile(m, *width, *height)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(w, dst); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runModel writes a random model (bench/randmodel) of widths N and M.
func runModel(args []string) error {
	fs := flag.NewFlagSet("model", flag.ExitOnError)
	n := fs.Int("N", 128, "width N")
	m := fs.Int("M", 192, "width M")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("o", "", "output model file (.aezm)")
	fs.Parse(args)
	if *out == "" {
		return errors.New("model needs -o")
	}
	fix, err := randmodel.FindFixture()
	if err != nil {
		return err
	}
	mdl, err := randmodel.New(fix, *n, *m, *seed)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if _, err := mdl.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readImage(name string) (image.Image, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, _, err := image.Decode(bufio.NewReader(f))
	return m, err
}

func runCodec(mode string, args []string) error {
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	modelPath := fs.String("model", "", "model file (.aezm); default: the embedded model")
	jobs := fs.Int("j", 0, "concurrency (0: GOMAXPROCS)")
	q := fs.Float64("q", codec.DefaultQuality, "quality (encode)")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the codec call")
	memprof := fs.String("memprofile", "", "write an allocation profile of the codec call")
	heapAt := fs.Duration("heapat", 0, "with -heapprofile: when to take it, after the start of the codec call")
	heapprof := fs.String("heapprofile", "", "write the in-use heap profile (as of the last GC) at -heapat")
	fs.Parse(args)
	var mdl *model.Model
	if *modelPath != "" {
		f, err := os.Open(*modelPath)
		if err != nil {
			return err
		}
		mdl, err = model.Load(bufio.NewReader(f))
		f.Close()
		if err != nil {
			return err
		}
	}
	var run func() error
	switch {
	case mode == "encode" && fs.NArg() == 2:
		m, err := readImage(fs.Arg(0))
		if err != nil {
			return err
		}
		run = func() error {
			var buf bytes.Buffer
			err := codec.Encode(&buf, m, codec.WithModel(mdl), codec.WithQuality(*q), codec.WithConcurrency(*jobs))
			if err != nil {
				return err
			}
			return os.WriteFile(fs.Arg(1), buf.Bytes(), 0o644)
		}
	case mode == "decode" && fs.NArg() == 1:
		data, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		run = func() error {
			d, err := codec.NewDecoder(bytes.NewReader(data), codec.WithDecoderModel(mdl), codec.WithDecoderConcurrency(*jobs))
			if err != nil {
				return err
			}
			_, err = d.Decode()
			return err
		}
	default:
		return fmt.Errorf("%s: wrong number of arguments", mode)
	}
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *heapprof != "" {
		t := time.AfterFunc(*heapAt, func() {
			f, err := os.Create(*heapprof)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bigimage:", err)
				return
			}
			defer f.Close()
			pprof.Lookup("heap").WriteTo(f, 0)
		})
		defer t.Stop()
	}
	cpu0 := cpuSeconds()
	t0 := time.Now()
	if err := run(); err != nil {
		return err
	}
	if *memprof != "" {
		f, err := os.Create(*memprof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	res := map[string]any{
		"mode": mode, "model": *modelPath, "j": *jobs,
		"wall_s": time.Since(t0).Seconds(), "cpu_s": cpuSeconds() - cpu0,
		"maxrss_mib": maxRSS() >> 20,
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}
