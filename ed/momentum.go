package ed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/hilbert"
	"github.com/vmc-lattice/vmc/internal/parallel"
)

// Symmetry is a group of site permutations with a real one-dimensional
// character: a momentum sector whose characters are ±1 (every component of
// k equal to 0 or π for translations), so that the sector Hamiltonian is
// real symmetric.
//
// Perms[g][i] is the image of site i under group element g (the convention
// of lattice.Translations); Perms[0] must be the identity. The permutations
// must form a group (closed under composition, all distinct), and Chars[g]
// ∈ {+1, −1} must be a homomorphism: Chars[g∘h] = Chars[g]·Chars[h], with
// Chars[0] = +1. The group need not be abelian; translations are the
// intended use. See the package documentation (Momentum sectors).
type Symmetry struct {
	Perms [][]int
	Chars []int8
}

// validate checks that sym is a group of permutations of n sites with a
// real character.
func (sym *Symmetry) validate(n int) error {
	ng := len(sym.Perms)
	if ng == 0 {
		return errors.New("ed: symmetry: no group elements (want at least the identity)")
	}
	if ng > 1<<15 {
		return fmt.Errorf("ed: symmetry: %d group elements, at most %d supported", ng, 1<<15)
	}
	if len(sym.Chars) != ng {
		return fmt.Errorf("ed: symmetry: %d characters for %d group elements", len(sym.Chars), ng)
	}
	key := func(p []int) string {
		b := make([]byte, len(p))
		for i, v := range p {
			b[i] = byte(v)
		}
		return string(b)
	}
	index := make(map[string]int, ng)
	for g, p := range sym.Perms {
		if len(p) != n {
			return fmt.Errorf("ed: symmetry: permutation %d has %d sites, want %d", g, len(p), n)
		}
		seen := make([]bool, n)
		for i, v := range p {
			if v < 0 || v >= n || seen[v] {
				return fmt.Errorf("ed: symmetry: element %d is not a permutation of %d sites", g, n)
			}
			seen[v] = true
			if g == 0 && v != i {
				return errors.New("ed: symmetry: the first element must be the identity")
			}
		}
		if c := sym.Chars[g]; c != 1 && c != -1 {
			return fmt.Errorf("ed: symmetry: character %d of element %d: want +1 or -1 (real momenta only)", c, g)
		}
		k := key(p)
		if _, dup := index[k]; dup {
			return fmt.Errorf("ed: symmetry: element %d repeats an earlier element", g)
		}
		index[k] = g
	}
	if sym.Chars[0] != 1 {
		return errors.New("ed: symmetry: the character of the identity must be +1")
	}
	comp := make([]int, n)
	for g, pg := range sym.Perms {
		for h, ph := range sym.Perms {
			for i := range comp {
				comp[i] = pg[ph[i]] // h first, then g
			}
			gh, ok := index[key(comp)]
			if !ok {
				return fmt.Errorf("ed: symmetry: the permutations are not closed under composition (elements %d and %d)", g, h)
			}
			if sym.Chars[gh] != sym.Chars[g]*sym.Chars[h] {
				return fmt.Errorf("ed: symmetry: the characters are not a homomorphism: χ(%d∘%d) = %d ≠ χ(%d)·χ(%d) = %d",
					g, h, sym.Chars[gh], g, h, sym.Chars[g]*sym.Chars[h])
			}
		}
	}
	return nil
}

// MomentumBasis is the basis of one symmetry sector (a real-character
// momentum sector) inside a sector of fixed S^z (or the full space): one
// representative per orbit of the group, the smallest state (as a uint64)
// of its orbit, kept only when the orbit is compatible with the character
// (χ(g) = +1 on the stabilizer of the representative). The representatives
// are stored in ascending order; the k-th has index k.
//
// The basis vector of representative r is
//
//	|r̃⟩ = N_r^{−1/2} Σ_{g∈G} χ(g) |g r⟩,   N_r = |G|·|Stab(r)| = |G|²/|orbit(r)|.
//
// A MomentumBasis is immutable and safe for concurrent use.
type MomentumBasis struct {
	n, nUp int
	ng     int
	chars  []int8
	reps   []uint64 // ascending
	stab   []uint16 // |Stab(r)| per representative

	// Ranking: representatives with high part hi (state >> nlo) are
	// reps[offHi[hi]:offHi[hi+1]].
	nlo   uint
	offHi []uint32

	// Applying group element g to a state: a rotation of the n bits by
	// rot[g] when rot[g] ≥ 0, otherwise byte-wise tables.
	mask   uint64
	nbytes int
	rot    []int
	tab    [][8][256]uint64
}

