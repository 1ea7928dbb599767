// This file implements peers driven through external command-line encoders
// and decoders.

package bench

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// tool describes one external peer.
type tool struct {
	name     string
	enc, dec string   // encoder and decoder executables
	verArgs  []string // arguments that make enc print its version
	settings []string
	usePPM   bool   // feed the encoder the PPM copy instead of the PNG one
	ext      string // bitstream file extension, with the dot
	decOut   string // decoder output extension: ".ppm" or ".png"
	encArgs  func(setting, in, out string) []string
	decArgs  func(in, out string) []string
}

// external is a [tool] found on this machine.
type external struct {
	t       tool
	encPath string
	decPath string
	version string
	tmp     string // directory for bitstreams and decoded outputs
}

func (e *external) Name() string       { return e.t.name }
func (e *external) Version() string    { return e.version }
func (e *external) Settings() []string { return e.t.settings }

// run executes a tool and returns its wall time; stderr goes into the error.
func run(path string, args []string) (time.Duration, error) {
	cmd := exec.Command(path, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	d, err := timed(cmd.Run)
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return d, fmt.Errorf("bench: %s %s: %w: %s", filepath.Base(path), strings.Join(args, " "), err, msg)
	}
	return d, nil
}

func (e *external) Encode(src *Source, setting string) ([]byte, time.Duration, error) {
	in := src.PNG
	if e.t.usePPM {
		in = src.PPM
	}
	if in == "" {
		return nil, 0, fmt.Errorf("bench: %s: source %s was not prepared", e.t.name, src.Name)
	}
	dir, err := os.MkdirTemp(e.tmp, "enc-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "out"+e.t.ext)
	d, err := run(e.encPath, e.t.encArgs(setting, in, out))
	if err != nil {
		return nil, d, err
	}
	data, err := os.ReadFile(out)
	return data, d, err
}

func (e *external) Decode(data []byte) (image.Image, time.Duration, error) {
	dir, err := os.MkdirTemp(e.tmp, "dec-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in"+e.t.ext)
	out := filepath.Join(dir, "out"+e.t.decOut)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, 0, err
	}
	d, err := run(e.decPath, e.t.decArgs(in, out))
	if err != nil {
		return nil, d, err
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, d, err
	}
	defer f.Close()
	var m image.Image
	if e.t.decOut == ".ppm" {
		m, err = readPPM(f)
	} else {
		m, err = png.Decode(f)
	}
	return m, d, err
}

// versionRE matches a version number such as 1.2.4 or v0.7.0.
var versionRE = regexp.MustCompile(`(^|\s)v?[0-9]+\.[0-9]+`)

// toolVersion returns the first output line of the version command that
// mentions a version (heif-enc only prints it in its help text).
func toolVersion(path string, args []string) string {
	out, _ := exec.Command(path, args...).CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if strings.Contains(strings.ToLower(line), "version") || versionRE.MatchString(line) {
			if len(line) > 120 {
				line = line[:120]
			}
			return filepath.Base(path) + ": " + line
		}
	}
	return filepath.Base(path) + ": unknown version"
}
