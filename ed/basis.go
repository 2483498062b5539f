package ed

import (
	"context"
	"fmt"
	"iter"
	"math"
	"math/big"
	"math/bits"
)

// MaxSites is the largest number of sites a Basis can describe. Its ranking
// tables have 2^⌈N/2⌉ entries, 4 MiB each at N = 40.
const MaxSites = 40

// MaxDim is the largest dimension of a Basis: ranks are stored as uint32 and
// the sparse matrix uses int32 column indices.
const MaxDim = math.MaxInt32

// Unconstrained, passed as nUp, selects the full 2^N space.
const Unconstrained = -1

// Basis is the orthonormal basis of one sector of the N-spin Hilbert space:
// either the full 2^N space or the states with a fixed number of up spins.
// Basis states are uint64 bit strings (bit i set means site i is up) listed
// in ascending order; the k-th state has index k. See the package
// documentation for the ranking scheme.
//
// A Basis is immutable and safe for concurrent use.
type Basis struct {
	n, nUp int
	dim    int

	// Constrained sectors only (nUp ≥ 0).
	states []uint64 // ascending
	nlo    uint     // number of low bits in the split state = hi<<nlo | lo
	loMask uint64
	rankLo []uint32 // rank of lo among the lo patterns of the same popcount
	offHi  []uint32 // number of basis states whose hi part is smaller
}

// SectorDim returns the dimension of the sector of n sites with nUp up spins,
// C(n, nUp), or 2^n when nUp is Unconstrained. It accepts n ≤ 62, beyond
// what NewBasis can build, so that callers can check feasibility first.
func SectorDim(n, nUp int) (int64, error) {
	if n < 1 || n > 62 {
		return 0, fmt.Errorf("ed: %d sites: want 1 ≤ N ≤ 62", n)
	}
	if nUp == Unconstrained {
		return int64(1) << uint(n), nil
	}
	if nUp < 0 || nUp > n {
		return 0, fmt.Errorf("ed: %d up spins on %d sites: want 0 ≤ nUp ≤ N or nUp = -1 (unconstrained)", nUp, n)
	}
	return new(big.Int).Binomial(int64(n), int64(nUp)).Int64(), nil
}

// NumUp converts a total magnetization S^z_tot = Σ_i x_i/2 on n sites into
// the number of up spins, nUp = n/2 + S^z_tot. A nil totalSz means no
// constraint and gives Unconstrained. It is an error if n/2 + S^z_tot is not
// an integer in [0, n] (for example S^z_tot = 0 on an odd number of sites).
func NumUp(n int, totalSz *float64) (int, error) {
	if totalSz == nil {
		return Unconstrained, nil
	}
	twice := 2 * *totalSz
	if twice != math.Trunc(twice) || math.IsInf(twice, 0) {
		return 0, fmt.Errorf("ed: total_sz = %g is not a multiple of 1/2", *totalSz)
	}
	m := int(twice) + n
	if m%2 != 0 || m < 0 || m > 2*n {
		return 0, fmt.Errorf("ed: total_sz = %g is impossible on %d sites (want -N/2 ≤ total_sz ≤ N/2 with N/2 + total_sz an integer)", *totalSz, n)
	}
	return m / 2, nil
}

// NewBasis returns the basis of n sites with nUp up spins, or of the full
// 2^n space when nUp is Unconstrained (-1). It returns an error when n is
// outside [1, MaxSites], nUp outside [0, n], or the dimension exceeds MaxDim.
//
// Memory: 8 bytes per state for a constrained sector (the full space stores
// no states, since state k is the integer k), plus 4·(2^⌊N/2⌋ + 2^⌈N/2⌉)
// bytes of ranking tables.
func NewBasis(n, nUp int) (*Basis, error) {
	return newBasis(context.Background(), n, nUp)
}

