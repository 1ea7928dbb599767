// This file implements PackA and SgemmPacked: the left operand of Sgemm
// (typically a layer's weights) packed once and reused for many products.

package gemm

// PackedA is an m×k matrix A in the panel layout of the kernel family that
// was active when [PackA] ran. Create it with PackA.
type PackedA struct {
	m, k int
	kern Kernel
	data []float32
	// a and lda are the source, used when another kernel family is
	// active; the caller must not change it while the PackedA is in use.
	// PackACopy leaves a nil, and source rebuilds it from data.
	a   []float32
	lda int
}

// PackACopy is [PackA] for a matrix that the caller does not keep: the
// result does not refer to a, which may be reused or dropped at once, so
// only the packed copy stays in memory. (If another kernel family is
// selected later, each product first rebuilds A from the packed copy.)
func PackACopy(m, k int, a []float32, lda int) *PackedA {
	pa := PackA(m, k, a, lda)
	pa.a, pa.lda = nil, k
	return pa
}

// source returns A and its row stride: the matrix PackA was given, or for
// PackACopy a copy unpacked from the panels.
func (pa *PackedA) source() ([]float32, int) {
	if pa.a != nil || pa.m == 0 || pa.k == 0 {
		return pa.a, pa.lda
	}
	mr := floatFamilies[pa.kern].mr
	a := make([]float32, pa.m*pa.k)
	for pc := 0; pc < pa.k; pc += kcBlock {
		kc := min(kcBlock, pa.k-pc)
		blk := pa.data[pc*pa.m:]
		for ir := 0; ir < pa.m; ir += mr {
			h := min(mr, pa.m-ir)
			panel := blk[ir*kc : ir*kc+h*kc]
			for q := 0; q < kc; q++ {
				for i := 0; i < h; i++ {
					a[(ir+i)*pa.k+pc+q] = panel[q*h+i]
				}
			}
		}
	}
	return a, pa.k
}

// Unpack returns a copy of A as a row-major m×k matrix (row stride k),
// from the panels when the matrix PackA was given is not kept.
func (pa *PackedA) Unpack() []float32 {
	if pa.a == nil && pa.m > 0 && pa.k > 0 {
		a, _ := pa.source() // already a fresh copy, row stride k
		return a
	}
	a, lda := pa.source()
	out := make([]float32, pa.m*pa.k)
	for i := 0; i < pa.m && pa.k > 0; i++ {
		copy(out[i*pa.k:(i+1)*pa.k], a[i*lda:])
	}
	return out
}

// PackA packs the row-major m×k matrix a (row stride lda) for
// [SgemmPacked]. a must not change while the result is in use. It panics
// if a dimension is negative or a is too short.
func PackA(m, k int, a []float32, lda int) *PackedA {
	if m < 0 || k < 0 {
		panic("gemm: negative dimension")
	}
	if m > 0 && k > 0 && (lda < k || len(a) < (m-1)*lda+k) {
		panic("gemm: slice too short for shape")
	}
	kern := ActiveKernel()
	pa := &PackedA{m: m, k: k, kern: kern, a: a, lda: lda}
	if m == 0 || k == 0 {
		return pa
	}
	fk := floatFamilies[kern]
	pa.data = make([]float32, m*k)
	p := fproblem{m: m, k: k, a: a, ars: lda, acs: 1}
	for pc := 0; pc < k; pc += kcBlock {
		kc := min(kcBlock, k-pc)
		p.packA(pa.data[pc*m:pc*m+m*kc], 0, m, pc, kc, fk.mr)
	}
	return pa
}

