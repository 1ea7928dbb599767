// TEMPORARY stand-ins for quant.NewCDF, quant.GaussianCDF and quant.ScaleTable
// until the quant package provides them; this file is removed then.

package model

import (
	"errors"
	"github.com/aezip/aezip/quant"
	"math"
)

func quantScaleTable(min, max float64, n int) []float64 {
	t := make([]float64, n)
	for i := range t {
		t[i] = math.Exp(math.Log(min) + (math.Log(max)-math.Log(min))*float64(i)/float64(n-1))
	}
	return t
}

func quantNewCDF(pmf []float64, offset int32) (quant.CDF, error) {
	n := len(pmf) + 1
	cum := make([]uint32, n+1)
	var s float64
	for i, p := range pmf {
		if p < 0 || math.IsNaN(p) {
			return quant.CDF{}, errors.New("quant: bad pmf")
		}
		s += p
		_ = i
	}
	acc := 0.0
	for i := range pmf {
		acc += pmf[i]
		cum[i+1] = uint32(acc/(s+1e-3)*float64(1<<quant.Precision-n)) + uint32(i+1)
	}
	cum[n] = 1 << quant.Precision
	return quant.CDF{Offset: offset, Cum: cum}, nil
}

func quantGaussianCDF(scale float64) quant.CDF {
	k := int(math.Ceil(scale*10)) + 1
	pmf := make([]float64, 2*k+1)
	for i := range pmf {
		x := float64(i - k)
		pmf[i] = 0.5*math.Erfc(-(x+0.5)/scale/math.Sqrt2) - 0.5*math.Erfc(-(x-0.5)/scale/math.Sqrt2)
	}
	c, _ := quantNewCDF(pmf, int32(-k))
	return c
}
