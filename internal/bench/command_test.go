// This file tests the bench command end to end on synthetic images with
// Go's image/jpeg only, and its CSV and JSON outputs.

package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// synthImage returns a smooth colour pattern with some texture.
func synthImage(w, h, seed int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x), float64(y)
			r := 128 + 100*math.Sin(fx/9+float64(seed))
			g := 128 + 90*math.Cos(fy/7-fx/13)
			b := 128 + 60*math.Sin((fx+fy)/5) + float64((x*y+seed)%17)
			m.SetRGBA(x, y, color.RGBA{uint8(r), uint8(g), uint8(min(b, 255)), 255})
		}
	}
	return m
}

func writeSynthDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for i, name := range []string{"a.png", "b.png"} {
		f, err := os.Create(filepath.Join(dir, name))
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, synthImage(64+8*i, 48, i)))
		require.NoError(t, f.Close())
	}
	// Files that are not images are ignored.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600))
	return dir
}

func TestCommandEndToEnd(t *testing.T) {
	dir := writeSynthDir(t)
	out := t.TempDir()
	csvPath := filepath.Join(out, "r.csv")
	jsonPath := filepath.Join(out, "r.json")
	plotPath := filepath.Join(out, "r.png")
	mdPath := filepath.Join(out, "r.md")
	var stdout, stderr bytes.Buffer
	err := Command([]string{"-self=false", "-vs", "jpeg", "-j", "2",
		"-csv", csvPath, "-json", jsonPath, "-plot", plotPath, "-md", mdPath, dir}, &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	assert.Contains(t, stdout.String(), "2 images")
	assert.Contains(t, stdout.String(), "BD-rate vs jpeg")
	assert.Empty(t, stderr.String(), "no progress bar when stderr is not a terminal")

	// CSV: exactly the documented columns, one row per setting, quality rising with rate.
	f, err := os.Open(csvPath)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"codec", "setting", "bpp", "psnr", "msssim", "enc_ms", "dec_ms"}, recs[0])
	settings := goJPEG{}.Settings()
	require.Len(t, recs, 1+len(settings))
	prevBPP, prevPSNR := 0.0, 0.0
	for i, r := range recs[1:] {
		assert.Equal(t, "jpeg", r[0])
		assert.Equal(t, settings[i], r[1])
		bpp, err := strconv.ParseFloat(r[2], 64)
		require.NoError(t, err)
		psnr, err := strconv.ParseFloat(r[3], 64)
		require.NoError(t, err)
		ms, err := strconv.ParseFloat(r[4], 64)
		require.NoError(t, err)
		assert.Greater(t, bpp, prevBPP)
		assert.Greater(t, psnr, prevPSNR)
		assert.True(t, ms > 0 && ms <= 1)
		prevBPP, prevPSNR = bpp, psnr
	}

	// JSON: aggregates plus per-image rows whose means are the aggregates.
	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var rep Report
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Equal(t, 2, rep.NumImages)
	assert.Len(t, rep.Rows, len(settings))
	assert.Len(t, rep.PerImage, 2*len(settings))
	var sum float64
	for _, r := range rep.PerImage {
		if r.Setting == settings[0] {
			sum += r.BPP
		}
	}
	assert.InDelta(t, sum/2, rep.Rows[0].BPP, 1e-12)
	require.NotNil(t, rep.BDRate["jpeg"].PSNR)
	assert.InDelta(t, 0, *rep.BDRate["jpeg"].PSNR, 1e-9)

	md, err := os.ReadFile(mdPath)
	require.NoError(t, err)
	assert.Contains(t, string(md), "| jpeg | ")
	assert.Contains(t, string(md), "BD-rate PSNR vs jpeg")

	// The plot is a PNG.
	pf, err := os.Open(plotPath)
	require.NoError(t, err)
	defer pf.Close()
	cfg, err := png.DecodeConfig(pf)
	require.NoError(t, err)
	assert.Greater(t, cfg.Width, 1000)

	// -from redoes the outputs from the JSON without measuring: same CSV
	// and Markdown bytes, and a reference it has no rows for is refused.
	csv2, md2 := filepath.Join(out, "r2.csv"), filepath.Join(out, "r2.md")
	stdout.Reset()
	require.NoError(t, Command([]string{"-from", jsonPath, "-csv", csv2, "-md", md2}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "BD-rate vs jpeg")
	for _, p := range [][2]string{{csvPath, csv2}, {mdPath, md2}} {
		a, err := os.ReadFile(p[0])
		require.NoError(t, err)
		b, err := os.ReadFile(p[1])
		require.NoError(t, err)
		assert.Equal(t, string(a), string(b), p[1])
	}
	assert.Error(t, Command([]string{"-from", jsonPath, "-ref", "webp"}, &stdout, &stderr))
	assert.Error(t, Command([]string{"-from", jsonPath, dir}, &stdout, &stderr))
}

func TestCommandBPPIsWholeFile(t *testing.T) {
	dir := writeSynthDir(t)
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	require.NoError(t, Command([]string{"-self=false", "-vs", "jpeg", "-n", "1", "-json", jsonPath, dir}, &stdout, &stderr))
	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var rep Report
	require.NoError(t, json.Unmarshal(b, &rep))
	require.Equal(t, 1, rep.NumImages)
	for _, r := range rep.PerImage {
		assert.Equal(t, "a.png", r.Image)
		assert.InDelta(t, float64(8*r.Bytes)/(64*48), r.BPP, 1e-12)
	}
}

func TestCommandSweepOverride(t *testing.T) {
	dir := writeSynthDir(t)
	csvPath := filepath.Join(t.TempDir(), "r.csv")
	var stdout, stderr bytes.Buffer
	require.NoError(t, Command([]string{"-self=false", "-vs", "jpeg", "-sweep", "jpeg=20,60", "-csv", csvPath, dir}, &stdout, &stderr))
	b, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 3)
	assert.Equal(t, "20", recs[1][1])
	assert.Equal(t, "60", recs[2][1])
}

func TestCommandErrors(t *testing.T) {
	dir := writeSynthDir(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no dir", []string{"-vs", "jpeg"}, "exactly one image directory"},
		{"unknown peer", []string{"-self=false", "-vs", "bpg", dir}, "unknown codec"},
		{"bad ref", []string{"-self=false", "-vs", "jpeg", "-ref", "webp", dir}, "reference codec"},
		{"empty dir", []string{"-self=false", "-vs", "jpeg", t.TempDir()}, "no images"},
		{"bad -j", []string{"-j", "0", dir}, "-j must be"},
		{"bad flag", []string{"-nope", dir}, "not defined"},
		{"bad sweep", []string{"-sweep", "jpeg", dir}, "NAME=LIST"},
		{"sweep not run", []string{"-self=false", "-vs", "jpeg", "-sweep", "webp=1,2", dir}, "not run"},
		{"bad setting", []string{"-self=false", "-vs", "jpeg", "-sweep", "jpeg=abc", dir}, "measurements failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Command(tt.args, &stdout, &stderr)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestWriteCSVHeader(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, []Row{{Codec: "x", Setting: "1", BPP: 0.5, PSNR: 30, MSSSIM: 0.95, EncMS: 1, DecMS: 2}}))
	assert.Equal(t, "codec,setting,bpp,psnr,msssim,enc_ms,dec_ms\nx,1,0.5000,30.000,0.95000,1.00,2.00\n", buf.String())
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, 3)
	for i := 0; i < 3; i++ {
		p.step()
	}
	assert.Contains(t, buf.String(), "1/3")
	assert.Contains(t, buf.String(), "3/3 100%")
	assert.Contains(t, buf.String(), "ETA")
}
