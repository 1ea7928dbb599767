// This file implements the command's file handling: "-" for the standard
// streams, refusal to overwrite without -f, and atomic writes.

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// openInput opens name for reading; "-" is e.stdin.
func openInput(e *env, name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(e.stdin), nil
	}
	return os.Open(name)
}

// checkOutput fails early, before any work, when name exists and force is
// not set.
func checkOutput(name string, force bool) error {
	if name == "-" || force {
		return nil
	}
	if _, err := os.Lstat(name); err == nil {
		return fmt.Errorf("%s already exists (use -f to overwrite)", name)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// writeOutput runs write with a buffered writer on name ("-" is e.stdout).
// A file is written to a temporary file in the same directory and renamed
// into place only when write and the flush succeeded, so readers never see
// a partial file and a failure leaves no output behind. Without force an
// existing file is never replaced, even if it appeared while writing.
func writeOutput(e *env, name string, force bool, write func(w io.Writer) error) (err error) {
	if name == "-" {
		bw := bufio.NewWriter(e.stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := checkOutput(name, force); err != nil {
		return err
	}
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriter(f)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if force {
		return os.Rename(tmp, name)
	}
	// A hard link fails if name exists, which closes the race between
	// checkOutput and now; filesystems without links fall back to rename.
	if lerr := os.Link(tmp, name); lerr == nil {
		os.Remove(tmp)
		return nil
	} else if errors.Is(lerr, fs.ErrExist) {
		err = fmt.Errorf("%s already exists (use -f to overwrite)", name)
		return err
	}
	if err = checkOutput(name, false); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
