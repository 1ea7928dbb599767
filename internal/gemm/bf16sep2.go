// This file implements a two-dimensional separable input transform with
// general coefficients for Winograd layers with larger tiles (model's
// F(4,3)+F(4,2) axis): the transform Bᵀ·X·B of a tile of P×P samples,
// each row sum shared by P outputs as in bf16sep.go, but each sum of up
// to four terms with any coefficient, and all P² outputs of a tile at
// once, so that each sample is loaded once, column by column (a tile's
// samples lie in 32 planes per channel: row by row, the transform touched
// more pages than the TLB holds and took three times as long per word).

package gemm

// MaxSep2 is the largest tile side of a [Sep2].
const MaxSep2 = 11

// maxSepTerms is the largest number of terms of a row of a [Sep2].
const maxSepTerms = 4

// Sep2 describes the transform V = Bᵀ·X·B of a tile of P×P bfloat16
// samples x(u, v) (at element offsets Off[u][v] for the first tile, and 2
// elements further for each next one: tiles read every other column of
// planes of pairs), where row a of Bᵀ has N[a] terms C[a][k]·(sample
// U[a][k]):
//
//	R(a, v) = C[a][0]·x(U[a][0], v) + C[a][1]·x(U[a][1], v) + …,
//	V(a, b) = C[b][0]·R(a, U[b][0]) + C[b][1]·R(a, U[b][1]) + …,
//
// in float32, each product rounded before it is added and the sums formed
// left to right (no fused multiply-add), so that every platform gets the
// same bits.
type Sep2 struct {
	P   int
	Off [MaxSep2][MaxSep2]int // element offsets of the samples, ≥ 0
	N   [MaxSep2]int
	C   [MaxSep2][maxSepTerms]float32
	U   [MaxSep2][maxSepTerms]int // sample indices, < P
}

// sep2Term is a row of Bᵀ as the assembly reads it: the scratch byte
// offsets (64 per index) of its terms, their coefficients and count; 64
// bytes, so the assembly steps through them.
type sep2Term struct {
	idx [maxSepTerms]int64
	c   [maxSepTerms]float32
	n   int64
	_   int64
}

// sep2Plan is a Sep2 as the assembly reads it (the generated
// sep2_amd64.s uses these offsets): the byte offsets of the words that hold
// the samples, column by column, and which half of the word each is; Bᵀ's
// rows (for the Go code: the assembly has WinogradF4's built in); the
// strides in bytes.
type sep2Plan struct {
	off     [MaxSep2][MaxSep2]int64 // 0: [v][u]
	terms   [MaxSep2]sep2Term       // 968
	p       int64                   // 1672
	dstStep int64                   // 1680: 4·dstStride
	back    int64                   // 1688: P²·dstStep
	lds     int64                   // 1696: source row stride
	panel   int64                   // 1704: 128·pairs
	shift   [MaxSep2][MaxSep2]int64 // 1712: [v][u], 16 for the word's high half, else 0
	f4      bool                    // the matrix is WinogradF4's: the assembly may run
}

// WinogradF4 returns the input transform Bᵀ of the Winograd tiles of four
// outputs of a 5×5, stride-2 convolution (model's tile4Axis): F(4,3) with
// the points 0, 1, −1, 2, −2 and ∞ on the even samples (rows 0–5), F(4,2)
// with 0, 1, −1, 2 and ∞ on the odd ones (rows 6–10). [Sum2DBF16Pairs]
// runs a [Sep2] of this matrix in assembly (internal/gemm/_generate
// compiles its coefficients into the code), any other in Go.
func WinogradF4() [11][11]float32 {
	return [11][11]float32{
		{4, 0, 0, 0, -5, 0, 0, 0, 1, 0, 0},
		{0, 0, -4, 0, -4, 0, 1, 0, 1, 0, 0},
		{0, 0, 4, 0, -4, 0, -1, 0, 1, 0, 0},
		{0, 0, -2, 0, -1, 0, 2, 0, 1, 0, 0},
		{0, 0, 2, 0, -1, 0, -2, 0, 1, 0, 0},
		{0, 0, 4, 0, 0, 0, -5, 0, 0, 0, 1},
		{0, 2, 0, -1, 0, -2, 0, 1, 0, 0, 0},
		{0, 0, 0, -2, 0, -1, 0, 1, 0, 0, 0},
		{0, 0, 0, 2, 0, -3, 0, 1, 0, 0, 0},
		{0, 0, 0, -1, 0, 0, 0, 1, 0, 0, 0},
		{0, 0, 0, 2, 0, -1, 0, -2, 0, 1, 0},
	}
}

