package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCmd runs the command in-process.
func runCmd(stdin []byte, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, bytes.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// tinyModel imports the trainer's tiny parity model into dir.
func tinyModel(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "tiny.aezm")
	code, _, stderr := runCmd(nil, "model", "import", "../../testdata/parity/tiny.safetensors", path)
	require.Equal(t, 0, code, stderr)
	return path
}

func TestHelpAndUsage(t *testing.T) {
	code, out, _ := runCmd(nil, "help")
	assert.Equal(t, 0, code)
	for _, c := range []string{"encode", "decode", "info", "model"} {
		assert.Contains(t, out, c)
	}
	code, out, _ = runCmd(nil, "encode", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "-bpp")
	code, _, errOut := runCmd(nil, "frobnicate")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "unknown command")
	code, _, errOut = runCmd(nil, "encode", "-nosuchflag", "a", "b")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "usage: aezip encode")
	code, _, _ = runCmd(nil, "encode", "-q", "50", "-bpp", "1", "a", "b")
	assert.Equal(t, 2, code)
	code, _, _ = runCmd(nil)
	assert.Equal(t, 2, code)
}

func TestEncodeDecodeInfo(t *testing.T) {
	dir := t.TempDir()
	mdl := tinyModel(t, dir)
	code, out, errOut := runCmd(nil, "model", "info", mdl)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "N=16 M=24")

	aez := filepath.Join(dir, "k.aez")
	code, _, errOut = runCmd(nil, "encode", "-model", mdl, "-q", "70", "../../testdata/kitten.png", aez)
	require.Equal(t, 0, code, errOut)

	// Never overwrite without -f; one-line error, status 1.
	code, _, errOut = runCmd(nil, "encode", "-model", mdl, "../../testdata/kitten.png", aez)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "already exists")
	assert.Equal(t, 1, strings.Count(errOut, "\n"))
	code, _, errOut = runCmd(nil, "encode", "-f", "-model", mdl, "-bpp", "1.5", "../../testdata/kitten.png", aez)
	require.Equal(t, 0, code, errOut)

	code, out, errOut = runCmd(nil, "info", "-json", aez)
	require.Equal(t, 0, code, errOut)
	var info struct {
		Width, Height int
		BitsPerPixel  float64
		ColorType     string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &info))
	assert.Equal(t, 256, info.Width)
	assert.Equal(t, 192, info.Height)
	assert.Equal(t, "rgb", info.ColorType)
	assert.LessOrEqual(t, info.BitsPerPixel, 1.5)
	code, out, _ = runCmd(nil, "info", aez)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "256×192 rgb")

	for _, name := range []string{"k.png", "k.jpg", "k.bmp", "k.tiff", "k.gif"} {
		code, _, errOut = runCmd(nil, "decode", "-model", mdl, aez, filepath.Join(dir, name))
		require.Equal(t, 0, code, "%s: %s", name, errOut)
	}
	// Stdin and stdout.
	data, err := os.ReadFile(aez)
	require.NoError(t, err)
	code, out, errOut = runCmd(data, "decode", "-model", mdl, "-", "-")
	require.Equal(t, 0, code, errOut)
	m, err := png.Decode(strings.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, 256, m.Bounds().Dx())
	// -png-compression changes the PNG's size, not its pixels.
	code, none, errOut := runCmd(data, "decode", "-model", mdl, "-png-compression", "none", "-", "-")
	require.Equal(t, 0, code, errOut)
	assert.Greater(t, len(none), len(out))
	mn, err := png.Decode(strings.NewReader(none))
	require.NoError(t, err)
	assert.Equal(t, m, mn)
	code, _, _ = runCmd(data, "decode", "-model", mdl, "-png-compression", "tiny", "-", "-")
	assert.Equal(t, 2, code)
	pngData, err := os.ReadFile("../../testdata/kitten.png")
	require.NoError(t, err)
	code, out, errOut = runCmd(pngData, "encode", "-model", mdl, "-", "-")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "\x8eAEZ"))

	// Decoding with the embedded model (none, or another one) fails cleanly.
	code, _, errOut = runCmd(nil, "decode", aez, filepath.Join(dir, "x.png"))
	assert.Equal(t, 1, code)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
}

func TestFailuresLeaveNoFiles(t *testing.T) {
	dir := t.TempDir()
	mdl := tinyModel(t, dir)
	bad := filepath.Join(dir, "bad.png")
	require.NoError(t, os.WriteFile(bad, []byte("not an image"), 0o644))
	code, _, errOut := runCmd(nil, "encode", "-model", mdl, bad, filepath.Join(dir, "out.aez"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "aezip encode:")
	code, _, _ = runCmd(nil, "decode", "-model", mdl, bad, filepath.Join(dir, "out.png"))
	assert.Equal(t, 1, code)
	code, _, _ = runCmd(nil, "encode", filepath.Join(dir, "missing.png"), filepath.Join(dir, "out2.aez"))
	assert.Equal(t, 1, code)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"tiny.aezm", "bad.png"}, names)
}
