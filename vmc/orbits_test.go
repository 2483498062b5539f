package vmc

import (
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
)

// moments returns the weighted averages of a batch: E, Var E, ⟨O_k⟩,
// S_kl = ⟨O_k* O_l⟩ − ⟨O_k*⟩⟨O_l⟩ and F_k = ⟨O_k* E⟩ − ⟨O_k*⟩⟨E⟩.
func moments(b *Batch) (e complex128, v float64, mo []complex128, s [][]complex128, f []complex128) {
	p := b.P
	mo = make([]complex128, p)
	f = make([]complex128, p)
	s = make([][]complex128, p)
	for k := range s {
		s[k] = make([]complex128, p)
	}
	for i := 0; i < b.Ns; i++ {
		w := complex(b.W[i], 0)
		e += w * b.E[i]
		for k, o := range b.ORow(i) {
			mo[k] += w * o
		}
	}
	for i := 0; i < b.Ns; i++ {
		w := complex(b.W[i], 0)
		d := b.E[i] - e
		v += b.W[i] * real(d*cmplx.Conj(d))
		row := b.ORow(i)
		for k := range row {
			ck := cmplx.Conj(row[k] - mo[k])
			f[k] += w * ck * d
			for l := range row {
				s[k][l] += w * ck * (row[l] - mo[l])
			}
		}
	}
	return
}

func ringGroup(n int, reflections bool) [][]int {
	var g [][]int
	for t := range n {
		p := make([]int, n)
		q := make([]int, n)
		for i := range p {
			p[i] = (i + t) % n
			q[i] = (n - i + t) % n
		}
		g = append(g, p)
		if reflections {
			g = append(g, q)
		}
	}
	return g
}

// TestExactOrbits checks that the sums over orbit representatives equal
// the plain exact sums: energy, variance, ⟨O_k⟩, S and F.
func TestExactOrbits(t *testing.T) {
	const n = 8
	rng := rand.New(rand.NewPCG(3, 5))
	symm := func(refl, holo, flip bool) ansatz.Ansatz {
		s := ansatz.NewSymmRBM(ringGroup(n, refl), 2, holo, flip)
		s.InitRandom(rng, 0.3)
		return s
	}
	summed := ansatz.NewSymmetrized(randomRBM(n, 1, true, 0.3, 9), ringGroup(n, false))
	pi := make([]complex128, n) // momentum π: χ(t) = (−1)^t
	for k := range pi {
		pi[k] = complex(math.Pow(-1, float64(k)), 0)
	}
	gcnn := ansatz.NewGCNN(ringGroup(n, false), []int{2, 2}, ansatz.LnCosh, true, pi)
	gcnn.InitRandom(rng, 0.3)
	tests := []struct {
		name string
		psi  ansatz.Ansatz
		op   hamiltonian.Operator
		nUp  int
	}{
		{"ising-symmrbm-translations", symm(false, true, false), ising(t, n, 0.7), Unconstrained},
		{"ising-symmrbm-dihedral", symm(true, true, false), ising(t, n, 1.3), Unconstrained},
		{"ising-symmrbm-real-flip", symm(true, false, true), ising(t, n, 0.5), Unconstrained},
		{"heisenberg-symmrbm-sector", symm(true, true, false), heisenberg(t, n, true, true), n / 2},
		{"ising-symmetrized-rbm", summed, ising(t, n, 1), Unconstrained},
		{"heisenberg-gcnn-momentum-pi", gcnn, heisenberg(t, n, true, false), n / 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plain, err := NewExact(tc.psi, tc.op, tc.nUp, 2)
			if err != nil {
				t.Fatal(err)
			}
			orb, err := NewExactOrbits(tc.psi, tc.op, tc.nUp, 3)
			if err != nil {
				t.Fatal(err)
			}
			if !orb.Orbits() || plain.Orbits() {
				t.Fatal("Orbits() is wrong")
			}
			if orb.Dim() >= plain.Dim() {
				t.Errorf("%d representatives for %d configurations", orb.Dim(), plain.Dim())
			}
			var tot int
			for s := range orb.Dim() {
				tot += orb.Multiplicity(s)
			}
			if tot != plain.Dim() {
				t.Errorf("orbit sizes add up to %d, want %d", tot, plain.Dim())
			}
			var bp, bo Batch
			plain.Sample(&bp, true)
			orb.Sample(&bo, true)
			e1, v1, o1, s1, f1 := moments(&bp)
			e2, v2, o2, s2, f2 := moments(&bo)
			const tol = 1e-12
			close := func(what string, a, b complex128) {
				t.Helper()
				if cmplx.Abs(a-b) > tol*max(1, cmplx.Abs(a)) {
					t.Errorf("%s: plain %v, orbits %v (Δ %.2g)", what, a, b, cmplx.Abs(a-b))
				}
			}
			close("E", e1, e2)
			close("Var E", complex(v1, 0), complex(v2, 0))
			if st1, st2 := bp.EnergyStats(), bo.EnergyStats(); math.Abs(st1.Mean-st2.Mean) > tol*math.Abs(st1.Mean) {
				t.Errorf("EnergyStats: %v vs %v", st1, st2)
			}
			for k := range o1 {
				close("⟨O_k⟩", o1[k], o2[k])
				close("F_k", f1[k], f2[k])
				for l := range o1 {
					close("S_kl", s1[k][l], s2[k][l])
				}
			}
			t.Logf("%d configurations, %d representatives; E = %.12f, |F| ~ %.3g", plain.Dim(), orb.Dim(), real(e1), cmplx.Abs(f1[0]))
		})
	}
}