// newBasis is NewBasis, stopped with ctx (checked every 256 high parts).
func newBasis(ctx context.Context, n, nUp int) (*Basis, error) {
	if n < 1 || n > MaxSites {
		return nil, fmt.Errorf("ed: %d sites: the basis supports 1 ≤ N ≤ %d", n, MaxSites)
	}
	d, err := SectorDim(n, nUp)
	if err != nil {
		return nil, err
	}
	if d > MaxDim {
		return nil, fmt.Errorf("ed: sector N=%d, %s has dimension %d, above the limit %d", n, sectorName(n, nUp), d, MaxDim)
	}
	b := &Basis{n: n, nUp: nUp, dim: int(d)}
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
		if hi%256 == 0 {
			if err := interrupted(ctx, "basis enumeration"); err != nil {
				return nil, err
			}
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
		panic("ed: internal error: sector enumeration miscounted")
	}
	return b, nil
}

func sectorName(n, nUp int) string {
	if nUp == Unconstrained {
		return "full space"
	}
	return fmt.Sprintf("nUp=%d (S^z=%g)", nUp, float64(2*nUp-n)/2)
}

// NumSites returns N.
func (b *Basis) NumSites() int { return b.n }

// NumUp returns the number of up spins, or Unconstrained for the full space.
func (b *Basis) NumUp() int { return b.nUp }

// TotalSz returns the sector's S^z_tot = nUp - N/2 and true, or 0 and false
// for the full space.
func (b *Basis) TotalSz() (float64, bool) {
	if b.nUp == Unconstrained {
		return 0, false
	}
	return float64(2*b.nUp-b.n) / 2, true
}

// Dim returns the number of basis states.
func (b *Basis) Dim() int { return b.dim }

// Bytes returns the memory held by the basis (states and ranking tables).
func (b *Basis) Bytes() int64 {
	return 8*int64(len(b.states)) + 4*int64(len(b.rankLo)+len(b.offHi))
}

// String describes the sector.
func (b *Basis) String() string {
	return fmt.Sprintf("basis N=%d %s, dimension %d", b.n, sectorName(b.n, b.nUp), b.dim)
}

// State returns the k-th basis state, 0 ≤ k < Dim().
func (b *Basis) State(k int) uint64 {
	if b.states == nil {
		if uint(k) >= uint(b.dim) {
			panic(fmt.Sprintf("ed: state index %d out of range [0, %d)", k, b.dim))
		}
		return uint64(k)
	}
	return b.states[k]
}

// Index returns the index k of state s (State(k) == s), or -1 if s is not in
// the basis: it has bits at or above N, or the wrong number of up spins.
// It takes O(1) time (two table look-ups).
func (b *Basis) Index(s uint64) int {
	if s>>uint(b.n) != 0 {
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

// index is Index for a state already known to have N bits: the caller has
// checked s>>N == 0 (a flip of sites < N keeps it so).
func (b *Basis) index(s uint64) int {
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
// length N: dst[i] = +1 if bit i of s is set (site i up), -1 otherwise. It
// returns dst.
func (b *Basis) ToConfig(s uint64, dst []int8) []int8 {
	if len(dst) != b.n {
		panic(fmt.Sprintf("ed: ToConfig: len(dst) = %d, want %d", len(dst), b.n))
	}
	StateToConfig(s, dst)
	return dst
}

// FromConfig returns the state of configuration x (len(x) must be N): bit i
// is set where x[i] > 0. The state need not lie in the basis; see Index.
func (b *Basis) FromConfig(x []int8) uint64 {
	if len(x) != b.n {
		panic(fmt.Sprintf("ed: FromConfig: len(x) = %d, want %d", len(x), b.n))
	}
	return ConfigToState(x)
}

// StateToConfig writes the len(dst) lowest bits of s into dst as ±1 spins:
// dst[i] = +1 if bit i is set, -1 otherwise.
func StateToConfig(s uint64, dst []int8) {
	for i := range dst {
		dst[i] = int8(s>>uint(i)&1)*2 - 1
	}
}

// ConfigToState returns the bit string of configuration x: bit i is set
// where x[i] > 0. len(x) must be at most 64.
func ConfigToState(x []int8) uint64 {
	if len(x) > 64 {
		panic(fmt.Sprintf("ed: configuration of %d sites does not fit 64 bits", len(x)))
	}
	var s uint64
	for i, v := range x {
		if v > 0 {
			s |= 1 << uint(i)
		}
	}
	return s
}
