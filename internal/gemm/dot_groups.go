// This file implements DotI16Groups, the int16 product of the integer
// hyper-synthesis with exact int64 results: the k range is split into
// groups whose products are exact in int32, and the group products are
// added in int64 while the register tile is still in L1. A is packed once
// (PackI16Groups) and B is read through a table of row offsets, so a
// convolution needs no im2col copy.

package gemm

// goDotNR is the tile width of the pure-Go kernel of DotI16Groups.
const goDotNR = 16

// goDotKernels is the pure-Go family of DotI16Groups, used where no
// assembly family is active. It uses the same packed layouts as the
// assembly kernels.
var goDotKernels = &dotKernels{mr: 4, nr: goDotNR, call: dotKernGo}

// dotKernGo adds an h×kp packed A panel (one k pair per word) times a
// kp×nr packed B panel to the h×nr tile of c. Products and sums wrap
// modulo 2³², exactly as VPMADDWD/VPADDD do.
func dotKernGo(h, kp int, a []int32, b []int16, c []int32, ldc int) {
	b = b[:2*kp*goDotNR]
	for i := 0; i < h; i++ {
		var acc [goDotNR]int32
		for q := 0; q < kp; q++ {
			w := a[q*h+i]
			lo, hi := int32(int16(w)), w>>16
			bq := b[2*q*goDotNR : 2*q*goDotNR+2*goDotNR]
			for j := range acc {
				acc[j] += lo*int32(bq[2*j]) + hi*int32(bq[2*j+1])
			}
		}
		ci := c[i*ldc : i*ldc+goDotNR]
		for j, v := range acc {
			ci[j] += v
		}
	}
}

// PackedI16 is an m×k int16 matrix packed for [DotI16Groups], split into
// groups of consecutive k values.
type PackedI16 struct {
	m, k, group int
	kern        Kernel // the family active when A was packed
	dk          *dotKernels
	a           []int32
	off         []int // off[g]: start of group g's panels in a
}

// Kernel returns the kernel family that was active when A was packed, the
// one [DotI16Groups] uses for it.
func (p *PackedI16) Kernel() Kernel { return p.kern }

// groupPairs returns the k range of group g and its number of k pairs.
func (p *PackedI16) groupPairs(g int) (k0, kc, kp int) {
	k0 = g * p.group
	kc = min(p.group, p.k-k0)
	return k0, kc, (kc + 1) / 2
}

// pairsOf returns the number of k pairs of group g.
func (p *PackedI16) pairsOf(g int) int {
	_, _, kp := p.groupPairs(g)
	return kp
}

// PackI16Groups packs the m×k matrix A with A[i][p] = a[i·lda + acol[p]]
// (k = len(acol)) for [DotI16Groups], in groups of group consecutive k
// values (the last one may be shorter), for the kernel family active now.
// It panics if a dimension is not positive or an element lies outside a.
func PackI16Groups(m, group int, a []int16, lda int, acol []int) *PackedI16 {
	k := len(acol)
	if m <= 0 || k <= 0 || group <= 0 || lda < 0 {
		panic("gemm: PackI16Groups: bad dimension")
	}
	for _, c := range acol {
		if c < 0 || (m-1)*lda+c >= len(a) {
			panic("gemm: PackI16Groups: column outside the slice")
		}
	}
	dk := dotFamilies[ActiveKernel()]
	if dk == nil {
		dk = goDotKernels
	}
	p := &PackedI16{m: m, k: k, group: group, kern: ActiveKernel(), dk: dk}
	ng := (k + group - 1) / group
	p.off = make([]int, ng+1)
	for g := 0; g < ng; g++ {
		_, _, kp := p.groupPairs(g)
		p.off[g+1] = p.off[g] + m*kp
	}
	p.a = make([]int32, p.off[ng])
	mr := dk.mr
	for g := 0; g < ng; g++ {
		k0, kc, kp := p.groupPairs(g)
		for ir := 0; ir < m; ir += mr {
			h := min(mr, m-ir)
			panel := p.a[p.off[g]+ir*kp : p.off[g]+ir*kp+h*kp]
			for i := 0; i < h; i++ {
				row := a[(ir+i)*lda:]
				for q := 0; q < kp; q++ {
					lo := uint32(uint16(row[acol[k0+2*q]]))
					var hi uint32
					if 2*q+1 < kc {
						hi = uint32(uint16(row[acol[k0+2*q+1]]))
					}
					panel[q*h+i] = int32(lo | hi<<16)
				}
			}
		}
	}
	return p
}

// groupChunk is the number of k values whose B panels are packed together:
// every register tile then runs all the groups of a chunk before its int64
// sums go back to C.
const groupChunk = 768

