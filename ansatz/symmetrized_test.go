package ansatz

import (
	"math/rand/v2"
	"testing"
)

// ringGroup returns the dihedral group of a ring of n sites (n rotations
// and n reflections).
func ringGroup(n int) [][]int {
	var g [][]int
	for s := range n {
		rot, ref := make([]int, n), make([]int, n)
		for i := range n {
			rot[i] = (i + s) % n
			ref[i] = (s - i + n) % n
		}
		g = append(g, rot, ref)
	}
	// Identity first.
	return g
}

func symmetrizedCases() []contractCase {
	const n = 6
	return []contractCase{
		{"ffnn-real", func() initializer { return NewSymmetrized(NewFFNN(n, []int{8, 4}, Tanh, false), ringGroup(n)) }, 1},
		{"ffnn-complex", func() initializer { return NewSymmetrized(NewFFNN(n, []int{8}, LnCosh, true), ringGroup(n)) }, 0.5},
		{"jastrow-complex", func() initializer { return NewSymmetrized(NewJastrow(n, true, true), ringGroup(n)) }, 0.5},
		{"rbm-real", func() initializer { return NewSymmetrized(NewRBM(n, 2, false), ringGroup(n)) }, 0.5},
	}
}

// The wrapper satisfies the whole Ansatz/Cache contract (finite-difference
// derivatives, cached log-ratios over long move sequences, no allocations,
// concurrency).
func TestSymmetrizedContract(t *testing.T) { runContract(t, symmetrizedCases()) }

// log ψ is invariant under the group, and equals log of the group average
// of the base amplitudes.
func TestSymmetrizedInvariant(t *testing.T) {
	const n = 6
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range symmetrizedCases() {
		a := tc.new()
		a.InitRandom(rng, tc.scale)
		s := a.(*Symmetrized)
		for range 20 {
			x := randConfig(rng, n)
			l0 := a.LogPsi(x)
			y := make([]int8, n)
			for g := range s.GroupOrder() {
				s.permute(y, x, g)
				if d := logDist(a.LogPsi(y), l0); d > 1e-12 {
					t.Fatalf("%s: log ψ changes by %g under element %d", tc.name, d, g)
				}
			}
		}
	}
}

// Cost of a two-site log-ratio of a real FFNN [40, 20] on 20 sites, plain
// and summed over the 40 elements of the ring's dihedral group (expect
// about 40×).
func BenchmarkSymmetrizedLogRatio(b *testing.B) {
	const n = 20
	b.Run("plain", func(b *testing.B) {
		benchCache(b, NewFFNN(n, []int{40, 20}, Tanh, false), 0.5, 2, func(c Cache, f []int) { c.LogRatio(f) })
	})
	b.Run("dihedral", func(b *testing.B) {
		benchCache(b, NewSymmetrized(NewFFNN(n, []int{40, 20}, Tanh, false), ringGroup(n)), 0.5, 2, func(c Cache, f []int) { c.LogRatio(f) })
	})
}
