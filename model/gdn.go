// This file implements generalized divisive normalization (GDN) and its
// inverse, as specified in docs/spec.md §4.

package model

import (
	"fmt"
	"sync"

	"github.com/aezip/aezip/internal/gemm"
)

// GDN is generalized divisive normalization over N channels, applied
// independently at every pixel:
//
//	norm_i = Beta[i] + Σ_j Gamma[i][j] · x_j²
//	y_i    = x_i / sqrt(norm_i)   (GDN)
//	y_i    = x_i · sqrt(norm_i)   (inverse GDN, Inverse set)
//
// Beta and Gamma are the effective values (already reparametrised by the
// trainer), not the raw trainable parameters.
type GDN struct {
	N       int
	Beta    []float32 // [N], positive
	Gamma   []float32 // [N][N], non-negative; Gamma[i*N+j]
	Inverse bool

	pg *gemm.PackedA // Gamma, packed once

	// Gamma rounded to bfloat16, for post.bf16; built on first use.
	pgOnce sync.Once
	pgBF16 *gemm.PackedBF16
}

// NewGDN returns a GDN (or inverse GDN when inverse is set) over the given
// beta and gamma, which it keeps. It returns a *ParamError if a slice does
// not match the shape, a beta is not positive or a gamma is negative.
func NewGDN(n int, beta, gamma []float32, inverse bool) (*GDN, error) {
	if n <= 0 || n > maxLayerDim {
		return nil, &ParamError{Reason: fmt.Sprintf("channel count %d out of range", n)}
	}
	if err := checkLen("beta", beta, n); err != nil {
		return nil, err
	}
	if err := checkLen("gamma", gamma, n, n); err != nil {
		return nil, err
	}
	for _, b := range beta {
		if !(b > 0) {
			return nil, &ParamError{Name: "beta", Reason: fmt.Sprintf("value %g not positive", b)}
		}
	}
	for _, g := range gamma {
		if g < 0 {
			return nil, &ParamError{Name: "gamma", Reason: fmt.Sprintf("value %g negative", g)}
		}
	}
	return &GDN{N: n, Beta: beta, Gamma: gamma, Inverse: inverse, pg: gemm.PackA(n, n, gamma, n)}, nil
}

// gdnCols is the number of pixels per work item.
const gdnCols = 512

// ForwardTo writes the normalization of x to dst, reshaping dst with
// [Tensor.Reset] when its shape differs. dst may be x itself (in place), but
// must not otherwise share storage with it. It panics with a "model: "
// message if x does not have N channels.
func (g *GDN) ForwardTo(dst, x *Tensor) {
	if x.C != g.N {
		panic(fmt.Sprintf("model: GDN input has %d channels, want %d", x.C, g.N))
	}
	if dst != x {
		checkAlias(dst, x)
		if !dst.sameShape(x.C, x.H, x.W) {
			dst.Reset(x.C, x.H, x.W)
		}
	}
	g.forward(dst, x, 0)
}

// forward is ForwardTo on up to workers goroutines (see parallelFor), for a
// dst of the right shape.
func (g *GDN) forward(dst, x *Tensor, workers int) {
	n, hw := g.N, x.H*x.W
	nb := (hw + gdnCols - 1) / gdnCols
	parallelFor(workers, nb, n*gdnCols+gdnScratch(n, gdnCols), func(i int, buf []float32) {
		q0, q1 := i*gdnCols, min((i+1)*gdnCols, hw)
		m := q1 - q0
		v := buf[:n*m]
		for c := 0; c < n; c++ {
			copy(v[c*m:(c+1)*m], x.Data[c*hw+q0:c*hw+q1])
		}
		g.band(v, m, m, buf[n*m:], false)
		for c := 0; c < n; c++ {
			copy(dst.Data[c*hw+q0:c*hw+q1], v[c*m:(c+1)*m])
		}
	})
}

// gdnScratch is the number of floats band needs for m pixels of n
// channels: x², in GEMM panels, and β + γ·x².
func gdnScratch(n, m int) int { return n*panelCols(m) + n*m }

// band normalizes, in place, the m pixels held in v as N rows of stride
// ld. scratch must hold gdnScratch(N, m) floats. The result of every pixel
// depends only on its own values, so bands of any size give the same bits.
// With bf16 (encoder-only layers) and N even, the product γ·x² is computed
// from bfloat16 operands (x² rounded to float32, then to bfloat16) and the
// division by √norm is approximated (gemm.DivSqrtApprox).
func (g *GDN) band(v []float32, ld, m int, scratch []float32, bf16 bool) {
	n := g.N
	if bf16 && n%2 == 0 {
		g.pgOnce.Do(func() { g.pgBF16 = gemm.PackBF16(n, n, g.Gamma, n) })
		const w = gemm.BF16PanelWidth
		sq := getWords(n / 2 * ceilDiv(m, w) * w)
		defer words.Put(sq)
		norm := scratch[:n*m]
		for j := 0; j*w < m; j++ {
			gemm.SquarePairsBF16((*sq)[j*n/2*w:], w, v[j*w:], ld, n/2, min(w, m-j*w))
		}
		// norm gets γ·x² alone; the division adds β (the same float32
		// sum as β + γ·x²) and saves a fill of norm.
		gemm.SgemmBF16PanelsSet(g.pgBF16, m, *sq, norm, m)
		g.normalize(v, ld, m, norm, true)
		return
	}
	// x² goes straight into the panels of the product's B.
	sq := scratch[:n*panelCols(m)]
	norm := scratch[len(sq):][:n*m]
	for c := 0; c < n; c++ {
		gemm.SquareToPanels(sq, n, c, v[c*ld:c*ld+m])
		gemm.Fill(norm[c*m:(c+1)*m], g.Beta[c])
	}
	gemm.SgemmPanels(g.pg, m, sq, norm, m)
	g.normalize(v, ld, m, norm, false)
}

// normalize divides (GDN) or multiplies (inverse GDN) the m pixels of v by
// the square roots of norm (N rows of stride m); approx lets a GDN use
// gemm.DivSqrtApprox (encoder-only layers with bfloat16 products), with
// norm holding γ·x² without β.
func (g *GDN) normalize(v []float32, ld, m int, norm []float32, approx bool) {
	for c := 0; c < g.N; c++ {
		out, nr := v[c*ld:c*ld+m], norm[c*m:(c+1)*m]
		switch {
		case g.Inverse:
			gemm.MulSqrt(out, nr)
		case approx:
			gemm.DivSqrtApprox(out, nr, g.Beta[c])
		default:
			gemm.DivSqrt(out, nr)
		}
	}
}

// Forward returns the normalization of x in a new tensor.
func (g *GDN) Forward(x *Tensor) *Tensor {
	dst := &Tensor{}
	g.ForwardTo(dst, x)
	return dst
}
