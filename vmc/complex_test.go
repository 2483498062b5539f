package vmc

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/vmc-lattice/vmc/hamiltonian"
)

// termElement is ⟨a|Σ_t c_t Π_k Op_k|b⟩ computed site by site from the 2×2
// matrices in the (down, up) basis (bit i of a state: site i up), the
// reference of TestLocalEnergyComplex, independent of package
// hamiltonian's expansion.
func termElement(n int, terms []hamiltonian.Term, a, b int) complex128 {
	p := map[byte][2][2]complex128{
		'x': {{0, 1}, {1, 0}}, 'y': {{0, 1i}, {-1i, 0}}, 'z': {{-1, 0}, {0, 1}},
		'+': {{0, 0}, {1, 0}}, '-': {{0, 1}, {0, 0}},
	}
	var sum complex128
	for _, t := range terms {
		v := t.Coupling
		for s := 0; s < n; s++ {
			ai, bi := a>>s&1, b>>s&1
			f := complex(0, 0)
			if ai == bi {
				f = 1
			}
			for k, site := range t.Sites {
				if site == s {
					f = p[t.Op[k]][ai][bi]
				}
			}
			v *= f
		}
		sum += v
	}
	return sum
}

// Local energies of an operator with complex elements (σ^y field,
// Dzyaloshinskii–Moriya bonds, a flux hopping) against the dense sum
// Σ_x' H_xx' ψ(x')/ψ(x), through LocalEstimator (Exact sampler), and the
// exact energy against ψ†Hψ/ψ†ψ.
func TestLocalEnergyComplex(t *testing.T) {
	const n = 5
	phi := cmplx.Exp(0.9i)
	terms := []hamiltonian.Term{
		{Op: "y", Sites: []int{0}, Coupling: 0.7},
		{Op: "xy", Sites: []int{1, 2}, Coupling: 0.5}, {Op: "yx", Sites: []int{1, 2}, Coupling: -0.5},
		{Op: "+-", Sites: []int{3, 4}, Coupling: phi}, {Op: "-+", Sites: []int{3, 4}, Coupling: cmplx.Conj(phi)},
		{Op: "zz", Sites: []int{0, 4}, Coupling: -1}, {Op: "x", Sites: []int{2}, Coupling: 0.3},
	}
	op, err := hamiltonian.NewTerms(n, terms, hamiltonian.Pauli)
	if err != nil {
		t.Fatal(err)
	}
	if op.IsReal() {
		t.Fatal("operator reported real")
	}
	psi := randomRBM(n, 1, true, 0.3, 7)
	ex, err := NewExact(psi, op, Unconstrained, 2)
	if err != nil {
		t.Fatal(err)
	}
	var b Batch
	ex.Sample(&b, false)
	amp := make([]complex128, 1<<n)
	x := make([]int8, n)
	for s := range amp {
		for i := range x {
			x[i] = int8(2*(s>>i&1) - 1)
		}
		amp[s] = cmplx.Exp(psi.LogPsi(x))
	}
	var num complex128
	var den float64
	for k := 0; k < b.Ns; k++ {
		cfg := b.Config(k)
		s := 0
		for i, v := range cfg {
			if v > 0 {
				s |= 1 << i
			}
		}
		var want complex128
		for u := range amp {
			want += termElement(n, terms, s, u) * amp[u] / amp[s]
		}
		if cmplx.Abs(b.E[k]-want) > 1e-10*math.Max(1, cmplx.Abs(want)) {
			t.Fatalf("sample %d: E_loc = %v, want %v", k, b.E[k], want)
		}
	}
	for s := range amp {
		for u := range amp {
			num += cmplx.Conj(amp[s]) * termElement(n, terms, s, u) * amp[u]
		}
		den += real(amp[s] * cmplx.Conj(amp[s]))
	}
	st := b.EnergyStats()
	if e := real(num) / den; math.Abs(st.Mean-e) > 1e-10 || math.Abs(st.MeanImag) > 1e-10 {
		t.Errorf("exact energy %v (imag %v), want %v", st.Mean, st.MeanImag, e)
	}
	var s LocalScratch
	c := psi.NewCache(b.Config(0))
	LocalEnergyComplex(op, c, &s)
	if a := testing.AllocsPerRun(100, func() { LocalEnergyComplex(op, c, &s) }); a != 0 {
		t.Errorf("LocalEnergyComplex allocates %v times per call", a)
	}
}
