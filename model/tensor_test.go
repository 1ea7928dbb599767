package model

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTensorLayout(t *testing.T) {
	x := NewTensor(2, 3, 4)
	x.Set(1, 2, 3, 7)
	require.Equal(t, float32(7), x.Data[(1*3+2)*4+3])
	require.Equal(t, float32(7), x.At(1, 2, 3))
	require.Equal(t, float32(7), x.Plane(1)[2*4+3])
	y := x.Clone()
	y.Set(1, 2, 3, 0)
	require.Equal(t, float32(7), x.At(1, 2, 3))
	p := &x.Data[0]
	x.Reset(1, 2, 2)
	require.Same(t, p, &x.Data[0])
	require.Equal(t, []float32{0, 0, 0, 0}, x.Data)
	x.Reset(5, 5, 5)
	require.Len(t, x.Data, 125)
	require.Panics(t, func() { NewTensor(-1, 1, 1) })
}

func TestFloatPool(t *testing.T) {
	for _, n := range []int{1, 3, 64, 65, 1000} {
		s := getFloats(n)
		require.Len(t, s, n)
		require.GreaterOrEqual(t, cap(s), n)
		putFloats(s)
	}
	require.Nil(t, getFloats(0))
}
