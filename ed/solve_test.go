package ed

import (
	"fmt"
	"math"
	"testing"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

// refTol is the relative tolerance of /work/shared/reference/energies.md
// ("tolerances of 1e-9 relative are appropriate for ED"); the values there
// are given to 12 decimals.
const refTol = 1e-9

// longN is the size from which a reference case runs only without -short:
// N = 20 takes about a second, N = 24 several seconds on two cores.
const longN = 20

// TestReferenceEnergies reproduces every value of
// /work/shared/reference/energies.md.
func TestReferenceEnergies(t *testing.T) {
	type refCase struct {
		name string
		op   func(t testing.TB) hamiltonian.Operator
		n    int
		nUp  int
		e0   float64
	}
	heis := func(n int, j2 float64) func(testing.TB) hamiltonian.Operator {
		return func(t testing.TB) hamiltonian.Operator { return chainHeisenberg(t, n, j2) }
	}
	tfi := func(n int, h float64) func(testing.TB) hamiltonian.Operator {
		return func(t testing.TB) hamiltonian.Operator {
			return mustIsing(t, mustLattice(t, lattice.Chain, []int{n}), hamiltonian.IsingParams{J: 1, H: h})
		}
	}
	var cases []refCase
	// Heisenberg chain (PBC), J = 1, S^z = 0.
	for _, c := range []struct {
		n  int
		e0 float64
	}{
		{8, -3.651093408937}, {10, -4.515446354492}, {12, -5.387390917445},
		{16, -7.142296360617}, {20, -8.904386529876}, {24, -10.670014516537},
	} {
		cases = append(cases, refCase{"heisenberg chain", heis(c.n, 0), c.n, c.n / 2, c.e0})
	}
	// J1-J2 chain.
	for _, c := range []struct {
		n      int
		j2, e0 float64
	}{
		{8, 0.2, -3.350733219707}, {12, 0.2, -4.956878168387}, {16, 0.2, -6.577120323988},
		{20, 0.2, -8.202916252183}, {20, 0.8, -8.461272409012},
	} {
		cases = append(cases, refCase{fmt.Sprintf("J1-J2 chain J2=%g", c.j2), heis(c.n, c.j2), c.n, c.n / 2, c.e0})
	}
	// Majumdar–Ghosh point: -3N/8 exactly.
	for _, n := range []int{8, 10, 12, 14, 16, 20} {
		cases = append(cases, refCase{"Majumdar-Ghosh", heis(n, 0.5), n, n / 2, -3 * float64(n) / 8})
	}
	// Square 4×4 Heisenberg.
	cases = append(cases, refCase{"square 4x4", func(t testing.TB) hamiltonian.Operator {
		return mustHeisenberg(t, mustLattice(t, lattice.Square, []int{4, 4}), hamiltonian.HeisenbergParams{J: 1})
	}, 16, 8, -11.228483208429})
	// Transverse-field Ising chain, full space.
	for _, c := range []struct {
		n     int
		h, e0 float64
	}{
		{10, 1.0, -12.784906442999}, {12, 0.5, -12.762569151024},
		{16, 1.0, -20.404594474757}, {20, 1.0, -25.490989686365},
	} {
		cases = append(cases, refCase{fmt.Sprintf("TFI chain h=%g", c.h), tfi(c.n, c.h), c.n, Unconstrained, c.e0})
	}

	for ci, tc := range cases {
		t.Run(fmt.Sprintf("%d_%s_N%d", ci, tc.name, tc.n), func(t *testing.T) {
			if tc.n >= longN && testing.Short() {
				t.Skip("long case; run without -short")
			}
			r, err := Solve(tc.op(t), tc.nUp, Options{})
			if err != nil {
				t.Fatalf("case %d (%s, N=%d): %v", ci, tc.name, tc.n, err)
			}
			if d := relDiff(r.Energies[0], tc.e0); d > refTol {
				t.Errorf("case %d (%s, N=%d): E0 = %.12f, reference %.12f (relative difference %.2g)",
					ci, tc.name, tc.n, r.Energies[0], tc.e0, d)
			}
		})
	}
}

// TestTFIClosedForm compares the Ising chain with the Jordan–Wigner closed
// form of energies.md, E0 = −Σ_k sqrt(J² + h² − 2Jh cos k), k = π(2m+1)/N,
// at fields the reference table does not list.
func TestTFIClosedForm(t *testing.T) {
	const n = 10
	for i, h := range []float64{0.3, 0.9, 1.7, 4} {
		var e0 float64
		for m := 0; m < n; m++ {
			k := math.Pi * float64(2*m+1) / n
			e0 -= math.Sqrt(1 + h*h - 2*h*math.Cos(k))
		}
		op := mustIsing(t, mustLattice(t, lattice.Chain, []int{n}), hamiltonian.IsingParams{J: 1, H: h})
		r, err := Solve(op, Unconstrained, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d := relDiff(r.Energies[0], e0); d > refTol {
			t.Errorf("case %d h=%g: E0 = %.12f, closed form %.12f", i, h, r.Energies[0], e0)
		}
	}
}

// TestUnitsAndSignRule: Pauli units multiply the spectrum by 4; the
// Marshall sign rule leaves it unchanged.
func TestUnitsAndSignRule(t *testing.T) {
	const k = 3
	type latCase struct {
		name string
		l    *lattice.Lattice
		nUp  int
	}
	cases := []latCase{
		{"chain 12", mustLattice(t, lattice.Chain, []int{12}), 6},
		{"honeycomb 2x2 full", mustLattice(t, lattice.Honeycomb, []int{2, 2}), Unconstrained},
		{"square 3x4 OBC", mustLattice(t, lattice.Square, []int{3, 4}, false), 6},
	}
	if !testing.Short() {
		cases = append(cases, latCase{"square 4x4", mustLattice(t, lattice.Square, []int{4, 4}), 8})
	}
	for ci, tc := range cases {
		spectrum := func(p hamiltonian.HeisenbergParams) []float64 {
			r, err := Solve(mustHeisenberg(t, tc.l, p), tc.nUp, Options{K: k})
			if err != nil {
				t.Fatal(err)
			}
			return r.Energies
		}
		ref := spectrum(hamiltonian.HeisenbergParams{J: 1})
		pauli := spectrum(hamiltonian.HeisenbergParams{J: 1, Units: hamiltonian.Pauli})
		sign := spectrum(hamiltonian.HeisenbergParams{J: 1, SignRule: true})
		for i := range ref {
			if relDiff(pauli[i], 4*ref[i]) > refTol {
				t.Errorf("case %d (%s): Pauli E_%d = %.12f, want 4×%.12f", ci, tc.name, i, pauli[i], ref[i])
			}
			if relDiff(sign[i], ref[i]) > refTol {
				t.Errorf("case %d (%s): sign rule E_%d = %.12f, without %.12f", ci, tc.name, i, sign[i], ref[i])
			}
		}
	}
	// Ising in spin units: H/4 for the bonds, h/2 for the field, which at
	// h_spin = 2·h_pauli... simply: J_spin = 4 J, h_spin = 2 h reproduces Pauli.
	l := mustLattice(t, lattice.Chain, []int{10})
	rp, _ := Solve(mustIsing(t, l, hamiltonian.IsingParams{J: 1, H: 0.8}), Unconstrained, Options{K: 3})
	rs, _ := Solve(mustIsing(t, l, hamiltonian.IsingParams{J: 4, H: 1.6, Units: hamiltonian.Spin}), Unconstrained, Options{K: 3})
	for i := range rp.Energies {
		if relDiff(rs.Energies[i], rp.Energies[i]) > refTol {
			t.Errorf("Ising spin units: E_%d = %.12f, Pauli %.12f", i, rs.Energies[i], rp.Energies[i])
		}
	}
}

// TestProductsAndMethodsAgree solves one problem with every combination of
// product and method.
func TestProductsAndMethodsAgree(t *testing.T) {
	op := mustHeisenberg(t, mustLattice(t, lattice.Triangular, []int{3, 4}), hamiltonian.HeisenbergParams{J: 1, J2: 0.1})
	var ref []float64
	for _, p := range []Product{ProductCSR, ProductMatrixFree} {
		for _, m := range []Method{Dense, Lanczos, ThickRestart} {
			r, err := Solve(op, 9, Options{K: 3, Product: p, Method: m}) // S^z = 3: dimension 220
			if err != nil {
				t.Fatalf("%s %s: %v", p, m, err)
			}
			if r.Product != p && m != Dense {
				t.Errorf("%s %s: ran with %s", p, m, r.Product)
			}
			if ref == nil {
				ref = r.Energies
			}
			for i := range ref {
				if relDiff(r.Energies[i], ref[i]) > eigTol {
					t.Errorf("%s %s: E = %v, first solver %v", p, m, r.Energies, ref)
				}
			}
		}
	}
}

// TestPlan checks the memory plan: automatic choice of the product by
// budget, the dense threshold and refusals.
func TestPlan(t *testing.T) {
	op := chainHeisenberg(t, 16, 0)
	p, err := NewPlan(op, 8, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Product != ProductCSR || p.Method != Lanczos || p.Dimension != 12870 {
		t.Errorf("default plan: %v", p)
	}
	// Exact count for the chain: each S^z=0 state of the 16-ring has as many
	// off-diagonal elements as antiparallel bonds; the estimate is within 5%.
	b := mustBasis(t, 16, 8)
	csr, _ := NewCSR(op, b, 0)
	if math.Abs(float64(p.NNZ-csr.NNZ())) > 0.05*float64(csr.NNZ()) {
		t.Errorf("NNZ estimate %d, actual %d", p.NNZ, csr.NNZ())
	}
	small := p.BasisBytes + p.VectorBytes + 1000
	p2, err := NewPlan(op, 8, Options{MemoryBudget: small})
	if err != nil || p2.Product != ProductMatrixFree {
		t.Errorf("tight budget: plan %v, err %v; want matrix-free", p2, err)
	}
	if _, err := NewPlan(op, 8, Options{MemoryBudget: 1000}); err == nil {
		t.Error("a 1000-byte budget was accepted")
	}
	if p3, _ := NewPlan(op, 8, Options{DenseMax: 20000}); p3.Method != Dense {
		t.Errorf("DenseMax 20000: method %s", p3.Method)
	}
	big := chainHeisenberg(t, 36, 0)
	if _, err := NewPlan(big, 18, Options{}); err == nil {
		t.Error("N=36 S^z=0 accepted")
	}
	if _, err := Solve(op, 8, Options{Product: "gpu"}); err == nil {
		t.Error("unknown product accepted")
	}
	if _, err := Solve(op, 8, Options{Method: "jacobi"}); err == nil {
		t.Error("unknown method accepted")
	}
	if _, err := Solve(op, 8, Options{K: 20000}); err == nil {
		t.Error("K above the dimension accepted")
	}
	r, err := Solve(op, 8, Options{Product: ProductMatrixFree})
	if err != nil || r.Product != ProductMatrixFree || r.NNZ != 0 {
		t.Errorf("forced matrix-free: %+v, %v", r, err)
	}
}
