package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeHandler(t *testing.T) {
	dir := t.TempDir()
	mdl := tinyModel(t, dir)
	png, err := os.ReadFile("../../testdata/kitten.png")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "k.png"), png, 0o644))
	e := &env{stdout: os.Stdout, stderr: os.Stderr}
	h, addr, err := serveHandler(e, []string{"-model", mdl, "-q", "40", dir})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", addr)

	req := httptest.NewRequest("GET", "/k.png", nil)
	req.Header.Set("Accept", "image/aez, image/png")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "image/aez", rec.Header().Get("Content-Type"))

	req = httptest.NewRequest("GET", "/k.png", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))

	_, _, err = serveHandler(e, []string{"-q", "1", "-bpp", "1", dir})
	assert.Error(t, err)
	_, _, err = serveHandler(e, []string{filepath.Join(dir, "k.png")})
	assert.Error(t, err)
}