// NewMomentumBasis returns the representatives of the symmetry sector sym
// in the sector of n sites with nUp up spins (Unconstrained, -1, for the
// full 2^n space). n must be at most min(MaxSites, 64) and sym must pass the
// checks described at Symmetry. The enumeration runs over the whole S^z
// sector (without storing it) on GOMAXPROCS goroutines.
//
// Memory: 10 bytes per representative, 4·2^⌈n/2⌉ bytes of ranking table
// and 16 KiB per group element that is not a pure rotation of the bits.
func NewMomentumBasis(n, nUp int, sym Symmetry) (*MomentumBasis, error) {
	return newMomentumBasis(context.Background(), n, nUp, sym)
}

// newMomentumBasis is NewMomentumBasis, stopped with ctx between chunks of
// high parts.
func newMomentumBasis(ctx context.Context, n, nUp int, sym Symmetry) (*MomentumBasis, error) {
	if n < 1 || n > MaxSites {
		return nil, fmt.Errorf("ed: %d sites: the basis supports 1 ≤ N ≤ %d", n, MaxSites)
	}
	full, err := SectorDim(n, nUp)
	if err != nil {
		return nil, err
	}
	if err := sym.validate(n); err != nil {
		return nil, err
	}
	ng := len(sym.Perms)
	if full/int64(ng) > MaxDim {
		return nil, fmt.Errorf("ed: symmetry sector of N=%d, %s has dimension about %d, above the limit %d",
			n, hilbert.SectorName(n, nUp), full/int64(ng), MaxDim)
	}
	mb := &MomentumBasis{n: n, nUp: nUp, ng: ng, chars: slices.Clone(sym.Chars)}
	mb.mask = uint64(1)<<uint(n) - 1
	if n == 64 {
		mb.mask = math.MaxUint64
	}
	mb.nbytes = (n + 7) / 8
	mb.rot = make([]int, ng)
	mb.tab = make([][8][256]uint64, ng)
	for g, p := range sym.Perms {
		mb.rot[g] = rotation(p)
		if mb.rot[g] >= 0 {
			continue
		}
		t := &mb.tab[g]
		for b := 0; b < mb.nbytes; b++ {
			for v := 0; v < 256; v++ {
				var out uint64
				for k := 0; k < 8; k++ {
					i := 8*b + k
					if i < n && v>>uint(k)&1 == 1 {
						out |= 1 << uint(p[i])
					}
				}
				t[b][v] = out
			}
		}
	}

	nlo := n / 2
	nhi := n - nlo
	mb.nlo = uint(nlo)
	nHi := 1 << uint(nhi)
	// Enumerate in chunks of high parts, in parallel; each chunk collects
	// its representatives in ascending order.
	const hiChunk = 64
	nc := numBlocks(nHi, hiChunk)
	type part struct {
		reps []uint64
		stab []uint16
	}
	parts := make([]part, nc)
	parallel.For(defaultThreads(0), nc, func(_, c int) {
		if ctx.Err() != nil {
			return
		}
		lo, hi := blockRange(c, hiChunk, nHi)
		var pt part
		for h := lo; h < hi; h++ {
			base := uint64(h) << uint(nlo)
			emit := func(s uint64) {
				if st, ok := mb.stabilizer(s); ok {
					pt.reps = append(pt.reps, s)
					pt.stab = append(pt.stab, st)
				}
			}
			if nUp == Unconstrained {
				for l := uint64(0); l < uint64(1)<<uint(nlo); l++ {
					emit(base | l)
				}
				continue
			}
			p := nUp - bits.OnesCount64(uint64(h))
			if p < 0 || p > nlo {
				continue
			}
			if p == 0 {
				emit(base)
				continue
			}
			// Gosper's hack: the nlo-bit patterns with p bits, ascending.
			limit := uint64(1) << uint(nlo)
			for l := uint64(1)<<uint(p) - 1; l < limit; {
				emit(base | l)
				c := l & -l
				r := l + c
				l = (((r ^ l) >> 2) / c) | r
			}
		}
		parts[c] = pt
	})
	if err := interrupted(ctx, "symmetry basis enumeration"); err != nil {
		return nil, err
	}
	total := 0
	for _, pt := range parts {
		total += len(pt.reps)
	}
	if int64(total) > MaxDim {
		return nil, fmt.Errorf("ed: symmetry sector of dimension %d above the limit %d", total, MaxDim)
	}
	mb.reps = make([]uint64, 0, total)
	mb.stab = make([]uint16, 0, total)
	for c := range parts {
		mb.reps = append(mb.reps, parts[c].reps...)
		mb.stab = append(mb.stab, parts[c].stab...)
		parts[c] = part{}
	}
	mb.offHi = make([]uint32, nHi+1)
	k := 0
	for h := 0; h <= nHi; h++ {
		for k < total && mb.reps[k]>>mb.nlo < uint64(h) {
			k++
		}
		mb.offHi[h] = uint32(k)
	}
	return mb, nil
}