// SetMatrix sets s's P, N, C and U to the matrix bt (P = len(bt) rows, of
// which the first P columns count; its nonzero entries are the terms, in
// increasing column order). It panics if a row has no term or more than
// four.
func (s *Sep2) SetMatrix(bt [][MaxSep2]float32) {
	s.P = len(bt)
	for a := range bt {
		s.N[a] = 0
		for u, c := range bt[a][:s.P] {
			if c == 0 {
				continue
			}
			if s.N[a] == maxSepTerms {
				panic("gemm: Sep2.SetMatrix: more than four terms in a row")
			}
			s.C[a][s.N[a]], s.U[a][s.N[a]] = c, u
			s.N[a]++
		}
		if s.N[a] == 0 {
			panic("gemm: Sep2.SetMatrix: a row without terms")
		}
	}
}

// isWinogradF4 reports whether s's matrix is WinogradF4's.
func (s *Sep2) isWinogradF4() bool {
	bt := WinogradF4()
	var f Sep2
	f.SetMatrix(bt[:])
	if s.P != f.P || s.N != f.N {
		return false
	}
	for a := 0; a < f.P; a++ {
		for k := 0; k < f.N[a]; k++ {
			if s.C[a][k] != f.C[a][k] || s.U[a][k] != f.U[a][k] {
				return false
			}
		}
	}
	return true
}

// Sep2Plan is a [Sep2] prepared for a layout of panels and source rows.
type Sep2Plan struct {
	s                     Sep2
	pl                    sep2Plan
	dstStride, lds, pairs int
	hi                    int // largest sample offset
}

// NewSep2Plan prepares s for panels of pairs row pairs, output (a, b) at
// dstStride·(a·P+b), and a source with an even row stride lds. It panics
// if s is malformed or a size is out of range.
func NewSep2Plan(s *Sep2, dstStride, lds, pairs int) *Sep2Plan {
	hi, ok := s.check()
	if !ok || dstStride < 0 || lds < 0 || lds%2 != 0 || pairs < 0 {
		panic("gemm: Sum2DBF16: bad transform")
	}
	pl := &Sep2Plan{s: *s, dstStride: dstStride, lds: lds, pairs: pairs, hi: hi}
	p := int64(s.P)
	pl.pl = sep2Plan{p: p, dstStep: 4 * int64(dstStride), back: p * p * 4 * int64(dstStride),
		lds: 2 * int64(lds), panel: 128 * int64(pairs), f4: s.isWinogradF4()}
	for a := 0; a < s.P; a++ {
		for v := 0; v < s.P; v++ {
			// The word of two bfloat16 values that holds the sample.
			o := int64(s.Off[a][v])
			pl.pl.off[v][a], pl.pl.shift[v][a] = 2*(o&^1), 16*(o&1)
		}
		t := &pl.pl.terms[a]
		t.n, t.c = int64(s.N[a]), s.C[a]
		for k := 0; k < s.N[a]; k++ {
			t.idx[k] = 64 * int64(s.U[a][k])
		}
	}
	return pl
}

// Compiled reports whether [Sum2DBF16Pairs] runs the plan in assembly: its
// matrix is [WinogradF4] and the processor has the AVX-512 bfloat16
// instructions.
func (pl *Sep2Plan) Compiled() bool { return pl.pl.f4 && BF16Available() }

