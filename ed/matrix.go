package ed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/hilbert"
	"github.com/vmc-lattice/vmc/internal/parallel"
)

// Matrix is a real symmetric matrix acting on the vectors of a basis, seen
// only through its product with a vector.
type Matrix interface {
	// Dim returns the dimension n of the matrix.
	Dim() int
	// MulVec sets dst = H·src. Both slices have length n and must not
	// overlap.
	MulVec(dst, src []float64)
}

// rowVisitor turns the visits of Operator.Connected for the row of state s
// into (diagonal, column, value) contributions. One per goroutine.
type rowVisitor struct {
	b    *Basis
	n    int
	x    []int8
	s    uint64
	diag float64
	// Off-diagonal elements go, in order of precedence: into acc as
	// mel·src[j] when src is set (matrix-free products); to emit; or, when
	// both are nil, into count (and their values to seen, if set).
	src   []float64
	acc   float64
	emit  func(j int, mel float64)
	seen  func(mel float64)
	count int
	err   error
	visit func(flips []int, mel float64)
}

// newRowVisitor returns a visitor for n-site rows; b may be nil when only
// counting.
func newRowVisitor(n int, b *Basis) *rowVisitor {
	r := &rowVisitor{b: b, n: n, x: make([]int8, n)}
	r.visit = func(flips []int, mel float64) {
		if mel == 0 {
			return
		}
		var mask uint64
		for _, i := range flips {
			if uint(i) >= uint(r.n) {
				if r.err == nil {
					r.err = fmt.Errorf("ed: operator flips site %d of a %d-site configuration", i, r.n)
				}
				return
			}
			mask ^= 1 << uint(i)
		}
		if mask == 0 {
			r.diag += mel
			return
		}
		if r.src != nil {
			j := r.b.Index(r.s ^ mask)
			if j < 0 {
				r.outside(mask)
				return
			}
			r.acc += mel * r.src[j]
			return
		}
		if r.emit == nil {
			r.count++
			if r.seen != nil {
				r.seen(mel)
			}
			return
		}
		j := r.b.Index(r.s ^ mask)
		if j < 0 {
			r.outside(mask)
			return
		}
		r.emit(j, mel)
	}
	return r
}

func (r *rowVisitor) outside(mask uint64) {
	if r.err == nil {
		r.err = fmt.Errorf("ed: operator connects state %#x to %#x outside the sector %s; does it conserve S^z?",
			r.s, r.s^mask, hilbert.SectorName(r.b.NumSites(), r.b.NumUp()))
	}
}

// row runs Connected on basis state s.
func (r *rowVisitor) row(op hamiltonian.Operator, s uint64) {
	r.s = s
	r.diag = 0
	r.count = 0
	StateToConfig(s, r.x)
	op.Connected(r.x, r.visit)
}

func checkSites(op hamiltonian.Operator, b *Basis) error {
	if op.NumSites() != b.NumSites() {
		return fmt.Errorf("ed: operator has %d sites, basis %d", op.NumSites(), b.NumSites())
	}
	if c, ok := op.(hamiltonian.SzConserver); ok && !c.ConservesSz() && b.NumUp() != Unconstrained {
		return errors.New("ed: the operator does not conserve S^z; use the unconstrained basis (nUp = -1)")
	}
	return nil
}

// CSR is the Hamiltonian stored as a sparse matrix: the diagonal as a dense
// vector and the off-diagonal elements in compressed sparse row form with
// int32 column indices, sorted within each row.
//
// Rows are grouped in blocks of 4096 rows, each block with its own
// arrays (block-local int32 row offsets), so the matrix is built in one pass
// of Operator.Connected without growing or copying a large array.
//
// Values: lattice spin models have few distinct off-diagonal elements (one
// for the Heisenberg chain, two with the sign rule or J2), so the values
// are stored as uint8 codes into a palette of at most 256 float64 values,
// and not at all when the palette holds a single value. A block that meets a
// 257th distinct value stores float64 values instead. The codes are exact:
// the product is the same sum of value·x products. This cuts the memory
// streamed by a product from 12 to 4–5 bytes per element, which is what
// limits its speed. Total memory:
//
//	8·dim (diagonal) + 4·dim (row offsets) + (4 + 0, 1 or 8)·nnz_off
//
// bytes. The product is parallel over blocks of rows, each row computed by
// one goroutine, so it is bitwise deterministic for any thread count.
type CSR struct {
	dim     int
	threads int
	block   int // rows per block
	nnz     int64
	blocks  []csrBlock

	palette [256]float64 // distinct off-diagonal values, in order of discovery
	npal    int
	single  bool // every off-diagonal element equals palette[0]: no codes stored
}