// rotation returns k if p is the cyclic shift i → (i+k) mod n, else -1.
func rotation(p []int) int {
	n := len(p)
	k := p[0]
	for i, v := range p {
		if v != (i+k)%n {
			return -1
		}
	}
	return k
}

// apply returns the state g·s: bit i of s moves to bit Perms[g][i].
func (mb *MomentumBasis) apply(g int, s uint64) uint64 {
	if k := mb.rot[g]; k >= 0 {
		if k == 0 {
			return s
		}
		return (s<<uint(k) | s>>uint(mb.n-k)) & mb.mask
	}
	t := &mb.tab[g]
	var out uint64
	for b := 0; b < mb.nbytes; b++ {
		out |= t[b][byte(s>>(8*uint(b)))]
	}
	return out
}

// stabilizer reports whether s is the representative (smallest state) of
// its orbit and compatible with the character, and returns |Stab(s)|.
func (mb *MomentumBasis) stabilizer(s uint64) (uint16, bool) {
	st := uint16(1)
	for g := 1; g < mb.ng; g++ {
		t := mb.apply(g, s)
		if t < s {
			return 0, false
		}
		if t == s {
			if mb.chars[g] < 0 {
				return 0, false
			}
			st++
		}
	}
	return st, true
}

// Representative returns the representative r of the orbit of s (its
// smallest element) and a group element g with Perms[g]·s = r.
func (mb *MomentumBasis) Representative(s uint64) (r uint64, g int) {
	r = s
	for h := 1; h < mb.ng; h++ {
		if t := mb.apply(h, s); t < r {
			r, g = t, h
		}
	}
	return r, g
}

// NumSites returns N.
func (mb *MomentumBasis) NumSites() int { return mb.n }

// NumUp returns the number of up spins, or Unconstrained.
func (mb *MomentumBasis) NumUp() int { return mb.nUp }

// GroupOrder returns |G|.
func (mb *MomentumBasis) GroupOrder() int { return mb.ng }

// Dim returns the number of representatives.
func (mb *MomentumBasis) Dim() int { return len(mb.reps) }

// State returns the k-th representative.
func (mb *MomentumBasis) State(k int) uint64 { return mb.reps[k] }

// Norm returns N_r = |G|·|Stab(r)| of the k-th representative: the squared
// norm of Σ_g χ(g)|g r⟩.
func (mb *MomentumBasis) Norm(k int) float64 { return float64(mb.ng) * float64(mb.stab[k]) }

