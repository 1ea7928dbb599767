// This file implements the cache-blocked float32 product: B is packed in
// kc×nc blocks that stay in L2, A in mc×kc blocks of mr-row panels, and the
// micro-kernel runs over the panels with the A panel held in L1.

package gemm

import "sync"

// Cache blocking, chosen for 32 KiB L1 and 1 MiB L2 per core: the packed
// B block (kcBlock×ncBlock) stays in L2, one mr-row panel of the packed A
// block (mcBlock×kcBlock) stays in L1 while it runs against every B panel
// of the block. kcBlock also fixes the summation order of every element:
// the k range is cut at multiples of kcBlock, each piece is accumulated from
// zero in k order and then added to C, whatever the kernel family and
// goroutine split.
const (
	kcBlock = 128
	ncBlock = 1024
	mcBlock = 224
)

// fproblem is C += A·B with arbitrary element strides, so that transposed
// views share one code path. Element (i, p) of A is a[i*ars+p*acs].
type fproblem struct {
	m, n, k  int
	a        []float32
	ars, acs int
	b        []float32
	brs, bcs int
	c        []float32
	crs, ccs int
	// pre, if set, is A already packed by PackA for all pm rows; row0 is
	// the first of those rows that this problem covers.
	pre      []float32
	pm, row0 int
	// brow, if set, gives where each row of B starts: element (p, j) is
	// b[brow[p]+j*bcs], and brs is unused.
	brow []int
	// bpre, if set, is B already in panels (see SgemmPanels); b is unused.
	bpre []float32
}

func (p fproblem) transpose() fproblem {
	return fproblem{
		m: p.n, n: p.m, k: p.k,
		a: p.b, ars: p.bcs, acs: p.brs,
		b: p.a, brs: p.acs, bcs: p.ars,
		c: p.c, crs: p.ccs, ccs: p.crs,
	}
}

// sub restricts p to rows [i0, i1) and columns [j0, j1) of C.
func (p fproblem) sub(i0, i1, j0, j1 int) fproblem {
	q := p
	q.m, q.n = i1-i0, j1-j0
	if p.pre != nil {
		q.row0 += i0
	} else {
		q.a = p.a[i0*p.ars:]
	}
	q.b = p.b[j0*p.bcs:]
	q.c = p.c[i0*p.crs+j0*p.ccs:]
	return q
}

type workspace struct {
	a, b, tile []float32
}

var workspaces sync.Pool

func getWorkspace() *workspace {
	if ws, ok := workspaces.Get().(*workspace); ok {
		return ws
	}
	return &workspace{}
}

func putWorkspace(ws *workspace) { workspaces.Put(ws) }

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

func (p *fproblem) run(fk *floatKernels, ws *workspace) {
	mr, nr := fk.mr, fk.nr
	mc := (mcBlock + mr - 1) / mr * mr
	ws.a = grow(ws.a, mc*kcBlock)
	ws.b = grow(ws.b, kcBlock*(ncBlock+nr))
	ws.tile = grow(ws.tile, mr*nr)
	for jc := 0; jc < p.n; jc += ncBlock {
		nc := min(ncBlock, p.n-jc)
		for pc := 0; pc < p.k; pc += kcBlock {
			kc := min(kcBlock, p.k-pc)
			// Panel jr/nr of the B block starts at bblk[jr/nr·bstride].
			bblk, bstride := ws.b, kc*nr
			if p.bpre != nil {
				bblk, bstride = p.bpre[jc*p.k+pc*nr:], p.k*nr
			} else {
				p.packB(ws.b, pc, kc, jc, nc, nr)
			}
			for ic := 0; ic < p.m; ic += mc {
				mcc := min(mc, p.m-ic)
				var ablk []float32
				if p.pre != nil {
					// Block pc of the packed A holds all pm rows in panels,
					// kc values per row, after pc·pm values of earlier blocks.
					off := pc*p.pm + (p.row0+ic)*kc
					ablk = p.pre[off : off+mcc*kc]
				} else {
					p.packA(ws.a, ic, mcc, pc, kc, mr)
					ablk = ws.a[:mcc*kc]
				}
				p.macro(fk, ws, ablk, bblk, bstride, ic, mcc, jc, nc, kc)
			}
		}
	}
}

