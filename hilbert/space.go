package hilbert

import (
	"fmt"
	"iter"
	"math"
	"math/big"
	"math/bits"
)

// Unconstrained, passed as the number of up spins, selects the full 2^N
// space instead of a sector of fixed magnetization.
const Unconstrained = -1

// MaxSites is the largest number of sites of a Space: 2^N must fit an int64.
const MaxSites = 62

// Space is the full 2^N-dimensional space of N spin-1/2 sites or its sector
// with a fixed number of up spins. The zero value is not a valid Space; use
// NewSpace.
type Space struct {
	n, nUp int
	dim    int64
}

// NewSpace returns the space of n sites with nUp up spins, or the full 2^n
// space when nUp is Unconstrained. It returns an error when n is outside
// [1, MaxSites] or nUp outside [0, n] (and not Unconstrained).
func NewSpace(n, nUp int) (Space, error) {
	d, err := SectorDim(n, nUp)
	if err != nil {
		return Space{}, err
	}
	return Space{n: n, nUp: nUp, dim: d}, nil
}

// SectorDim returns the dimension of the sector of n sites with nUp up
// spins,
//
//	C(n, nUp), or 2^n when nUp is Unconstrained,
//
// or an error when n is outside [1, MaxSites] or nUp outside [0, n].
func SectorDim(n, nUp int) (int64, error) {
	if n < 1 || n > MaxSites {
		return 0, fmt.Errorf("hilbert: %d sites: want 1 ≤ N ≤ %d", n, MaxSites)
	}
	if nUp == Unconstrained {
		return int64(1) << uint(n), nil
	}
	if nUp < 0 || nUp > n {
		return 0, fmt.Errorf("hilbert: %d up spins on %d sites: want 0 ≤ nUp ≤ N or nUp = -1 (unconstrained)", nUp, n)
	}
	return new(big.Int).Binomial(int64(n), int64(nUp)).Int64(), nil
}

// NumUp converts a total magnetization S^z_tot = Σ_i x_i/2 on n sites into
// the number of up spins,
//
//	nUp = n/2 + S^z_tot.
//
// A nil totalSz means no constraint and gives Unconstrained. It is an error
// if n/2 + S^z_tot is not an integer in [0, n] (for example S^z_tot = 0 on
// an odd number of sites).
func NumUp(n int, totalSz *float64) (int, error) {
	if totalSz == nil {
		return Unconstrained, nil
	}
	twice := 2 * *totalSz
	if twice != math.Trunc(twice) || math.IsInf(twice, 0) {
		return 0, fmt.Errorf("hilbert: total_sz = %g is not a multiple of 1/2", *totalSz)
	}
	m := int(twice) + n
	if m%2 != 0 || m < 0 || m > 2*n {
		return 0, fmt.Errorf("hilbert: total_sz = %g is impossible on %d sites (want -N/2 ≤ total_sz ≤ N/2 with N/2 + total_sz an integer)", *totalSz, n)
	}
	return m / 2, nil
}

// SectorName describes the sector of n sites with nUp up spins: "full
// space" or "nUp=k (S^z=m)".
func SectorName(n, nUp int) string {
	if nUp == Unconstrained {
		return "full space"
	}
	return fmt.Sprintf("nUp=%d (S^z=%g)", nUp, float64(2*nUp-n)/2)
}

// NumSites returns N.
func (s Space) NumSites() int { return s.n }

// NumUp returns the number of up spins, or Unconstrained for the full space.
func (s Space) NumUp() int { return s.nUp }

// Dim returns the number of basis states.
func (s Space) Dim() int64 { return s.dim }

// TotalSz returns the sector's S^z_tot = nUp − N/2 and true, or 0 and false
// for the full space.
func (s Space) TotalSz() (float64, bool) {
	if s.nUp == Unconstrained {
		return 0, false
	}
	return float64(2*s.nUp-s.n) / 2, true
}

// Contains reports whether state v lies in the space: no bit at or above N
// and, in a sector, nUp bits set.
func (s Space) Contains(v uint64) bool {
	return v>>uint(s.n) == 0 && (s.nUp == Unconstrained || bits.OnesCount64(v) == s.nUp)
}

// String describes the space.
func (s Space) String() string {
	return fmt.Sprintf("N=%d %s, dimension %d", s.n, SectorName(s.n, s.nUp), s.dim)
}

// All iterates over the states in increasing order, yielding each index and
// state, without storing them: by counting for the full space and by
// Gosper's hack (see the package documentation) in a sector.
func (s Space) All() iter.Seq2[int, uint64] {
	return func(yield func(int, uint64) bool) {
		if s.nUp == Unconstrained {
			for k := range int(s.dim) {
				if !yield(k, uint64(k)) {
					return
				}
			}
			return
		}
		v := uint64(1)<<uint(s.nUp) - 1
		for k := range int(s.dim) {
			if !yield(k, v) {
				return
			}
			v = nextSamePopcount(v)
		}
	}
}

// nextSamePopcount returns the next larger integer with the same number of
// set bits as v ≠ 0 (Gosper's hack); for v = 0 it returns 0.
func nextSamePopcount(v uint64) uint64 {
	if v == 0 {
		return 0
	}
	t := v | (v - 1)
	return (t + 1) | (((^t & -^t) - 1) >> (uint(bits.TrailingZeros64(v)) + 1))
}

// StateToConfig writes the len(dst) lowest bits of v into dst as ±1 spins:
// dst[i] = +1 if bit i is set, −1 otherwise.
func StateToConfig(v uint64, dst []int8) {
	for i := range dst {
		dst[i] = int8(v>>uint(i)&1)*2 - 1
	}
}

// ConfigToState returns the bit string of configuration x: bit i is set
// where x[i] > 0. It panics if len(x) > 64.
func ConfigToState(x []int8) uint64 {
	if len(x) > 64 {
		panic(fmt.Sprintf("hilbert: configuration of %d sites does not fit 64 bits", len(x)))
	}
	var v uint64
	for i, xi := range x {
		if xi > 0 {
			v |= 1 << uint(i)
		}
	}
	return v
}
