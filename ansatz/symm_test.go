package ansatz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vmc-lattice/vmc/lattice"
)

func mustLattice(t testing.TB, kind lattice.Kind, extent []int, pbc bool) *lattice.Lattice {
	t.Helper()
	l, err := lattice.New(kind, extent, []bool{pbc})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func symmCases(t *testing.T) []contractCase {
	chain := mustLattice(t, lattice.Chain, []int{6}, true).Translations()
	open := mustLattice(t, lattice.Chain, []int{5}, false).Translations() // identity only: |G| < N
	square := mustLattice(t, lattice.Square, []int{3, 3}, true).Translations()
	honey := mustLattice(t, lattice.Honeycomb, []int{2, 2}, true).Translations() // |G| = N/2
	var cases []contractCase
	for _, tc := range []struct {
		name  string
		group [][]int
		alpha int
		holo  bool
		flip  bool
		scale float64
	}{
		{"chain6", chain, 2, true, false, 0.3},
		{"chain6", chain, 2, true, true, 0.3},
		{"chain6", chain, 3, false, false, 0.5},
		{"chain6", chain, 1, false, true, 0.5},
		{"open5", open, 2, true, false, 0.5},
		{"open5", open, 2, false, false, 0.5},
		{"square3x3", square, 2, true, false, 0.3},
		{"square3x3", square, 1, false, true, 0.3},
		{"honeycomb2x2", honey, 2, true, false, 0.3},
		{"chain6 large", chain, 2, true, false, 2},
	} {
		dtype := "complex"
		if !tc.holo {
			dtype = "real"
		}
		cases = append(cases, contractCase{
			name:  fmt.Sprintf("%s/alpha=%d/%s/flip=%v/scale=%v", tc.name, tc.alpha, dtype, tc.flip, tc.scale),
			new:   func() initializer { return NewSymmRBM(tc.group, tc.alpha, tc.holo, tc.flip) },
			scale: tc.scale,
		})
	}
	return cases
}

func TestSymmRBMContract(t *testing.T) { runContract(t, symmCases(t)) }

func TestSymmRBMTranslationInvariance(t *testing.T) {
	// log ψ(x∘t) = log ψ(x) for every translation t: the same hidden units
	// are summed in another order, so the difference is rounding of a sum
	// of alpha·|G| terms of size ≲ 10: invTol = 1e-12.
	const invTol = 1e-12
	for _, geo := range []struct {
		name string
		l    *lattice.Lattice
	}{
		{"square4x4", mustLattice(t, lattice.Square, []int{4, 4}, true)},
		{"chain10", mustLattice(t, lattice.Chain, []int{10}, true)},
	} {
		group := geo.l.Translations()
		n := geo.l.NumSites()
		if len(group) != n {
			t.Fatalf("%s: %d translations, want %d", geo.name, len(group), n)
		}
		for ci, tc := range []struct {
			alpha      int
			holo, flip bool
		}{{1, true, false}, {3, true, true}, {2, false, false}, {2, false, true}} {
			rng := rand.New(rand.NewPCG(uint64(ci), 101))
			s := NewSymmRBM(group, tc.alpha, tc.holo, tc.flip)
			s.InitRandom(rng, 0.5)
			name := fmt.Sprintf("%s case %d (%v)", geo.name, ci, s)
			xt := make([]int8, n)
			variation := 0.0
			for range 5 {
				x := randConfig(rng, n)
				want := s.LogPsi(x)
				cache := s.NewCache(x)
				for g, tr := range group {
					for i := range xt {
						xt[i] = x[tr[i]]
					}
					if d := logDist(s.LogPsi(xt), want); !(d <= invTol) {
						t.Errorf("%s: translation %d: LogPsi %v, untranslated %v (distance %g)", name, g, s.LogPsi(xt), want, d)
					}
					cache.Reset(xt)
					if d := logDist(cache.LogPsi(), want); !(d <= invTol) {
						t.Errorf("%s: translation %d: cache LogPsi %v, want %v", name, g, cache.LogPsi(), want)
					}
				}
				// The spin flip is a symmetry exactly when requested.
				d := logDist(s.LogPsi(flipped(x, allSites(n))), want)
				if tc.flip && !(d <= invTol) {
					t.Errorf("%s: log ψ(−x) − log ψ(x) = %g, want 0", name, d)
				}
				variation = math.Max(variation, d)
				// Not every permutation is a symmetry: a transposition of
				// two sites changes log ψ (the test is not vacuous).
				x2 := append([]int8(nil), x...)
				for i := 1; i < n; i++ {
					if x2[i] != x2[0] {
						x2[0], x2[i] = x2[i], x2[0]
						break
					}
				}
				variation = math.Max(variation, logDist(s.LogPsi(x2), want))
			}
			if variation < 1e-3 {
				t.Errorf("%s: log ψ hardly varies (%g); the invariance test is vacuous", name, variation)
			}
		}
	}
}

func allSites(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestSymmRBMCounts(t *testing.T) {
	group := mustLattice(t, lattice.Square, []int{4, 4}, true).Translations()
	for _, tc := range []struct {
		alpha      int
		flip       bool
		wantParams int
	}{{1, false, 1 + 1 + 16}, {3, false, 1 + 3 + 48}, {2, true, 32}} {
		s := NewSymmRBM(group, tc.alpha, true, tc.flip)
		if s.NumParams() != tc.wantParams || s.NumHidden() != 16*tc.alpha || s.NumSites() != 16 {
			t.Errorf("alpha=%d flip=%v: NumParams %d NumHidden %d NumSites %d, want %d, %d, 16",
				tc.alpha, tc.flip, s.NumParams(), s.NumHidden(), s.NumSites(), tc.wantParams, 16*tc.alpha)
		}
	}
	s := NewSymmRBM(group, 2, false, true)
	if got, want := s.String(), "SymmRBM(N=16, |G|=16, alpha=2, real, spin-flip symmetric, 32 params)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestSymmRBMParamLayout(t *testing.T) {
	// One nonzero parameter at a time on the chain of 4 (g(i) = i+g mod 4):
	// a → a Σx; b_f → |G| lncosh b_f; W_{f,i} → Σ_g lncosh(W x_{i+g}).
	const n, alpha = 4, 2
	group := mustLattice(t, lattice.Chain, []int{n}, true).Translations()
	s := NewSymmRBM(group, alpha, true, false)
	x := []int8{1, -1, -1, -1}
	p := make([]complex128, s.NumParams())
	for k := range p {
		clear(p)
		v := 0.3 + 0.2i
		p[k] = v
		s.SetParams(p)
		var want complex128
		switch {
		case k == 0:
			want = v * -2
		case k <= alpha:
			want = n * lncosh(v)
		default:
			i := (k - 1 - alpha) % n
			for g := range n {
				want += lncosh(v * complex(float64(x[(i+g)%n]), 0))
			}
		}
		if got := s.LogPsi(x); logDist(got, want) > 1e-14 {
			t.Errorf("parameter %d: LogPsi = %v, want %v", k, got, want)
		}
	}
}

func TestSymmRBMPanics(t *testing.T) {
	chain := mustLattice(t, lattice.Chain, []int{4}, true).Translations()
	s := NewSymmRBM(chain, 1, true, false)
	checkPanics(t,
		func() { NewSymmRBM(chain, 0, true, false) },
		func() { NewSymmRBM(nil, 1, true, false) },
		func() { NewSymmRBM([][]int{{}}, 1, true, false) },
		func() { NewSymmRBM([][]int{{0, 1, 2}, {1, 2}}, 1, true, false) },    // lengths
		func() { NewSymmRBM([][]int{{0, 1, 1}}, 1, true, false) },            // not a permutation
		func() { NewSymmRBM([][]int{{0, 1, 3}}, 1, true, false) },            // out of range
		func() { NewSymmRBM([][]int{{0, 1, 2}, {0, 1, 2}}, 1, true, false) }, // duplicate
		func() { NewSymmRBM([][]int{{0, 1, 2}, {1, 2, 0}}, 1, true, false) }, // not closed
		func() { NewSymmRBM(chain[1:], 1, true, false) },                     // no identity: not closed
		func() { s.SetParams(make([]complex128, 2)) },
		func() { s.Params(make([]complex128, 100)) },
		func() { s.LogPsi([]int8{1, 1}) },
		func() { s.NewCache([]int8{1, 1, 1}) },
		func() { s.NewCache([]int8{1, 1, 1, 1}).Reset([]int8{1}) },
		func() { s.NewCache([]int8{1, 1, 1, 1}).LogDeriv(make([]complex128, 1)) },
	)
	// The group of a 3-cycle is accepted.
	NewSymmRBM([][]int{{0, 1, 2}, {1, 2, 0}, {2, 0, 1}}, 1, true, false)
	if !strings.HasPrefix(s.String(), "SymmRBM(N=4") {
		t.Errorf("String() = %q", s.String())
	}
}

func BenchmarkSymmRBM(b *testing.B) {
	// N = 40 chain with its 40 translations: alpha·40 hidden units, as a
	// dense RBM with the same alpha; parameters of scale 0.1.
	group := mustLattice(b, lattice.Chain, []int{40}, true).Translations()
	for _, holo := range []bool{true, false} {
		for _, alpha := range []int{1, 2, 3, 4} {
			dtype := "complex"
			if !holo {
				dtype = "real"
			}
			b.Run(fmt.Sprintf("%s/N=40/alpha=%d", dtype, alpha), func(b *testing.B) {
				benchOps(b, func() initializer { return NewSymmRBM(group, alpha, holo, false) }, 0.1)
			})
		}
	}
}
