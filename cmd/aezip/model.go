// This file implements "aezip model import" and "aezip model info".

package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/aezip/aezip/model"
)

func init() {
	commands["model"] = &command{
		summary: "Import a trainer dump as a model file, or describe a model file.",
		usage:   "import [-f16=false] [-f] DUMP OUT.aezm | info FILE",
		run:     runModel,
	}
}

func runModel(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("need a subcommand: import or info")
	}
	switch args[0] {
	case "import":
		return runModelImport(e, args[1:])
	case "info":
		return runModelInfo(e, args[1:])
	case "-h", "-help", "--help", "help":
		commandUsage(e.stdout, "model", commands["model"])
		return nil
	}
	return usagef("unknown subcommand %q", args[0])
}

func runModelImport(e *env, args []string) error {
	fs := newFlags("model")
	f16 := fs.Bool("f16", true, "store convolution weights as IEEE half precision (smaller file; -f16=false keeps float32)")
	force := fs.Bool("f", false, "overwrite OUT if it exists")
	if err := parseFlags(e, fs, "model", args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("import needs DUMP and OUT, got %d arguments", fs.NArg())
	}
	if err := checkOutput(fs.Arg(1), *force); err != nil {
		return err
	}
	r, err := openInput(e, fs.Arg(0))
	if err != nil {
		return err
	}
	defer r.Close()
	m, err := model.Import(r, model.WithFloat16(*f16))
	if err != nil {
		return err
	}
	if err := writeOutput(e, fs.Arg(1), *force, func(w io.Writer) error {
		_, err := m.WriteTo(w)
		return err
	}); err != nil {
		return err
	}
	if fs.Arg(1) != "-" {
		id := m.ID()
		fmt.Fprintf(e.stderr, "wrote %s (model %s)\n", fs.Arg(1), hex.EncodeToString(id[:]))
	}
	return nil
}

func runModelInfo(e *env, args []string) error {
	fs := newFlags("model")
	if err := parseFlags(e, fs, "model", args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("info needs one FILE, got %d arguments", fs.NArg())
	}
	m, err := loadModel(fs.Arg(0))
	if err != nil {
		return err
	}
	a, id := m.Arch, m.ID()
	_, err = fmt.Fprintf(e.stdout,
		"model %s\narch %s, N=%d M=%d, %d quality levels, %d scale tables (%g..%g), mean bits %d, float16 %v\n",
		hex.EncodeToString(id[:]), a.Name, a.N, a.M, a.Levels, a.K, a.ScaleMin, a.ScaleMax, a.MeanBits, a.Float16)
	return err
}

// loadModel reads a model file.
func loadModel(path string) (*model.Model, error) {
	r, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	m, err := model.Load(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
