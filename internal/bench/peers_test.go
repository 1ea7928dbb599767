// This file tests peer discovery, with tools present and missing.

package bench

import (
	"errors"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiscoverMissingTools(t *testing.T) {
	// An empty PATH: only the in-process jpeg peer can run.
	t.Setenv("PATH", t.TempDir())
	codecs, missing, err := Discover(splitList(DefaultPeers), t.TempDir())
	require.NoError(t, err)
	require.Len(t, codecs, 1)
	assert.Equal(t, "jpeg", codecs[0].Name())
	var names []string
	for _, m := range missing {
		names = append(names, m.Name)
		assert.Contains(t, m.Reason, "not found in PATH")
	}
	assert.Equal(t, []string{"libjpeg", "webp", "avif420", "avif444", "jxl", "heic"}, names)
}

func TestDiscoverDecoderMissing(t *testing.T) {
	old := lookPath
	t.Cleanup(func() { lookPath = old })
	lookPath = func(name string) (string, error) {
		if name == "dwebp" {
			return "", exec.ErrNotFound
		}
		return "/bin/true", nil
	}
	codecs, missing, err := Discover([]string{"webp", "libjpeg"}, t.TempDir())
	require.NoError(t, err)
	require.Len(t, codecs, 1)
	assert.Equal(t, "libjpeg", codecs[0].Name())
	assert.Equal(t, []Missing{{"webp", "dwebp not found in PATH"}}, missing)
}

func TestDiscoverUnknown(t *testing.T) {
	_, _, err := Discover([]string{"jpeg", "bpg"}, t.TempDir())
	assert.ErrorContains(t, err, `unknown codec "bpg"`)
}

// TestExternalRoundTrip runs each installed external peer once on a small
// image; peers whose tools are absent are skipped.
func TestExternalRoundTrip(t *testing.T) {
	src := &Source{Name: "synth", Image: synthImage(96, 80, 1)}
	require.NoError(t, src.Prepare(t.TempDir()))
	for _, tl := range tools {
		t.Run(tl.name, func(t *testing.T) {
			codecs, missing, err := Discover([]string{tl.name}, t.TempDir())
			require.NoError(t, err)
			if len(missing) > 0 {
				t.Skip(missing[0].Reason)
			}
			c := codecs[0]
			assert.NotContains(t, c.Version(), "unknown version")
			settings := c.Settings()
			data, _, err := c.Encode(src, settings[len(settings)/2])
			require.NoError(t, err)
			require.NotEmpty(t, data)
			m, _, err := c.Decode(data)
			require.NoError(t, err)
			assert.Equal(t, src.Image.Bounds().Size(), m.Bounds().Size())
			_, _, err = c.Decode(data[:len(data)/3])
			assert.Error(t, err, "truncated file must fail")
		})
	}
}

func TestExternalEncodeError(t *testing.T) {
	e := &external{t: tools[0], encPath: "/bin/false", decPath: "/bin/false", tmp: t.TempDir()}
	src := &Source{Name: "x", Image: synthImage(16, 16, 0)}
	require.NoError(t, src.Prepare(t.TempDir()))
	_, _, err := e.Encode(src, "50")
	var ee *exec.ExitError
	assert.True(t, errors.As(err, &ee), "got %v", err)
}
