// This file implements the cache-blocked float32 product: A is packed in
// mc×kc blocks of mr-row panels, B in groups of kc×nr panels, and the
// micro-kernel runs every A panel against one B panel held in L1.

package gemm

import "sync"

// Cache blocking, chosen for 32 KiB L1 and 1 MiB L2 per core. The
// packed B panel (kcBlock×nr) stays in L1 while every mr-row A panel of
// the packed A block (mcBlock×kcBlock, in L2) runs against it; the C block
// (mcBlock×ncBlock) stays in L2 across the k loop. kcBlock also fixes the
// summation order of every element: the k range is cut at multiples of
// kcBlock, each piece is accumulated from zero in k order and then added to
// C, whatever the kernel family and goroutine split.
const (
	kcBlock = 128
	mcBlock = 144
	ncBlock = 1024
	// nbPanels B panels are packed together, so that each row of B is read
	// as one long sequential run that the hardware prefetcher follows; the
	// packed group (kcBlock×nbPanels·nr) stays in L2.
	nbPanels = 8
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
	q.a = p.a[i0*p.ars:]
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
	ws.b = grow(ws.b, kcBlock*nr*nbPanels)
	ws.tile = grow(ws.tile, mr*nr)
	for jc := 0; jc < p.n; jc += ncBlock {
		nc := min(ncBlock, p.n-jc)
		for ic := 0; ic < p.m; ic += mc {
			mcc := min(mc, p.m-ic)
			for pc := 0; pc < p.k; pc += kcBlock {
				kc := min(kcBlock, p.k-pc)
				p.packA(ws.a, ic, mcc, pc, kc, mr)
				for jb := 0; jb < nc; jb += nbPanels * nr {
					wb := min(nbPanels*nr, nc-jb)
					p.packB(ws.b, pc, kc, jc+jb, wb, nr)
					for jr := 0; jr < wb; jr += nr {
						bp := ws.b[jr*kc : jr*kc+kc*nr]
						p.macro(fk, ws, bp, ic, mcc, jc+jb+jr, min(nr, wb-jr), kc)
					}
				}
			}
		}
	}
}

// packB copies rows [pc, pc+kc) and columns [j0, j0+w) of B into panels
// of nr columns, each stored k step by k step, so panel t starts at
// t·nr·kc; the last panel is padded with zeros to nr columns.
func (p *fproblem) packB(dst []float32, pc, kc, j0, w, nr int) {
	if p.bcs != 1 && p.brs == 1 {
		// Transposed view: each column of B is contiguous, so read
		// columns sequentially and scatter them into the panels.
		for jr := 0; jr < w; jr += nr {
			wr := min(nr, w-jr)
			panel := dst[jr*kc : jr*kc+kc*nr]
			for j := 0; j < wr; j++ {
				src := (j0+jr+j)*p.bcs + pc
				for q, v := range p.b[src : src+kc] {
					panel[q*nr+j] = v
				}
			}
			if wr < nr {
				for q := 0; q < kc; q++ {
					clear(panel[q*nr+wr : q*nr+nr])
				}
			}
		}
		return
	}
	for q := 0; q < kc; q++ {
		src := (pc+q)*p.brs + j0*p.bcs
		for jr := 0; jr < w; jr += nr {
			wr := min(nr, w-jr)
			row := dst[jr*kc+q*nr : jr*kc+q*nr+nr]
			switch {
			case p.bcs == 1 && wr == 32 && nr == 32:
				// Fixed-size copies compile to vector moves.
				*(*[32]float32)(row) = *(*[32]float32)(p.b[src+jr : src+jr+32])
			case p.bcs == 1 && wr == 16 && nr == 16:
				*(*[16]float32)(row) = *(*[16]float32)(p.b[src+jr : src+jr+16])
			case p.bcs == 1:
				copy(row, p.b[src+jr:src+jr+wr])
			default:
				for j := range wr {
					row[j] = p.b[src+(jr+j)*p.bcs]
				}
			}
			if wr < nr {
				clear(row[wr:])
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

// macro runs the micro-kernel for every mr-row panel of the packed A
// block against the packed B panel bp of columns [j0, j0+w). Full tiles of a
// row-major C are updated in place; the others go through a small tile
// that is loaded from C, updated and stored back, so that both cases
// perform exactly the same additions.
func (p *fproblem) macro(fk *floatKernels, ws *workspace, bp []float32, ic, mc, j0, w, kc int) {
	mr, nr := fk.mr, fk.nr
	tile := ws.tile
	for ir := 0; ir < mc; ir += mr {
		h := min(mr, mc-ir)
		ap := ws.a[ir*kc : ir*kc+h*kc]
		ci := (ic+ir)*p.crs + j0*p.ccs
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