// csrBlock holds rows [lo, lo+len(diag)).
type csrBlock struct {
	lo     int
	diag   []float64
	rowPtr []int32 // len(diag)+1 offsets into col and val or code
	col    []int32
	code   []uint8   // palette codes, or nil
	val    []float64 // values when the palette overflowed, or nil
}

// NewCSR builds the matrix of op on basis b from op.Connected, in parallel
// over blocks of rows with threads goroutines (≤ 0: GOMAXPROCS). It returns
// an error when op connects a basis state to a state outside the sector or
// when the sizes do not match.
func NewCSR(op hamiltonian.Operator, b *Basis, threads int) (*CSR, error) {
	return newCSR(context.Background(), op, b, threads)
}

// newCSR is NewCSR, stopped with ctx between blocks of rows.
func newCSR(ctx context.Context, op hamiltonian.Operator, b *Basis, threads int) (*CSR, error) {
	if err := checkSites(op, b); err != nil {
		return nil, err
	}
	return buildCSR(ctx, b.Dim(), threads, func() rowSource { return newBasisRows(op, b) })
}

// rowSource produces the rows of a matrix for buildCSR; each goroutine owns
// one.
type rowSource interface {
	// row appends the off-diagonal elements of row i (in any order, with
	// repeated columns allowed) to col and val, and returns the extended
	// slices, the diagonal element and the first error met.
	row(i int, col []int32, val []float64) ([]int32, []float64, float64, error)
}

// basisRows is the rowSource of a Hamiltonian on a Basis.
type basisRows struct {
	op  hamiltonian.Operator
	b   *Basis
	r   *rowVisitor
	col []int32
	val []float64
}

func newBasisRows(op hamiltonian.Operator, b *Basis) *basisRows {
	s := &basisRows{op: op, b: b, r: newRowVisitor(b.NumSites(), b)}
	s.r.emit = func(j int, mel float64) {
		s.col = append(s.col, int32(j))
		s.val = append(s.val, mel)
	}
	return s
}

func (s *basisRows) row(i int, col []int32, val []float64) ([]int32, []float64, float64, error) {
	s.col, s.val = col, val
	s.r.row(s.op, s.b.State(i))
	err := s.r.err
	s.r.err = nil
	return s.col, s.val, s.r.diag, err
}

// buildCSR assembles a dim×dim CSR from rows produced by one rowSource per
// goroutine, in parallel over blocks of rows. Each goroutine collects a
// block in reusable scratch space, sorts every row, sums repeated columns,
// drops exact zeros, encodes the values with the shared palette and copies
// the block into arrays of the exact size. Rows are computed independently,
// so the matrix does not depend on the number of threads. Once ctx is done
// the remaining blocks are skipped and buildCSR returns its error.
func buildCSR(ctx context.Context, dim, threads int, newSource func() rowSource) (*CSR, error) {
	threads = defaultThreads(threads)
	bs := rowBlock
	nb := numBlocks(dim, bs)
	m := &CSR{dim: dim, threads: threads, block: bs, blocks: make([]csrBlock, nb)}
	errs := make([]error, nb)
	var mu sync.Mutex // guards palette and npal during the build
	type scratch struct {
		src  rowSource
		col  []int32
		val  []float64
		code []uint8
		pal  []float64 // this worker's copy of the palette
	}
	ws := make([]*scratch, threads)
	for w := range ws {
		ws[w] = &scratch{src: newSource()}
	}
	// encode returns the palette code of v, adding it if there is room.
	encode := func(sc *scratch, v float64) (uint8, bool) {
		for k, p := range sc.pal {
			if p == v {
				return uint8(k), true
			}
		}
		mu.Lock()
		defer mu.Unlock()
		sc.pal = append(sc.pal[:0], m.palette[:m.npal]...)
		for k, p := range sc.pal {
			if p == v {
				return uint8(k), true
			}
		}
		if m.npal == len(m.palette) {
			return 0, false
		}
		m.palette[m.npal] = v
		m.npal++
		sc.pal = append(sc.pal, v)
		return uint8(m.npal - 1), true
	}
	parallel.For(threads, nb, func(w, c int) {
		if ctx.Err() != nil {
			return
		}
		sc := ws[w]
		lo, hi := blockRange(c, bs, dim)
		blk := csrBlock{lo: lo, diag: make([]float64, hi-lo), rowPtr: make([]int32, hi-lo+1)}
		sc.col, sc.val = sc.col[:0], sc.val[:0]
		for i := lo; i < hi; i++ {
			start := len(sc.col)
			var err error
			sc.col, sc.val, blk.diag[i-lo], err = sc.src.row(i, sc.col, sc.val)
			if err != nil {
				errs[c] = err
				break
			}
			sortRow(sc.col[start:], sc.val[start:])
			sc.col, sc.val = mergeRow(sc.col, sc.val, start)
			if len(sc.col) > math.MaxInt32 {
				errs[c] = errors.New("ed: more than 2^31 elements in one block of rows")
				break
			}
			blk.rowPtr[i-lo+1] = int32(len(sc.col))
		}
		blk.col = slices.Clone(sc.col)
		sc.code = slices.Grow(sc.code[:0], len(sc.val))[:len(sc.val)]
		last, lastCode := math.NaN(), uint8(0)
		for k, v := range sc.val {
			if v != last { // rows repeat the same few values
				code, ok := encode(sc, v)
				if !ok {
					sc.code = nil
					break
				}
				last, lastCode = v, code
			}
			sc.code[k] = lastCode
		}
		if sc.code != nil {
			blk.code = slices.Clone(sc.code)
		} else {
			blk.val = slices.Clone(sc.val)
		}
		m.blocks[c] = blk
	})
	if err := interrupted(ctx, "matrix construction"); err != nil {
		return nil, err
	}
	if err := firstError(errs); err != nil {
		return nil, err
	}
	m.single = m.npal == 1
	for c := range m.blocks {
		blk := &m.blocks[c]
		m.nnz += int64(len(blk.col))
		if blk.val != nil {
			m.single = false
		}
	}
	if m.single {
		for c := range m.blocks {
			m.blocks[c].code = nil
		}
	}
	return m, nil
}