// SgemmPacked computes C += A·B like [Sgemm], with A taken from pa: B is
// pa's k×n with row stride ldb, C is m×n with row stride ldc. The result is
// bit-identical to Sgemm with the same A. It panics if a slice is too
// short for the shape.
func SgemmPacked(pa *PackedA, n int, b []float32, ldb int, c []float32, ldc int) {
	m, k := pa.m, pa.k
	if n < 0 {
		panic("gemm: negative dimension")
	}
	if pa.kern != ActiveKernel() {
		a, lda := pa.source()
		Sgemm(m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if ldb < n || ldc < n {
		panic("gemm: row stride shorter than row")
	}
	if len(b) < (k-1)*ldb+n || len(c) < (m-1)*ldc+n {
		panic("gemm: slice too short for shape")
	}
	fk := floatFamilies[pa.kern]
	p := fproblem{
		m: m, n: n, k: k,
		b: b, brs: ldb, bcs: 1,
		c: c, crs: ldc, ccs: 1,
		pre: pa.data, pm: m,
	}
	parallel(m, n, k, fk.mr, fk.nr, func(i0, i1, j0, j1 int) {
		q := p.sub(i0, i1, j0, j1)
		ws := getWorkspace()
		q.run(fk, ws)
		putWorkspace(ws)
	})
}

// SgemmRows computes C += A·B on the calling goroutine, with A taken from
// pa and row p of the k×n matrix B starting at b[rows[p]], so that B can be
// gathered from anywhere in b without being copied first (a convolution
// reads each kernel tap as a shifted view of its input). C is m×n with row
// stride ldc. The result is bit-identical to [Sgemm] on the gathered B.
// Callers that split a large product into pieces run the pieces in
// parallel themselves. It panics if len(rows) is not pa's k or a slice is
// too short for the shape.
func SgemmRows(pa *PackedA, n int, b []float32, rows []int, c []float32, ldc int) {
	m, k := pa.m, pa.k
	if n < 0 {
		panic("gemm: negative dimension")
	}
	if len(rows) != k {
		panic("gemm: row count differs from k")
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if ldc < n || len(c) < (m-1)*ldc+n {
		panic("gemm: slice too short for shape")
	}
	for _, r := range rows {
		if r < 0 || r > len(b)-n {
			panic("gemm: slice too short for shape")
		}
	}
	p := fproblem{
		m: m, n: n, k: k,
		b: b, bcs: 1, brow: rows,
		c: c, crs: ldc, ccs: 1,
	}
	p.useA(pa)
	fk := floatFamilies[ActiveKernel()]
	ws := getWorkspace()
	p.run(fk, ws)
	putWorkspace(ws)
}

// useA makes pa the A of p: its panels when they belong to the active
// kernel family, or else the unpacked matrix, packed on the fly.
func (p *fproblem) useA(pa *PackedA) {
	if pa.kern == ActiveKernel() {
		p.pre, p.pm = pa.data, pa.m
		return
	}
	a, lda := pa.source()
	p.a, p.ars, p.acs = a, lda, 1
}

// PanelWidth returns the number of columns per panel of B for the active
// kernel family, the layout that [SgemmPanels] reads.
func PanelWidth() int { return activeFloat().nr }

// SgemmPanels computes C += A·B on the calling goroutine like [SgemmRows],
// with the k×n matrix B already laid out in panels: with w = PanelWidth(),
// columns [j·w, j·w+w) of B are stored row after row, k rows of w floats,
// from bp[j·k·w]. A producer that writes B this way saves the product a
// copy. Columns of the last panel past n are read but do not affect C. The
// result is bit-identical to SgemmRows on the same B. It panics if a slice
// is too short for the shape.
func SgemmPanels(pa *PackedA, n int, bp []float32, c []float32, ldc int) {
	m, k := pa.m, pa.k
	if n < 0 {
		panic("gemm: negative dimension")
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	fk := activeFloat()
	if ldc < n || len(c) < (m-1)*ldc+n || len(bp) < (n+fk.nr-1)/fk.nr*fk.nr*k {
		panic("gemm: slice too short for shape")
	}
	p := fproblem{m: m, n: n, k: k, bpre: bp, c: c, crs: ldc, ccs: 1}
	p.useA(pa)
	ws := getWorkspace()
	p.run(fk, ws)
	putWorkspace(ws)
}
