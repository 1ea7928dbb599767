// This file tests the PPM reader and writer.

package bench

import (
	"bytes"
	"errors"
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPPMRoundTrip(t *testing.T) {
	m := synthImage(13, 7, 3)
	var buf bytes.Buffer
	require.NoError(t, writePPM(&buf, m))
	got, err := readPPM(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, m.Pix, got.(*image.RGBA).Pix)
}

func TestPPMErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"P3", "P3\n1 1\n255\n0 0 0\n"},
		{"maxval", "P6\n1 1\n65535\n\x00\x00\x00\x00\x00\x00"},
		{"zero size", "P6\n0 1\n255\n"},
		{"huge", "P6\n1000000 1000000\n255\n"},
		{"overflow", "P6\n99999999999999999999 1\n255\n"},
		{"truncated", "P6\n2 2\n255\n\x01\x02\x03"},
		{"junk", "P6\n2 x\n255\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readPPM(bytes.NewReader([]byte(tt.in)))
			assert.True(t, errors.Is(err, errPPM), "got %v", err)
		})
	}
	m, err := readPPM(bytes.NewReader([]byte("P6 # comment\n1 1 255\n\x01\x02\x03")))
	require.NoError(t, err)
	assert.Equal(t, []uint8{1, 2, 3, 255}, m.(*image.RGBA).Pix)
}
