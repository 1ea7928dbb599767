package model

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestActivations(t *testing.T) {
	x := &Tensor{C: 1, H: 1, W: 4, Data: []float32{-2, -0.5, 0, 3}}
	LeakyReLU(x, LeakySlope)
	require.Equal(t, []float32{-2 * 0.01, -0.5 * 0.01, 0, 3}, x.Data)
	ReLU(x)
	require.Equal(t, []float32{0, 0, 0, 3}, x.Data)
}
