// Tests of the generator's own container splitter and writer against the
// frozen vectors written by package format.

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/aezip/aezip/conformance"
)

func TestSplitJoin(t *testing.T) {
	vs, err := conformance.Vectors()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range vs {
		if v.Error != conformance.None {
			continue
		}
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", v.File))
		if err != nil {
			t.Fatal(err)
		}
		ver, cs, err := split(b)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		// Rewriting with this file's CRC-32C code must give the bytes that
		// package format wrote (and, for the 1.1 vector, that join wrote).
		if got := join(ver, cs); !bytes.Equal(got, b) {
			t.Errorf("%s: join(split(file)) differs from the file", v.Name)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no valid vectors")
	}
}
