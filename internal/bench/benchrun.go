//go:build ignore

// This file is a stand-alone driver for the bench command, for use before
// (or without) cmd/aezip: go run internal/bench/benchrun.go [flags] DIR.

package main

import (
	"fmt"
	"os"

	"github.com/aezip/aezip/internal/bench"
)

func main() {
	if err := bench.Command(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