// Index returns the index of representative r, or -1 if r is not a
// representative of this sector.
func (mb *MomentumBasis) Index(r uint64) int {
	if r>>uint(mb.n) != 0 {
		return -1
	}
	h := r >> mb.nlo
	lo, hi := int(mb.offHi[h]), int(mb.offHi[h+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if mb.reps[m] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(mb.reps) && mb.reps[lo] == r && lo < int(mb.offHi[h+1]) {
		return lo
	}
	return -1
}

// Bytes returns the memory held by the basis.
func (mb *MomentumBasis) Bytes() int64 {
	nt := 0
	for _, k := range mb.rot {
		if k < 0 {
			nt++
		}
	}
	return 10*int64(len(mb.reps)) + 4*int64(len(mb.offHi)) + int64(nt)*8*256*8
}

// String describes the sector.
func (mb *MomentumBasis) String() string {
	return fmt.Sprintf("momentum basis N=%d %s, |G|=%d, dimension %d", mb.n, hilbert.SectorName(mb.n, mb.nUp), mb.ng, len(mb.reps))
}

// NewMomentumCSR builds the matrix of op in the symmetry sector mb, as a
// CSR with the same storage and products as NewCSR, in parallel over
// blocks of rows with threads goroutines (≤ 0: GOMAXPROCS). The operator
// must commute with the group (this is not checked: a non-invariant
// operator gives a non-symmetric, meaningless matrix). For representative
// r and each (flips, mel) of op.Connected(r), s' = r with the flips
// applied, r' = g·s' its representative, the element
//
//	H_{r'r} += mel · χ(g) · sqrt(N_{r'}/N_r)
//
// is added (to the diagonal when r' = r); connections to incompatible
// orbits are dropped (their projected state vanishes), duplicates within a
// row are summed. See the package documentation for the derivation.
func NewMomentumCSR(op hamiltonian.Operator, mb *MomentumBasis, threads int) (*CSR, error) {
	return newMomentumCSR(context.Background(), op, mb, threads)
}

// newMomentumCSR is NewMomentumCSR, stopped with ctx between blocks of rows.
func newMomentumCSR(ctx context.Context, op hamiltonian.Operator, mb *MomentumBasis, threads int) (*CSR, error) {
	n := mb.n
	if op.NumSites() != n {
		return nil, fmt.Errorf("ed: operator has %d sites, basis %d", op.NumSites(), n)
	}
	if c, ok := op.(hamiltonian.SzConserver); ok && !c.ConservesSz() && mb.nUp != Unconstrained {
		return nil, errors.New("ed: the operator does not conserve S^z; use the unconstrained basis (nUp = -1)")
	}
	// sq[a][b] = sqrt(a/b) for stabilizer sizes: exact repeated values, so
	// the palette stays small.
	ng := mb.ng
	var sq [][]float64
	if ng <= 64 {
		sq = make([][]float64, ng+1)
		for a := 1; a <= ng; a++ {
			sq[a] = make([]float64, ng+1)
			for b := 1; b <= ng; b++ {
				sq[a][b] = stabRatio(uint16(a), uint16(b))
			}
		}
	}
	return buildCSR(ctx, mb.Dim(), threads, func() rowSource { return newMomentumRows(op, mb, sq) })
}

// stabRatio returns sqrt(a/b) for stabilizer sizes a and b.
func stabRatio(a, b uint16) float64 { return math.Sqrt(float64(a) / float64(b)) }

// momentumRows is the rowSource of a Hamiltonian in a momentum sector.
type momentumRows struct {
	op    hamiltonian.Operator
	mb    *MomentumBasis
	sq    [][]float64 // stabRatio table, or nil for large groups
	x     []int8
	s     uint64
	cur   int
	diag  float64
	col   []int32
	val   []float64
	err   error
	visit func(flips []int, mel float64)
}

func newMomentumRows(op hamiltonian.Operator, mb *MomentumBasis, sq [][]float64) *momentumRows {
	n := mb.n
	sc := &momentumRows{op: op, mb: mb, sq: sq, x: make([]int8, n)}
	sc.visit = func(flips []int, mel float64) {
		if mel == 0 {
			return
		}
		var mask uint64
		for _, i := range flips {
			if uint(i) >= uint(n) {
				if sc.err == nil {
					sc.err = fmt.Errorf("ed: operator flips site %d of a %d-site configuration", i, n)
				}
				return
			}
			mask ^= 1 << uint(i)
		}
		if mask == 0 {
			sc.diag += mel
			return
		}
		s2 := sc.s ^ mask
		if mb.nUp != Unconstrained && bits.OnesCount64(s2) != mb.nUp {
			if sc.err == nil {
				sc.err = fmt.Errorf("ed: operator connects state %#x to %#x outside the sector %s; does it conserve S^z?",
					sc.s, s2, hilbert.SectorName(n, mb.nUp))
			}
			return
		}
		r2, g := mb.Representative(s2)
		j := mb.Index(r2)
		if j < 0 {
			return // incompatible orbit: its projected state is zero
		}
		var f float64
		if sc.sq != nil {
			f = sc.sq[mb.stab[j]][mb.stab[sc.cur]]
		} else {
			f = stabRatio(mb.stab[j], mb.stab[sc.cur])
		}
		v := mel * f
		if mb.chars[g] < 0 {
			v = -v
		}
		if j == sc.cur {
			sc.diag += v
			return
		}
		sc.col = append(sc.col, int32(j))
		sc.val = append(sc.val, v)
	}
	return sc
}

// row implements rowSource: several states of one orbit can be reached from
// a representative, so a row may repeat columns (buildCSR sums them).
func (sc *momentumRows) row(i int, col []int32, val []float64) ([]int32, []float64, float64, error) {
	sc.col, sc.val = col, val
	sc.s, sc.cur, sc.diag = sc.mb.reps[i], i, 0
	StateToConfig(sc.s, sc.x)
	sc.op.Connected(sc.x, sc.visit)
	err := sc.err
	sc.err = nil
	return sc.col, sc.val, sc.diag, err
}

// solveSymmetric is SolveContext with o.Symmetry set (o has its defaults).
func solveSymmetric(ctx context.Context, op hamiltonian.Operator, nUp int, o Options) (*Result, error) {
	if o.Vector {
		return nil, errors.New("ed: Options.Vector is not supported with Options.Symmetry (the vector would be in the symmetrized basis)")
	}
	if o.Product == ProductMatrixFree {
		return nil, errors.New("ed: Options.Symmetry supports CSR products only")
	}
	switch o.Method {
	case Auto, Dense, Lanczos, ThickRestart:
	default:
		return nil, fmt.Errorf("ed: unknown method %q (want auto, dense, lanczos or thick-restart)", o.Method)
	}
	n := op.NumSites()
	full, err := SectorDim(n, nUp)
	if err != nil {
		return nil, err
	}
	if n > MaxSites {
		return nil, fmt.Errorf("ed: %d sites: the basis supports N ≤ %d", n, MaxSites)
	}
	if err := o.Symmetry.validate(n); err != nil {
		return nil, err
	}
	// Estimate before building: the sector holds about 1/|G| of the states
	// (the S^z sector's row sample gives the elements per row).
	ng := int64(len(o.Symmetry.Perms))
	dim := full/ng + 1
	nnz, _ := sampleNNZ(op, n, nUp, full)
	nnz = nnz/ng + 1
	p := &Plan{Dimension: dim, NNZ: nnz, Product: ProductCSR, Method: o.Method}
	if p.Method == Auto {
		p.Method = Lanczos
		if dim <= int64(o.DenseMax) {
			p.Method = Dense
		}
	}
	k := int64(o.K)
	p.BasisBytes = 10*dim + 4*(int64(1)<<uint(n-n/2)) + ng*16384
	p.MatrixBytes = 12*dim + 5*nnz
	switch p.Method {
	case Dense:
		p.VectorBytes = 8 * dim * (3*dim + k)
	case ThickRestart:
		p.VectorBytes = 8 * dim * (int64(o.BasisSize) + 4 + k)
	default:
		p.VectorBytes = 8 * dim * (5 + k)
	}
	p.TotalBytes = p.BasisBytes + p.MatrixBytes + p.VectorBytes
	if p.TotalBytes > o.MemoryBudget {
		return nil, fmt.Errorf("ed: %v (symmetry sector, estimated): above the memory budget of %.3g GB", p, gb(o.MemoryBudget))
	}
	t0 := time.Now()
	mb, err := newMomentumBasis(ctx, n, nUp, *o.Symmetry)
	if err != nil {
		return nil, err
	}
	if int64(o.K) > int64(mb.Dim()) {
		return nil, fmt.Errorf("ed: %d eigenvalues requested in a symmetry sector of dimension %d", o.K, mb.Dim())
	}
	m, err := newMomentumCSR(ctx, op, mb, o.Threads)
	if err != nil {
		return nil, err
	}
	res := &Result{Momentum: mb, Dimension: mb.Dim(), NumUp: nUp, Plan: p, Product: ProductCSR, NNZ: m.NNZ()}
	res.BuildTime = time.Since(t0)
	t1 := time.Now()
	eig, err := LowestContext(ctx, m, o.K, &Settings{
		Method: o.Method, Tol: o.Tol, MaxIter: o.MaxIter, Seed: o.Seed,
		Threads: o.Threads, BasisSize: o.BasisSize, DenseMax: o.DenseMax,
		NoVectors: true,
	})
	res.SolveTime = time.Since(t1)
	if err != nil {
		return nil, err
	}
	res.Energies = eig.Values
	res.Residuals = eig.Residuals
	res.Method = eig.Method
	res.MatVecs = eig.MatVecs
	return res, nil
}
