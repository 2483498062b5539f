// Package hilbert describes the Hilbert space of N spin-1/2 sites in the
// σ^z basis and its sectors of fixed magnetization: dimension, enumeration
// and ranking of basis states. It is the one home of these definitions for
// exact diagonalization (package ed), exact enumeration in variational Monte
// Carlo (vmc.Exact) and the exact observables.
//
// # Bit convention
//
// A basis state is a uint64 bit string: bit i set means site i is up
// (x_i = +1, S^z_i = +1/2), bit i clear means down (x_i = −1). StateToConfig
// and ConfigToState convert to and from the []int8 configurations of
// package hamiltonian.
//
// # Spaces and sectors
//
// A Space is either the full space of 2^N states (nUp = Unconstrained) or
// the sector of states with nUp up spins, S^z_tot = nUp − N/2, of dimension
// C(N, nUp); NumUp converts a total S^z into nUp. States are always listed
// in increasing order of their bit strings; the index of a state is its
// position in that order, for every type of this package. Space.All
// enumerates a sector without storing it, by Gosper's hack (HAKMEM item
// 175): the next larger integer with the same number of set bits is
//
//	t = v | (v − 1),   next(v) = (t + 1) | ((¬t & −¬t) − 1) >> (tz(v) + 1),
//
// tz being the number of trailing zeros. A Space takes N ≤ MaxSites = 62
// sites, so that every dimension fits an int64.
//
// # Ranking
//
// A Basis stores the states of a Space and ranks them in O(1) by Lin's
// two-table method (H. Q. Lin, Phys. Rev. B 42, 6561 (1990)): split a state
// into its high ⌈N/2⌉ and low ⌊N/2⌋ bits, s = hi·2^⌊N/2⌋ + lo; then
//
//	Index(s) = offHi[hi] + rankLo[lo]
//
// where offHi[hi] counts the basis states with a smaller high part and
// rankLo[lo] is the rank of lo among the low patterns with the same number
// of up spins. The tables have 2^⌈N/2⌉ and 2^⌊N/2⌋ uint32 entries (4 MiB
// each at N = MaxBasisSites = 40). Index returns −1 for a state outside
// the sector. A Basis has at most MaxBasisDim = 2^31 − 1 states, so that
// ranks fit uint32 and sparse matrices int32 column indices. The full space
// stores nothing: state k is the integer k.
//
// Spaces and Bases are immutable and safe for concurrent use.
package hilbert
