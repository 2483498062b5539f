package observable

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/vmc"
)

// MeasureOperator on a Monte Carlo batch agrees with the same estimator on
// the exact (weighted) batch of the same ψ within 4 error bars, for a
// diagonal, an off-diagonal and a complex operator, without and with a
// fixed sector; and the exact batch gives the same value for any threads.
func TestMeasureOperator(t *testing.T) {
	l := chain(t, 8)
	for _, tc := range []struct {
		name  string
		terms []hamiltonian.Term
		nUp   int
	}{
		{"sx field", sitesTerms("x", 8, 1), vmc.Unconstrained},
		{"zz bonds", bondTerms("zz", 8, 0.5), vmc.Unconstrained},
		{"xx+yy bonds, sector", append(bondTerms("xx", 8, 1), bondTerms("yy", 8, 1)...), 4},
		{"xx bonds (leave the sector), sector", bondTerms("xx", 8, 1), 4},
		{"DM (complex), sector", dmTerms(8), 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op, err := hamiltonian.NewTerms(8, tc.terms, hamiltonian.Pauli)
			if err != nil {
				t.Fatal(err)
			}
			psi := ansatz.NewRBM(8, 1, true)
			psi.InitRandom(rand.New(rand.NewPCG(3, 9)), 0.3)
			var h hamiltonian.Operator = heisenberg(t, l, false)
			if tc.nUp == vmc.Unconstrained {
				h = ising(t, l, 1)
			}
			ex, err := vmc.NewExact(psi, h, tc.nUp, 1)
			if err != nil {
				t.Fatal(err)
			}
			var eb vmc.Batch
			ex.Sample(&eb, false)
			want, err := MeasureOperator(&eb, psi, op, tc.nUp, 1)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := MeasureOperator(&eb, psi, op, tc.nUp, 3)
			if again.Mean != want.Mean {
				t.Errorf("threads change the exact value: %v vs %v", again.Mean, want.Mean)
			}
			move := vmc.Local
			if tc.nUp >= 0 {
				move = vmc.Exchange
			}
			b := mcBatch(t, psi, h, vmc.Options{Chains: 8, Samples: 16000, Move: move, NUp: tc.nUp, Seed: 5})
			got, err := MeasureOperator(b, psi, op, tc.nUp, 2)
			if err != nil {
				t.Fatal(err)
			}
			if d := math.Abs(got.Mean - want.Mean); d > 4*got.Error || got.Error == 0 {
				t.Errorf("Monte Carlo %v, exact %.6f: %.1f error bars", got, want.Mean, d/got.Error)
			}
		})
	}
}

func sitesTerms(op string, n int, c complex128) []hamiltonian.Term {
	var ts []hamiltonian.Term
	for i := 0; i < n; i++ {
		ts = append(ts, hamiltonian.Term{Op: op, Sites: []int{i}, Coupling: c})
	}
	return ts
}

func bondTerms(op string, n int, c complex128) []hamiltonian.Term {
	var ts []hamiltonian.Term
	for i := 0; i < n; i++ {
		ts = append(ts, hamiltonian.Term{Op: op, Sites: []int{i, (i + 1) % n}, Coupling: c})
	}
	return ts
}

// dmTerms is Σ_i (σx_i σy_{i+1} − σy_i σx_{i+1}), the z Dzyaloshinskii–
// Moriya term: Hermitian, with imaginary elements, conserving S^z.
func dmTerms(n int) []hamiltonian.Term {
	return append(bondTerms("xy", n, 1), bondTerms("yx", n, -1)...)
}

// ExactOperator of the Hamiltonian itself is E0, for a real and for a
// complex (Dzyaloshinskii–Moriya) Hamiltonian, whose ground state is the
// complex vector of the ED result.
func TestExactOperatorIsE0(t *testing.T) {
	for _, tc := range []struct {
		name  string
		terms []hamiltonian.Term
	}{
		{"heisenberg", append(append(bondTerms("xx", 8, 1), bondTerms("yy", 8, 1)...), bondTerms("zz", 8, 1)...)},
		{"xx+yy+DM", append(append(bondTerms("xx", 8, 1), bondTerms("yy", 8, 1)...), dmTerms(8)...)},
	} {
		op, err := hamiltonian.NewTerms(8, tc.terms, hamiltonian.Spin)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ed.Solve(op, 4, ed.Options{K: 1, Vector: true, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		v, err := ExactOperator(res, op)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(v - res.Energies[0]); d > 1e-10 {
			t.Errorf("%s: ⟨ψ0|H|ψ0⟩ = %.12f, E0 = %.12f", tc.name, v, res.Energies[0])
		}
	}
}
