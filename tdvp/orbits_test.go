package tdvp

import (
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/vmc"
)

// TestOrbitSums: the right-hand side θ̇ (from S and F), the energy and the
// observables of a symmetric ansatz are the same, to rounding, with the
// plain exact sums and with the sums over orbit representatives; and a
// single-site observable is refused by the orbit sampler.
func TestOrbitSums(t *testing.T) {
	const n = 10
	l := chainIsing(t, n, true, 1, 1)
	var group [][]int
	for s := range n {
		p, q := make([]int, n), make([]int, n)
		for i := range p {
			p[i], q[i] = (i+s)%n, (n-i+s)%n
		}
		group = append(group, p, q)
	}
	psi := ansatz.NewSymmRBM(group, 2, true, false)
	psi.InitRandom(rand.New(rand.NewPCG(4, 4)), 0.2)
	theta := make([]complex128, psi.NumParams())
	psi.Params(theta)
	var zz [][2]int
	for i := range n {
		zz = append(zz, [2]int{i, (i + 1) % n})
	}
	ops := []hamiltonian.Operator{NewPauliX(n, nil), &PauliZZ{N: n, Pairs: zz}}

	plain, err := vmc.NewExact(psi, nil, vmc.Unconstrained, 1)
	if err != nil {
		t.Fatal(err)
	}
	orb, err := vmc.NewExactOrbits(psi, nil, vmc.Unconstrained, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range append([]hamiltonian.Operator{l}, ops...) {
		if err := orb.CheckOperator(op); err != nil {
			t.Fatal(err)
		}
	}
	if err := orb.CheckOperator(NewPauliX(n, []int{0})); !errors.Is(err, vmc.ErrNotInvariant) {
		t.Errorf("σx_0: %v, want ErrNotInvariant", err)
	}
	for _, imag := range []bool{false, true} {
		var d [2][]complex128
		var e [2]float64
		var obs [2][]vmc.Stats
		for i, smp := range []Sampler{plain, orb} {
			eq, err := NewEquation(psi, smp, l, Options{Imaginary: imag, DiagShift: 1e-4})
			if err != nil {
				t.Fatal(err)
			}
			d[i] = make([]complex128, len(theta))
			if err := eq.Deriv(d[i], theta); err != nil {
				t.Fatal(err)
			}
			e[i] = eq.Energy().Mean
			var b vmc.Batch
			_, obs[i] = Measure(smp, l, ops, &b)
		}
		var num, den float64
		for k := range d[0] {
			num = max(num, cmplx.Abs(d[0][k]-d[1][k]))
			den = max(den, cmplx.Abs(d[0][k]))
		}
		if num > 1e-9*den || math.Abs(e[0]-e[1]) > 1e-12*math.Abs(e[0]) {
			t.Errorf("imaginary = %v: max |Δθ̇| = %.2g of %.2g, E %v vs %v", imag, num, den, e[0], e[1])
		}
		for a := range ops {
			if math.Abs(obs[0][a].Mean-obs[1][a].Mean) > 1e-12 {
				t.Errorf("observable %d: %v vs %v", a, obs[0][a].Mean, obs[1][a].Mean)
			}
		}
		t.Logf("imaginary = %v: max |Δθ̇| = %.2g (max |θ̇| = %.2g), ΔE = %.2g", imag, num, den, e[0]-e[1])
	}
}