// TestExactOrbitsRefused: a dense RBM has no group, and an operator that
// does not commute with the group is refused.
func TestExactOrbitsRefused(t *testing.T) {
	const n = 6
	_, err := NewExactOrbits(randomRBM(n, 1, true, 0.3, 1), ising(t, n, 1), Unconstrained, 1)
	if !errors.Is(err, ErrNotInvariant) {
		t.Errorf("dense RBM: error %v, want ErrNotInvariant", err)
	}
	psi := ansatz.NewSymmRBM(ringGroup(n, true), 1, true, false)
	psi.InitRandom(rand.New(rand.NewPCG(1, 1)), 0.2)
	open := func() hamiltonian.Operator {
		h, err := hamiltonian.NewIsing(chainLattice(t, n, false), hamiltonian.IsingParams{J: 1, H: 1})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}()
	if _, err := NewExactOrbits(psi, open, Unconstrained, 1); !errors.Is(err, ErrNotInvariant) {
		t.Errorf("open chain under ring translations: error %v, want ErrNotInvariant", err)
	}
	ex, err := NewExactOrbits(psi, nil, Unconstrained, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.CheckOperator(ising(t, n, 1)); err != nil {
		t.Errorf("periodic Ising: %v", err)
	}
	if err := ex.CheckOperator(open); !errors.Is(err, ErrNotInvariant) {
		t.Errorf("CheckOperator(open chain): %v, want ErrNotInvariant", err)
	}
	// A symmetric RBM whose declared group is not its invariance: a dense
	// RBM wrapped so that it claims the translations.
	liar := fakeInvariant{randomRBM(n, 1, true, 0.3, 2), ringGroup(n, false)}
	if _, err := NewExactOrbits(liar, nil, Unconstrained, 1); !errors.Is(err, ErrNotInvariant) {
		t.Errorf("non-invariant amplitudes: error %v, want ErrNotInvariant", err)
	}
	// Plain enumerators accept every operator.
	plain, _ := NewExact(psi, nil, Unconstrained, 1)
	if err := plain.CheckOperator(open); err != nil {
		t.Errorf("plain Exact: %v", err)
	}
}

type fakeInvariant struct {
	*ansatz.RBM
	group [][]int
}

func (f fakeInvariant) InvarianceGroup() [][]int { return f.group }
