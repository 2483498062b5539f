package hilbert

import (
	"context"
	"fmt"
	"iter"
	"math"
	"math/bits"
)

// MaxBasisSites is the largest number of sites of a Basis. Its ranking
// tables have 2^⌈N/2⌉ entries, 4 MiB each at N = 40.
const MaxBasisSites = 40

// MaxBasisDim is the largest dimension of a Basis: ranks are stored as
// uint32 and sparse matrices use int32 column indices.
const MaxBasisDim = math.MaxInt32

// Basis is a Space with its states stored and ranked in O(1) (see the
// package documentation): State(k) is the k-th state in increasing order
// and Index its inverse.
//
// A Basis is immutable and safe for concurrent use.
type Basis struct {
	space Space
	n     uint // N, for the range check of Index
	nUp   int
	dim   int

	// Constrained sectors only (nUp ≥ 0).
	states []uint64 // ascending
	nlo    uint     // number of low bits in the split state = hi<<nlo | lo
	loMask uint64
	rankLo []uint32 // rank of lo among the lo patterns of the same popcount
	offHi  []uint32 // number of basis states whose hi part is smaller
}

// NewBasis returns the basis of n sites with nUp up spins, or of the full
// 2^n space when nUp is Unconstrained (−1). It returns an error when n is
// outside [1, MaxBasisSites], nUp outside [0, n], or the dimension exceeds
// MaxBasisDim.
//
// Memory: 8 bytes per state for a sector (the full space stores no states,
// since state k is the integer k), plus 4·(2^⌊N/2⌋ + 2^⌈N/2⌉) bytes of
// ranking tables.
func NewBasis(n, nUp int) (*Basis, error) {
	return NewBasisContext(context.Background(), n, nUp)
}

// NewBasisContext is NewBasis stopped by ctx: the enumeration checks it
// every 256 high parts and returns an error wrapping ctx.Err().
func NewBasisContext(ctx context.Context, n, nUp int) (*Basis, error) {
	if n < 1 || n > MaxBasisSites {
		return nil, fmt.Errorf("hilbert: %d sites: the basis supports 1 ≤ N ≤ %d", n, MaxBasisSites)
	}
	sp, err := NewSpace(n, nUp)
	if err != nil {
		return nil, err
	}
	if sp.Dim() > MaxBasisDim {
		return nil, fmt.Errorf("hilbert: sector N=%d, %s has dimension %d, above the limit %d", n, SectorName(n, nUp), sp.Dim(), MaxBasisDim)
	}
	b := &Basis{space: sp, n: uint(n), nUp: nUp, dim: int(sp.Dim())}
	if nUp == Unconstrained {
		return b, nil
	}
	nlo := n / 2
	nhi := n - nlo
	b.nlo = uint(nlo)
	b.loMask = uint64(1)<<uint(nlo) - 1

	// rankLo and, per popcount, the lo patterns in ascending order.
	b.rankLo = make([]uint32, 1<<uint(nlo))
	count := make([]uint32, nlo+1)
	for lo := range b.rankLo {
		p := bits.OnesCount64(uint64(lo))
		b.rankLo[lo] = count[p]
		count[p]++
	}
	loByPop := make([][]uint64, nlo+1)
	for p := range loByPop {
		loByPop[p] = make([]uint64, 0, count[p])
	}
	for lo := range b.rankLo {
		p := bits.OnesCount64(uint64(lo))
		loByPop[p] = append(loByPop[p], uint64(lo))
	}

	// offHi: states are ordered by hi part first, then lo part.
	b.offHi = make([]uint32, 1<<uint(nhi))
	b.states = make([]uint64, 0, b.dim)
	for hi := range b.offHi {
		if hi%256 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("hilbert: basis enumeration interrupted: %w", ctx.Err())
		}
		b.offHi[hi] = uint32(len(b.states))
		p := nUp - bits.OnesCount64(uint64(hi))
		if p < 0 || p > nlo {
			continue
		}
		h := uint64(hi) << uint(nlo)
		for _, lo := range loByPop[p] {
			b.states = append(b.states, h|lo)
		}
	}
	if len(b.states) != b.dim {
		panic("hilbert: internal error: sector enumeration miscounted")
	}
	return b, nil
}

// Space returns the space the basis spans.
func (b *Basis) Space() Space { return b.space }

// NumSites returns N.
func (b *Basis) NumSites() int { return int(b.n) }

// NumUp returns the number of up spins, or Unconstrained for the full space.
func (b *Basis) NumUp() int { return b.nUp }

// TotalSz returns the sector's S^z_tot = nUp − N/2 and true, or 0 and false
// for the full space.
func (b *Basis) TotalSz() (float64, bool) { return b.space.TotalSz() }

// Dim returns the number of basis states.
func (b *Basis) Dim() int { return b.dim }

// Bytes returns the memory held by the basis (states and ranking tables).
func (b *Basis) Bytes() int64 {
	return 8*int64(len(b.states)) + 4*int64(len(b.rankLo)+len(b.offHi))
}

// String describes the sector.
func (b *Basis) String() string {
	return fmt.Sprintf("basis N=%d %s, dimension %d", b.n, SectorName(int(b.n), b.nUp), b.dim)
}

// State returns the k-th basis state, 0 ≤ k < Dim().
func (b *Basis) State(k int) uint64 {
	if b.states == nil {
		if uint(k) >= uint(b.dim) {
			panic(fmt.Sprintf("hilbert: state index %d out of range [0, %d)", k, b.dim))
		}
		return uint64(k)
	}
	return b.states[k]
}

// Index returns the index k of state s (State(k) == s), or −1 if s is not in
// the basis: it has bits at or above N, or the wrong number of up spins.
// It takes O(1) time (two table look-ups).
func (b *Basis) Index(s uint64) int {
	if s>>b.n != 0 {
		return -1
	}
	if b.states == nil {
		return int(s)
	}
	if bits.OnesCount64(s) != b.nUp {
		return -1
	}
	return int(b.offHi[s>>b.nlo]) + int(b.rankLo[s&b.loMask])
}

// All iterates over the basis in order, yielding each index and state.
func (b *Basis) All() iter.Seq2[int, uint64] {
	return func(yield func(int, uint64) bool) {
		for k := 0; k < b.dim; k++ {
			if !yield(k, b.State(k)) {
				return
			}
		}
	}
}

// ToConfig writes state s as a configuration into dst, which must have
// length N: dst[i] = +1 if bit i of s is set (site i up), −1 otherwise. It
// returns dst.
func (b *Basis) ToConfig(s uint64, dst []int8) []int8 {
	if len(dst) != int(b.n) {
		panic(fmt.Sprintf("hilbert: ToConfig: len(dst) = %d, want %d", len(dst), b.n))
	}
	StateToConfig(s, dst)
	return dst
}

// FromConfig returns the state of configuration x (len(x) must be N): bit i
// is set where x[i] > 0. The state need not lie in the basis; see Index.
func (b *Basis) FromConfig(x []int8) uint64 {
	if len(x) != int(b.n) {
		panic(fmt.Sprintf("hilbert: FromConfig: len(x) = %d, want %d", len(x), b.n))
	}
	return ConfigToState(x)
}
