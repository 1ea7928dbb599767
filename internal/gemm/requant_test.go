// This file tests the requantisation against arbitrary-precision
// arithmetic.

package gemm

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// refRequant is r of RequantI16 and its LeakyReLU, in big integers:
// floor((a·mult + 2^(shift−1)) / 2^shift), clamped to int32, then, if
// leaky and negative, floor(r·slope / 2^16).
func refRequant(a int64, mult, shift int32, leaky bool, slope int32) int64 {
	v := new(big.Int).Mul(big.NewInt(a), big.NewInt(int64(mult)))
	v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(shift-1)))
	v.Rsh(v, uint(shift)) // Rsh on a negative big.Int rounds toward −∞
	r := v.Int64()
	r = min(max(r, -1<<31), 1<<31-1)
	if leaky && r < 0 {
		w := new(big.Int).Mul(big.NewInt(r), big.NewInt(int64(slope)))
		r = w.Rsh(w, 16).Int64()
	}
	return r
}

// TestRequant compares both forms with refRequant on every kernel family,
// for lengths around the 8-lane blocks, extreme accumulators, multipliers,
// shifts and slopes, both steps, and checks that step 2 leaves the odd
// positions alone.
func TestRequant(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(95, 96))
		const accMax = 1<<38 - 1
		for trial := 0; trial < 300; trial++ {
			n := 1 + r.IntN(40)
			acc := make([]int64, n)
			for j := range acc {
				switch r.IntN(4) {
				case 0:
					acc[j] = []int64{0, 1, -1, accMax, -accMax}[r.IntN(5)]
				case 1:
					acc[j] = r.Int64N(1<<20) - 1<<19
				default:
					acc[j] = r.Int64N(2*accMax+1) - accMax
				}
			}
			mult := []int32{0, 1, 1<<24 - 1, r.Int32N(1 << 24)}[r.IntN(4)]
			shift := []int32{1, 62, 16, 1 + r.Int32N(62)}[r.IntN(4)]
			slope := []int32{0, 1 << 16, r.Int32N(1<<16 + 1)}[r.IntN(3)]
			leaky := r.IntN(2) == 0
			step := 1 + r.IntN(2)
			d16 := make([]int16, (n-1)*step+1)
			for j := range d16 {
				d16[j] = 12345
			}
			RequantI16(d16, step, acc, mult, shift, leaky, slope)
			d32 := make([]int32, n)
			RequantI32(d32, acc, mult, shift)
			for j, a := range acc {
				want := refRequant(a, mult, shift, leaky, slope)
				if got := int64(d16[j*step]); got != min(max(want, -1<<15), 1<<15-1) {
					t.Fatalf("RequantI16(%d, mult %d, shift %d, leaky %v, slope %d) = %d, want %d", a, mult, shift, leaky, slope, got, want)
				}
				if step == 2 && j+1 < n && d16[2*j+1] != 12345 {
					t.Fatalf("step 2 wrote position %d", 2*j+1)
				}
				if got, want := int64(d32[j]), refRequant(a, mult, shift, false, 0); got != want {
					t.Fatalf("RequantI32(%d, mult %d, shift %d) = %d, want %d", a, mult, shift, got, want)
				}
			}
		}
	})
}