// mergeRow sums repeated columns of the sorted row col[start:], val[start:]
// and drops exact zeros, returning the shortened slices.
func mergeRow(col []int32, val []float64, start int) ([]int32, []float64) {
	out := start
	for k := start; k < len(col); k++ {
		if out > start {
			if col[out-1] == col[k] {
				val[out-1] += val[k]
				continue
			}
			if val[out-1] == 0 { // a finished column summed to zero
				out--
			}
		}
		col[out], val[out] = col[k], val[k]
		out++
	}
	if out > start && val[out-1] == 0 {
		out--
	}
	return col[:out], val[:out]
}

func firstError(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// sortRow sorts one row's entries by column (insertion sort: rows are short).
func sortRow(col []int32, val []float64) {
	val = val[:len(col)]
	for i := 1; i < len(col); i++ {
		c, v := col[i], val[i]
		k := i
		for k > 0 && col[k-1] > c {
			col[k], val[k] = col[k-1], val[k-1]
			k--
		}
		col[k], val[k] = c, v
	}
}

// Dim returns the dimension.
func (m *CSR) Dim() int { return m.dim }

// NNZ returns the number of stored off-diagonal elements.
func (m *CSR) NNZ() int64 { return m.nnz }

// Bytes returns the memory held by the matrix.
func (m *CSR) Bytes() int64 {
	by := 12 * int64(m.dim)
	for c := range m.blocks {
		blk := &m.blocks[c]
		by += 4*int64(len(blk.col)) + int64(len(blk.code)) + 8*int64(len(blk.val))
	}
	return by
}

// Row calls fn for every stored element of row i: the diagonal first, then
// the off-diagonal elements in increasing column order.
func (m *CSR) Row(i int, fn func(j int, v float64)) {
	blk := &m.blocks[i/m.block]
	r := i - blk.lo
	fn(i, blk.diag[r])
	for k := blk.rowPtr[r]; k < blk.rowPtr[r+1]; k++ {
		var v float64
		switch {
		case blk.val != nil:
			v = blk.val[k]
		case m.single:
			v = m.palette[0]
		default:
			v = m.palette[blk.code[k]]
		}
		fn(int(blk.col[k]), v)
	}
}

// SetThreads sets the number of goroutines used by MulVec (≤ 0: GOMAXPROCS).
func (m *CSR) SetThreads(t int) { m.threads = defaultThreads(t) }

// MulVec sets dst = H·src.
func (m *CSR) MulVec(dst, src []float64) {
	checkLen("CSR.MulVec", m.dim, dst, src)
	parallel.For(m.threads, len(m.blocks), func(_, c int) {
		blk := &m.blocks[c]
		switch {
		case blk.val != nil:
			blk.mulVal(dst, src)
		case m.single:
			blk.mulSingle(dst, src, m.palette[0])
		default:
			blk.mulCode(dst, src, &m.palette)
		}
	})
}

// The product kernels. Two accumulators per row break the dependency chain
// of floating-point additions (measured 10–35% faster per element); the
// order of the sums is fixed, so results stay deterministic.

func (blk *csrBlock) mulVal(dst, src []float64) {
	rp := blk.rowPtr
	diag := blk.diag
	d := dst[blk.lo : blk.lo+len(diag)]
	x := src[blk.lo : blk.lo+len(diag)]
	col, val := blk.col, blk.val
	start := rp[0]
	for i := range d {
		end := rp[i+1]
		cs := col[start:end]
		vs := val[start:end]
		vs = vs[:len(cs)]
		var s0, s1 float64
		k := 0
		for ; k+1 < len(cs); k += 2 {
			s0 += vs[k] * src[cs[k]]
			s1 += vs[k+1] * src[cs[k+1]]
		}
		if k < len(cs) {
			s0 += vs[k] * src[cs[k]]
		}
		d[i] = diag[i]*x[i] + (s0 + s1)
		start = end
	}
}

func (blk *csrBlock) mulCode(dst, src []float64, pal *[256]float64) {
	rp := blk.rowPtr
	diag := blk.diag
	d := dst[blk.lo : blk.lo+len(diag)]
	x := src[blk.lo : blk.lo+len(diag)]
	col, code := blk.col, blk.code
	start := rp[0]
	for i := range d {
		end := rp[i+1]
		cs := col[start:end]
		cd := code[start:end]
		cd = cd[:len(cs)]
		var s0, s1 float64
		k := 0
		for ; k+1 < len(cs); k += 2 {
			s0 += pal[cd[k]] * src[cs[k]]
			s1 += pal[cd[k+1]] * src[cs[k+1]]
		}
		if k < len(cs) {
			s0 += pal[cd[k]] * src[cs[k]]
		}
		d[i] = diag[i]*x[i] + (s0 + s1)
		start = end
	}
}

func (blk *csrBlock) mulSingle(dst, src []float64, v float64) {
	rp := blk.rowPtr
	diag := blk.diag
	d := dst[blk.lo : blk.lo+len(diag)]
	x := src[blk.lo : blk.lo+len(diag)]
	col := blk.col
	start := rp[0]
	for i := range d {
		end := rp[i+1]
		var s float64
		for _, c := range col[start:end] {
			s += src[c]
		}
		d[i] = diag[i]*x[i] + v*s
		start = end
	}
}

func checkLen(fn string, n int, dst, src []float64) {
	if len(dst) != n || len(src) != n {
		panic(fmt.Sprintf("ed: %s: len(dst) = %d, len(src) = %d, want %d", fn, len(dst), len(src), n))
	}
}

// MatrixFree applies the Hamiltonian without storing it: every product
// calls op.Connected for every basis state and ranks the connected states.
// It needs no memory beyond the basis, at a cost per product of roughly
// one matrix construction. Rows are computed in parallel, each by one
// goroutine, so the product is bitwise deterministic for any thread count.
type MatrixFree struct {
	op      hamiltonian.Operator
	b       *Basis
	threads int
	pool    sync.Pool // *rowVisitor
	// ctx, when set (by SolveContext), stops products between blocks of
	// rows; the error is reported by Err.
	ctx context.Context

	mu  sync.Mutex
	err error
}

// NewMatrixFree returns the matrix-free product of op on basis b using
// threads goroutines (≤ 0: GOMAXPROCS). A connection outside the sector is
// detected during products and reported by Err.
func NewMatrixFree(op hamiltonian.Operator, b *Basis, threads int) (*MatrixFree, error) {
	if err := checkSites(op, b); err != nil {
		return nil, err
	}
	m := &MatrixFree{op: op, b: b, threads: defaultThreads(threads)}
	m.pool.New = func() any { return newRowVisitor(b.NumSites(), b) }
	return m, nil
}

// Dim returns the dimension.
func (m *MatrixFree) Dim() int { return m.b.Dim() }

// SetThreads sets the number of goroutines used by MulVec (≤ 0: GOMAXPROCS).
func (m *MatrixFree) SetThreads(t int) { m.threads = defaultThreads(t) }

// Err returns the first error met by a product (a connection outside the
// sector, an invalid site, or the cancellation of SolveContext), or nil. After an error the products are not
// valid.
func (m *MatrixFree) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// MulVec sets dst = H·src.
func (m *MatrixFree) MulVec(dst, src []float64) {
	dim := m.b.Dim()
	checkLen("MatrixFree.MulVec", dim, dst, src)
	parallel.For(m.threads, numBlocks(dim, rowBlock), func(_, c int) {
		if err := interrupted(m.ctx, "matrix-free product"); err != nil {
			m.mu.Lock()
			if m.err == nil {
				m.err = err
			}
			m.mu.Unlock()
			return
		}
		r := m.pool.Get().(*rowVisitor)
		r.src = src
		lo, hi := blockRange(c, rowBlock, dim)
		for i := lo; i < hi; i++ {
			r.acc = 0
			r.row(m.op, m.b.State(i))
			dst[i] = r.diag*src[i] + r.acc
		}
		if r.err != nil {
			m.mu.Lock()
			if m.err == nil {
				m.err = r.err
			}
			m.mu.Unlock()
			r.err = nil
		}
		r.src = nil
		m.pool.Put(r)
	})
}