// packB copies rows [pc, pc+kc) and columns [jc, jc+nc) of B into panels
// of nr columns, each stored k step by k step, so panel jr starts at
// jr·kc; the last panel is padded with zeros to nr columns.
func (p *fproblem) packB(dst []float32, pc, kc, jc, nc, nr int) {
	if p.bcs != 1 && p.brs == 1 {
		// Transposed view: each column of B is contiguous, so read
		// columns sequentially and scatter them into the panels.
		for jr := 0; jr < nc; jr += nr {
			w := min(nr, nc-jr)
			panel := dst[jr*kc : jr*kc+kc*nr]
			for j := 0; j < w; j++ {
				src := (jc+jr+j)*p.bcs + pc
				for q, v := range p.b[src : src+kc] {
					panel[q*nr+j] = v
				}
			}
			if w < nr {
				for q := 0; q < kc; q++ {
					clear(panel[q*nr+w : q*nr+nr])
				}
			}
		}
		return
	}
	for q := 0; q < kc; q++ {
		src := (pc+q)*p.brs + jc*p.bcs
		if p.brow != nil {
			src = p.brow[pc+q] + jc*p.bcs
		}
		jr0 := 0
		if full := nc / nr; p.bcs == 1 && packRowAsm(dst[q*nr:], p.b[src:src+full*nr], full, kc*nr, nr) {
			jr0 = full * nr
		}
		for jr := jr0; jr < nc; jr += nr {
			w := min(nr, nc-jr)
			row := dst[jr*kc+q*nr : jr*kc+q*nr+nr]
			switch {
			case p.bcs == 1 && w == 32 && nr == 32:
				// Fixed-size copies compile to vector moves.
				*(*[32]float32)(row) = *(*[32]float32)(p.b[src+jr : src+jr+32])
			case p.bcs == 1 && w == 16 && nr == 16:
				*(*[16]float32)(row) = *(*[16]float32)(p.b[src+jr : src+jr+16])
			case p.bcs == 1:
				copy(row, p.b[src+jr:src+jr+w])
			default:
				for j := range w {
					row[j] = p.b[src+(jr+j)*p.bcs]
				}
			}
			if w < nr {
				clear(row[w:])
			}
		}
	}
}

// packA copies rows [ic, ic+mc) and columns [pc, pc+kc) of A into panels of
// mr rows, each stored k step by k step; the last panel keeps only its
// rows, so panel ir starts at ir*kc.
func (p *fproblem) packA(dst []float32, ic, mc, pc, kc, mr int) {
	for ir := 0; ir < mc; ir += mr {
		h := min(mr, mc-ir)
		panel := dst[ir*kc : ir*kc+h*kc]
		for i := 0; i < h; i++ {
			src := (ic+ir+i)*p.ars + pc*p.acs
			if p.acs == 1 {
				for q, v := range p.a[src : src+kc] {
					panel[q*h+i] = v
				}
			} else {
				for q := 0; q < kc; q++ {
					panel[q*h+i] = p.a[src+q*p.acs]
				}
			}
		}
	}
}

// macro runs the micro-kernel over one packed A block and B block, whose
// panel jr/nr starts at bblk[jr/nr·bstride]. Full
// tiles of a row-major C are updated in place; the others go through a
// small tile that is loaded from C, updated and stored back, so that both
// cases perform exactly the same additions.
func (p *fproblem) macro(fk *floatKernels, ws *workspace, ablk, bblk []float32, bstride, ic, mc, jc, nc, kc int) {
	mr, nr := fk.mr, fk.nr
	tile := ws.tile
	for ir := 0; ir < mc; ir += mr {
		h := min(mr, mc-ir)
		ap := ablk[ir*kc : ir*kc+h*kc]
		for jr := 0; jr < nc; jr += nr {
			w := min(nr, nc-jr)
			bp := bblk[jr/nr*bstride:][:kc*nr]
			ci := (ic+ir)*p.crs + (jc+jr)*p.ccs
			if w == nr && p.ccs == 1 {
				fk.call(h, kc, ap, bp, p.c[ci:ci+(h-1)*p.crs+nr], p.crs)
				continue
			}
			for i := 0; i < h; i++ {
				row := tile[i*nr : i*nr+nr]
				for j := 0; j < w; j++ {
					row[j] = p.c[ci+i*p.crs+j*p.ccs]
				}
				clear(row[w:])
			}
			fk.call(h, kc, ap, bp, tile[:h*nr], nr)
			for i := 0; i < h; i++ {
				for j := 0; j < w; j++ {
					p.c[ci+i*p.crs+j*p.ccs] = tile[i*nr+j]
				}
			}
		}
	}
}
