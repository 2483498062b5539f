package hilbert

import (
	"fmt"
	"iter"
)

// Permute returns the state of the configuration x∘g, (x∘g)_i = x_{g(i)},
// for the state v of x: bit i of the result is bit g[i] of v. The tables
// of a Permutation make this a few lookups.
func Permute(v uint64, g []int) uint64 {
	var r uint64
	for i, gi := range g {
		r |= (v >> uint(gi) & 1) << uint(i)
	}
	return r
}

// permTable applies one permutation to a state by byte lookups: the
// image of v is the OR over the bytes c of v of tab[c][byte c of v].
type permTable [][256]uint64

func newPermTable(g []int) permTable {
	n := len(g)
	t := make(permTable, (n+7)/8)
	// inv[j] = i with g(i) = j: bit j of v goes to bit inv[j].
	inv := make([]int, n)
	for i, gi := range g {
		inv[gi] = i
	}
	for c := range t {
		for b := range 256 {
			var r uint64
			for k := range 8 {
				j := 8*c + k
				if j < n && b>>uint(k)&1 == 1 {
					r |= 1 << uint(inv[j])
				}
			}
			t[c][b] = r
		}
	}
	return t
}

func (t permTable) apply(v uint64) uint64 {
	var r uint64
	for c := range t {
		r |= t[c][byte(v>>uint(8*c))]
	}
	return r
}

// Orbits iterates over the orbits of the states of s under a group G of
// site permutations (group[g][i] = g(i), N = len(group[g]); the same
// convention as lattice.Lattice.Translations), in increasing order of
// their representatives, yielding each representative and the size of its
// orbit {Permute(v, g) : g ∈ G}. The representative is the smallest state
// of its orbit, and the orbit sizes add up to s.Dim(). Permutations keep
// the number of up spins, so the orbits of a sector stay in it.
//
// group must be a group (closed under composition, with the identity):
// the orbit sizes are the numbers of distinct images, |G|/|stabilizer|,
// only then. Orbits checks the permutations, not the closure; it returns
// an error for a group without the identity, an element of the wrong
// length or one that is not a permutation of 0 … N−1.
//
// Cost: a few table lookups per state and group element, with an early
// exit for the states that are not representatives; 2^20 states under the
// 40 symmetries of a ring of 20 sites take about 30 ms.
func (s Space) Orbits(group [][]int) (iter.Seq2[uint64, int], error) {
	tabs := make([]permTable, len(group))
	for g, p := range group {
		if len(p) != s.n {
			return nil, fmt.Errorf("hilbert: group element %d permutes %d sites, the space has %d", g, len(p), s.n)
		}
		seen := make([]bool, s.n)
		for _, j := range p {
			if j < 0 || j >= s.n || seen[j] {
				return nil, fmt.Errorf("hilbert: group element %d is not a permutation of 0 … %d", g, s.n-1)
			}
			seen[j] = true
		}
		tabs[g] = newPermTable(p)
	}
	identity := false
	for _, p := range group {
		id := true
		for i, j := range p {
			id = id && i == j
		}
		identity = identity || id
	}
	if !identity {
		return nil, fmt.Errorf("hilbert: the group of %d permutations lacks the identity", len(group))
	}
	ng := len(group)
	return func(yield func(uint64, int) bool) {
	states:
		for _, v := range s.All() {
			fixed := 0
			for _, t := range tabs {
				w := t.apply(v)
				if w < v {
					continue states
				}
				if w == v {
					fixed++
				}
			}
			if !yield(v, ng/fixed) {
				return
			}
		}
	}, nil
}