// check reports whether s is well formed and returns its largest offset.
func (s *Sep2) check() (hi int, ok bool) {
	if s.P <= 0 || s.P > MaxSep2 {
		return 0, false
	}
	for a := 0; a < s.P; a++ {
		for v := 0; v < s.P; v++ {
			if s.Off[a][v] < 0 {
				return 0, false
			}
			hi = max(hi, s.Off[a][v])
		}
		if s.N[a] <= 0 || s.N[a] > maxSepTerms {
			return 0, false
		}
		for k := 0; k < s.N[a]; k++ {
			if u := s.U[a][k]; u < 0 || u >= s.P {
				return 0, false
			}
		}
	}
	return hi, true
}

// Sum2DBF16Pairs writes the P² outputs of pl's transform for rows 2p and
// 2p+1 (p0 ≤ p < p1) of src (row stride lds) and columns i < n, rounded to
// bfloat16 ([RoundBF16]) as k pairs, output (a, b) in the panels that
// start at dst[(a·P+b)·dstStride], laid out as [SumSepBF16] does:
//
//	dst[(a·P+b)·dstStride + (i/w)·pairs·w + p·w + i%w] = RoundBF16(V(2p, a, b, i)) | RoundBF16(V(2p+1, a, b, i))<<16,
//
// with x(r, u, v) = the bfloat16 value src[r·lds + Off[u][v] + 2i] in the
// sums of [Sep2]. Words of the last panel past n are left as they are.
// The assembly (for [WinogradF4]) loads each column's 16 samples as 16
// words of two values and keeps the half that holds them. It panics if the
// pairs are out of range or a slice is too short.
func Sum2DBF16Pairs(dst []uint32, src []uint16, pl *Sep2Plan, p0, p1, n int) {
	if p0 < 0 || p1 > pl.pairs {
		panic("gemm: Sum2DBF16: row pairs out of range")
	}
	if p0 >= p1 || n <= 0 {
		return
	}
	s, pairs, dstStride, lds := &pl.s, pl.pairs, pl.dstStride, pl.lds
	const w = BF16PanelWidth
	last := (n-1)/w*pairs*w + (pairs-1)*w + (n-1)%w + 1
	if dstStride < last || len(dst) < (s.P*s.P-1)*dstStride+last {
		panic("gemm: Sum2DBF16 destination too short")
	}
	// The assembly loads whole words: the one past an odd last sample too.
	if len(src) < (2*pairs-1)*lds+(pl.hi|1)+2*(n-1)+1 {
		panic("gemm: Sum2DBF16 source too short")
	}
	if sum2DBF16Asm(dst[p0*w:], src[2*p0*lds:], &pl.pl, p1-p0, n) {
		return
	}
	// sum is a row of Bᵀ applied to the values at(k).
	sum := func(a int, at func(u int) float32) float32 {
		r := s.C[a][0] * at(s.U[a][0])
		for k := 1; k < s.N[a]; k++ {
			r += float32(s.C[a][k] * at(s.U[a][k]))
		}
		return r
	}
	var r [2][MaxSep2][MaxSep2]float32
	for p := p0; p < p1; p++ {
		for i := 0; i < n; i++ {
			for c := range 2 {
				x := src[(2*p+c)*lds+2*i:]
				for a := 0; a < s.P; a++ {
					for v := 0; v < s.P; v++ {
						r[c][a][v] = sum(a, func(u int) float32 { return bf16Float(uint32(x[s.Off[u][v]])) })
					}
				}
			}
			for a := 0; a < s.P; a++ {
				for b := 0; b < s.P; b++ {
					lo := sum(b, func(v int) float32 { return r[0][a][v] })
					hi := sum(b, func(v int) float32 { return r[1][a][v] })
					dst[(a*s.P+b)*dstStride+i/w*pairs*w+p*w+i%w] = packBF16Pair(lo, hi)
				}
			}
		}
	}
}
