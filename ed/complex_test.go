package ed

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/hamiltonian"
)

// kronDense is the reference of these tests: Σ_t c_t ⊗_i A_i (site 0 the
// least significant bit; 2×2 factors in the (down, up) basis), built
// without package hamiltonian's expansion.
func kronDense(n int, terms []hamiltonian.Term) [][]complex128 {
	p := map[byte][2][2]complex128{
		'x': {{0, 1}, {1, 0}},
		'y': {{0, 1i}, {-1i, 0}},
		'z': {{-1, 0}, {0, 1}},
		'+': {{0, 0}, {1, 0}},
		'-': {{0, 1}, {0, 0}},
	}
	dim := 1 << n
	h := make([][]complex128, dim)
	for i := range h {
		h[i] = make([]complex128, dim)
	}
	for _, t := range terms {
		// ⟨a|⊗A|b⟩ = Π_site A_site[a_site][b_site].
		for a := 0; a < dim; a++ {
			for b := 0; b < dim; b++ {
				v := t.Coupling
				for s := 0; s < n && v != 0; s++ {
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
				h[a][b] += v
			}
		}
	}
	return h
}

// embeddingEigen returns the ascending eigenvalues of [[A, −B], [B, A]]
// for H = A + iB, each once (the embedding doubles them).
func embeddingEigen(t *testing.T, h [][]complex128, rows []int) []float64 {
	d := len(rows)
	m := mat.NewSymDense(2*d, nil)
	for i, a := range rows {
		for j, b := range rows {
			v := h[a][b]
			m.SetSym(i, j, real(v))
			m.SetSym(d+i, d+j, real(v))
			m.SetSym(d+i, j, imag(v))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(m, false) {
		t.Fatal("eigen failed")
	}
	all := eig.Values(nil)
	out := make([]float64, d)
	for k := range out {
		out[k] = all[2*k]
		if math.Abs(all[2*k+1]-all[2*k]) > 1e-9 {
			t.Fatalf("embedding eigenvalues not paired: %g %g", all[2*k], all[2*k+1])
		}
	}
	return out
}

func randomComplexTerms(rng *rand.Rand, n int, conserving bool) []hamiltonian.Term {
	var out []hamiltonian.Term
	for range 8 {
		s := rng.Perm(n)[:2]
		c := complex(rng.NormFloat64(), rng.NormFloat64())
		out = append(out, hamiltonian.Term{Op: "+-", Sites: s, Coupling: c}, hamiltonian.Term{Op: "-+", Sites: s, Coupling: cmplx.Conj(c)})
		out = append(out, hamiltonian.Term{Op: "zz", Sites: s, Coupling: complex(rng.NormFloat64(), 0)})
		if !conserving {
			out = append(out, hamiltonian.Term{Op: "y", Sites: s[:1], Coupling: complex(rng.NormFloat64(), 0)},
				hamiltonian.Term{Op: "xz", Sites: s, Coupling: complex(rng.NormFloat64(), 0)})
		}
	}
	return out
}

// The K lowest eigenvalues of complex Hamiltonians (full space and S^z
// sectors, dense and Lanczos) against the dense reference, and the ground
// vector against H ψ = E ψ.
func TestSolveComplex(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 7
	for trial, tc := range []struct {
		conserving bool
		nUp        int
		method     Method
	}{
		{false, Unconstrained, Dense},
		{false, Unconstrained, Lanczos},
		{true, 3, Lanczos},
		{true, 4, Dense},
	} {
		terms := randomComplexTerms(rng, n, tc.conserving)
		op, err := hamiltonian.NewTerms(n, terms, hamiltonian.Pauli)
		if err != nil {
			t.Fatal(err)
		}
		if op.IsReal() {
			t.Fatal("random complex terms are real")
		}
		h := kronDense(n, terms)
		b, _ := NewBasis(n, tc.nUp)
		rows := make([]int, b.Dim())
		for k := range rows {
			rows[k] = int(b.State(k))
		}
		want := embeddingEigen(t, h, rows)
		res, err := Solve(op, tc.nUp, Options{K: 3, Vector: true, Method: tc.method, DenseMax: 1 << 9})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Complex || res.Vector != nil || len(res.ComplexVector) != b.Dim() {
			t.Fatalf("trial %d: result shape %+v", trial, res)
		}
		for k := range 3 {
			if math.Abs(res.Energies[k]-want[k]) > 1e-9*math.Max(1, math.Abs(want[k])) {
				t.Errorf("trial %d: E_%d = %.12f, want %.12f", trial, k, res.Energies[k], want[k])
			}
		}
		psi := res.ComplexVector
		var resid float64
		for i, a := range rows {
			var hv complex128
			for j, bb := range rows {
				hv += h[a][bb] * psi[j]
			}
			resid = math.Max(resid, cmplx.Abs(hv-complex(res.Energies[0], 0)*psi[i]))
		}
		if resid > 1e-7 {
			t.Errorf("trial %d: ‖Hψ − Eψ‖∞ = %g", trial, resid)
		}
	}
}

// A uniform σ^y field: E0 = −N|h|, and the product of (|↑⟩ − i|↓⟩)/√2
// states is the ground state.
func TestSolveSigmaYField(t *testing.T) {
	const n, h = 5, 0.6
	var terms []hamiltonian.Term
	for i := range n {
		terms = append(terms, hamiltonian.Term{Op: "y", Sites: []int{i}, Coupling: h})
	}
	op, _ := hamiltonian.NewTerms(n, terms, hamiltonian.Pauli)
	res, err := Solve(op, Unconstrained, Options{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Energies[0]+n*h) > 1e-10 || math.Abs(res.Energies[1]-(-n*h+2*h)) > 1e-10 {
		t.Errorf("energies %v, want %g, %g", res.Energies, -n*h, -n*h+2*h)
	}
	if _, err := Solve(op, 2, Options{}); err == nil {
		t.Error("a σ^y field solved in an S^z sector")
	}
}