// DotI16Groups computes C += Σ_g int64(A_g·B_g) for the packed m×k matrix A
// and the k×n matrix B with B[p][j] = b[brow[p] + j]; A_g·B_g is the
// product restricted to group g of the k values, computed in int32 with
// wrapping arithmetic (exact when the caller bounds it). C is m×n int64 with
// row stride ldc. It runs on the calling goroutine only. It panics if
// len(brow) is not A's k or a slice is too short for the shape.
func DotI16Groups(pa *PackedI16, n int, b []int16, brow []int, c []int64, ldc int) {
	if n < 0 || len(brow) != pa.k {
		panic("gemm: DotI16Groups: bad dimension")
	}
	if n == 0 {
		return
	}
	for _, r := range brow {
		if r < 0 || r+n > len(b) {
			panic("gemm: DotI16Groups: B row outside the slice")
		}
	}
	if ldc < n || len(c) < (pa.m-1)*ldc+n {
		panic("gemm: DotI16Groups: C too short")
	}
	ws := getDotWorkspace()
	defer dotWorkspaces.Put(ws)
	dk := pa.dk
	mr, nr := dk.mr, dk.nr
	ng := len(pa.off) - 1
	per := max(1, groupChunk/pa.group) // groups per chunk
	_, _, kp0 := pa.groupPairs(0)
	if need := per * 2 * kp0 * (ncDot + nr); cap(ws.b) < need {
		ws.b = make([]int16, need)
	}
	if cap(ws.tile) < mr*nr {
		ws.tile = make([]int32, mr*nr)
	}
	if cap(ws.tile64) < mr*nr {
		ws.tile64 = make([]int64, mr*nr)
	}
	tile, tile64 := ws.tile[:mr*nr], ws.tile64[:mr*nr]
	var boff [groupChunk + 1]int
	for jc := 0; jc < n; jc += ncDot {
		nc := min(ncDot, n-jc)
		np := (nc + nr - 1) / nr // column panels
		for g0 := 0; g0 < ng; g0 += per {
			g1 := min(ng, g0+per)
			// Pack B: for each group, panels of nr columns; pair step q
			// holds rows 2q and 2q+1 of the group side by side.
			boff[0] = 0
			for g := g0; g < g1; g++ {
				k0, kc, kp := pa.groupPairs(g)
				base := boff[g-g0]
				boff[g-g0+1] = base + np*2*kp*nr
				for jr := 0; jr < nc; jr += nr {
					w := min(nr, nc-jr)
					panel := ws.b[base+(jr/nr)*2*kp*nr : base+(jr/nr+1)*2*kp*nr]
					for q := 0; q < kp; q++ {
						var r1 []int16
						if 2*q+1 < kc {
							r1 = b[brow[k0+2*q+1]+jc+jr:]
						}
						packPairStep(panel[2*q*nr:2*q*nr+2*nr], b[brow[k0+2*q]+jc+jr:], r1, w)
					}
				}
			}
			for ir := 0; ir < pa.m; ir += mr {
				h := min(mr, pa.m-ir)
				for jr := 0; jr < nc; jr += nr {
					w := min(nr, nc-jr)
					// The group kernel adds a whole tile to C in place.
					// Otherwise the int64 tile starts as C's values and
					// goes back to C whole: two row copies instead of a
					// clear and an element-wise add.
					direct := dk.groups != nil && w == nr
					t64, ld := tile64[:h*nr], nr
					if direct {
						t64, ld = c[ir*ldc+jc+jr:], ldc
					} else {
						for i := 0; i < h; i++ {
							copy(t64[i*nr:i*nr+w], c[(ir+i)*ldc+jc+jr:][:w])
						}
					}
					t := tile[:h*nr]
					clear(t)
					for g := g0; g < g1; {
						_, _, kp := pa.groupPairs(g)
						ap := pa.a[pa.off[g]+ir*kp:]
						bp := ws.b[boff[g-g0]+(jr/nr)*2*kp*nr:]
						if dk.groups != nil {
							// Groups of equal size have equally spaced
							// panels; only the last group can be shorter.
							n := 1
							for g+n < g1 && pa.pairsOf(g+n) == kp {
								n++
							}
							dk.groups(n, h, kp, ap, pa.m*kp, bp, np*2*kp*nr, t64, ld)
							g += n
							continue
						}
						dk.call(h, kp, ap[:h*kp], bp[:2*kp*nr], t, nr)
						// Move the group's exact int32 sums to int64 and
						// leave the tile zero for the next group.
						widenAddClear(t64, t)
						g++
					}
					if !direct {
						for i := 0; i < h; i++ {
							copy(c[(ir+i)*ldc+jc+jr:][:w], t64[i*nr:i*nr+w])
						}
					}
				}
			}
		}
	}
}
