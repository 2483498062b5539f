package hamiltonian

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/lattice"
)

// dense builds the full 2^N matrix of op through Connected. Bit i of the
// basis index is 1 when site i is up.
func dense(op Operator) *mat.Dense {
	n := op.NumSites()
	dim := 1 << n
	h := mat.NewDense(dim, dim, nil)
	x := make([]int8, n)
	for s := 0; s < dim; s++ {
		for i := 0; i < n; i++ {
			x[i] = -1
			if s>>i&1 == 1 {
				x[i] = 1
			}
		}
		count := 0
		op.Connected(x, func(flips []int, mel float64) {
			count++
			t := s
			for _, f := range flips {
				t ^= 1 << f
			}
			h.Set(s, t, h.At(s, t)+mel)
		})
		if count > op.MaxConnected() {
			panic("more connected elements than MaxConnected")
		}
	}
	return h
}

func lowest(h *mat.Dense) []float64 {
	n, _ := h.Dims()
	sym := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			sym.SetSym(i, j, h.At(i, j))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, false) {
		panic("eigen failed")
	}
	return eig.Values(nil)
}

func chain(t *testing.T, n int, pbc bool) *lattice.Lattice {
	l, err := lattice.New(lattice.Chain, []int{n}, []bool{pbc})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustHeis(t *testing.T, l *lattice.Lattice, p HeisenbergParams) *Heisenberg {
	h, err := NewHeisenberg(l, p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustIsing(t *testing.T, l *lattice.Lattice, p IsingParams) *Ising {
	h, err := NewIsing(l, p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Every model must be Hermitian (real symmetric) through Connected, and no
// connected configuration may be visited twice.
func TestHermitian(t *testing.T) {
	sq, _ := lattice.New(lattice.Square, []int{2, 3}, []bool{true})
	tri, _ := lattice.New(lattice.Triangular, []int{3, 3}, []bool{true})
	kag, _ := lattice.New(lattice.Kagome, []int{2, 1}, []bool{true})
	ops := []Operator{
		mustIsing(t, chain(t, 6, true), IsingParams{J: 1, H: 0.7}),
		mustIsing(t, sq, IsingParams{J: -0.5, H: 2, Units: Spin}),
		mustHeis(t, chain(t, 7, true), HeisenbergParams{J: 1, J2: 0.3, Delta: 0.5}),
		mustHeis(t, chain(t, 6, false), HeisenbergParams{J: 1, Delta: 1, SignRule: true, Units: Pauli}),
		mustHeis(t, sq, HeisenbergParams{J: 1, J2: 0.5, Delta: 1}),
		mustHeis(t, tri, HeisenbergParams{J: 1, Delta: 1}),
		mustHeis(t, kag, HeisenbergParams{J: 1, Delta: 1.5}),
	}
	for k, op := range ops {
		h := dense(op)
		if !mat.EqualApprox(h, h.T(), 0) {
			t.Errorf("case %d (%v): not symmetric", k, op)
		}
		n := op.NumSites()
		x := make([]int8, n)
		for i := range x {
			x[i] = int8(1 - 2*(i%2))
		}
		seen := map[int]bool{}
		op.Connected(x, func(flips []int, mel float64) {
			key := 0
			for _, f := range flips {
				key ^= 1 << f
			}
			if seen[key] {
				t.Errorf("case %d: configuration visited twice", k)
			}
			seen[key] = true
		})
	}
}

func TestSmallSpectra(t *testing.T) {
	const tol = 1e-10 // dense LAPACK eigenvalues of O(1) matrices
	for k, tc := range []struct {
		op   Operator
		want float64
		src  string
	}{
		// Two spins with one bond: singlet -3/4 J, in Pauli units -3 J.
		{mustHeis(t, chain(t, 2, true), HeisenbergParams{J: 1, Delta: 1}), -0.75, "singlet"},
		{mustHeis(t, chain(t, 2, true), HeisenbergParams{J: 1, Delta: 1, Units: Pauli}), -3, "singlet, Pauli"},
		{mustHeis(t, chain(t, 2, true), HeisenbergParams{J: 1, Delta: 1, SignRule: true}), -0.75, "singlet, sign rule"},
		// Heisenberg ring N=8: reference/energies.md.
		{mustHeis(t, chain(t, 8, true), HeisenbergParams{J: 1, Delta: 1}), -3.651093408937, "energies.md"},
		{mustHeis(t, chain(t, 8, true), HeisenbergParams{J: 1, Delta: 1, SignRule: true}), -3.651093408937, "energies.md, sign rule"},
		{mustHeis(t, chain(t, 8, true), HeisenbergParams{J: 1, J2: 0.2, Delta: 1}), -3.350733219707, "energies.md J1-J2"},
		{mustHeis(t, chain(t, 8, true), HeisenbergParams{J: 1, J2: 0.5, Delta: 1}), -3, "Majumdar-Ghosh -3N/8"},
		// Ising ring N=8 against the Jordan-Wigner closed form.
		{mustIsing(t, chain(t, 8, true), IsingParams{J: 1, H: 1}), tfiExact(8, 1, 1), "closed form"},
		{mustIsing(t, chain(t, 8, true), IsingParams{J: 1, H: 0.5}), tfiExact(8, 1, 0.5), "closed form"},
		// Spin units: H_spin(J,h) = H_pauli(J/4, h/2).
		{mustIsing(t, chain(t, 8, true), IsingParams{J: 1, H: 1, Units: Spin}), tfiExact(8, 0.25, 0.5), "closed form, spin units"},
	} {
		got := lowest(dense(tc.op))[0]
		if math.Abs(got-tc.want) > tol*math.Max(1, math.Abs(tc.want)) {
			t.Errorf("case %d (%s, %v): E0 = %.12f, want %.12f", k, tc.src, tc.op, got, tc.want)
		}
	}
}

// tfiExact is E0 = −Σ_k sqrt(J² + h² − 2Jh cos k), k = π(2m+1)/N (energies.md).
func tfiExact(n int, J, h float64) float64 {
	var e float64
	for m := 0; m < n; m++ {
		k := math.Pi * float64(2*m+1) / float64(n)
		e -= math.Sqrt(J*J + h*h - 2*J*h*math.Cos(k))
	}
	return e
}

// The sign rule is a unitary rotation: the whole spectrum is unchanged.
func TestSignRuleKeepsSpectrum(t *testing.T) {
	sq, _ := lattice.New(lattice.Square, []int{2, 2}, []bool{true})
	for _, l := range []*lattice.Lattice{chain(t, 6, true), chain(t, 5, false), sq} {
		a := lowest(dense(mustHeis(t, l, HeisenbergParams{J: 1, Delta: 0.7})))
		b := lowest(dense(mustHeis(t, l, HeisenbergParams{J: 1, Delta: 0.7, SignRule: true})))
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1e-10 {
				t.Fatalf("%v: eigenvalue %d changed from %g to %g", l, i, a[i], b[i])
			}
		}
	}
}

// With the sign rule on an unfrustrated lattice all off-diagonal elements are
// non-positive (stoquastic).
func TestSignRuleStoquastic(t *testing.T) {
	sq, _ := lattice.New(lattice.Square, []int{4, 4}, []bool{true})
	h := mustHeis(t, sq, HeisenbergParams{J: 1, Delta: 1, SignRule: true})
	x := make([]int8, 16)
	for i := range x {
		x[i] = int8(1 - 2*((i+i/4)%2))
	}
	n := 0
	h.Connected(x, func(flips []int, mel float64) {
		if flips != nil {
			n++
			if mel >= 0 {
				t.Fatalf("off-diagonal element %g ≥ 0", mel)
			}
		}
	})
	if n != 32 {
		t.Fatalf("Néel state has %d connected states, want 32", n)
	}
}

func TestSignRuleRefusedOnFrustrated(t *testing.T) {
	tri, _ := lattice.New(lattice.Triangular, []int{3, 3}, []bool{true})
	if _, err := NewHeisenberg(tri, HeisenbergParams{J: 1, Delta: 1, SignRule: true}); err == nil {
		t.Error("sign rule accepted on a triangular lattice")
	}
	if _, err := NewHeisenberg(chain(t, 5, true), HeisenbergParams{J: 1, Delta: 1, SignRule: true}); err == nil {
		t.Error("sign rule accepted on an odd ring")
	}
	if AutoSignRule(chain(t, 8, true), 1, 0.2) {
		t.Error("auto sign rule with J2 != 0")
	}
	if AutoSignRule(chain(t, 8, true), -1, 0) {
		t.Error("auto sign rule for a ferromagnet")
	}
	if !AutoSignRule(chain(t, 8, true), 1, 0) {
		t.Error("no auto sign rule for the unfrustrated ring")
	}
}

func BenchmarkHeisenbergConnected(b *testing.B) {
	l, _ := lattice.New(lattice.Square, []int{10, 10}, []bool{true})
	h, _ := NewHeisenberg(l, HeisenbergParams{J: 1, Delta: 1, SignRule: true})
	x := make([]int8, 100)
	for i := range x {
		x[i] = int8(1 - 2*(i%3%2))
	}
	var s float64
	visit := func(flips []int, mel float64) { s += mel }
	b.ReportAllocs()
	for b.Loop() {
		h.Connected(x, visit)
	}
	_ = s
}

// Stoquastic: every off-diagonal element ≤ 0, checked against the elements
// Connected visits over all configurations of small lattices.
func TestStoquastic(t *testing.T) {
	sq, _ := lattice.New(lattice.Square, []int{2, 2}, []bool{true, true})
	ring, _ := lattice.New(lattice.Chain, []int{6}, []bool{true})
	for _, tc := range []struct {
		l    *lattice.Lattice
		p    HeisenbergParams
		want bool
	}{
		{ring, HeisenbergParams{J: 1, Delta: 1, SignRule: true}, true},
		{ring, HeisenbergParams{J: 1, Delta: 1}, false},
		{ring, HeisenbergParams{J: -1, Delta: 1}, true},
		{ring, HeisenbergParams{J: 1, J2: 0.3, Delta: 1, SignRule: true}, false},
		{ring, HeisenbergParams{J: 1, J2: -0.3, Delta: 1, SignRule: true}, true},
		{sq, HeisenbergParams{J: 1, Delta: 0.5, SignRule: true}, true},
	} {
		m, err := NewHeisenberg(tc.l, tc.p)
		if err != nil {
			t.Fatal(err)
		}
		n := tc.l.NumSites()
		brute := true
		x := make([]int8, n)
		for v := 0; v < 1<<n; v++ {
			for i := range x {
				x[i] = int8(2*((v>>i)&1) - 1)
			}
			m.Connected(x, func(flips []int, mel float64) {
				if flips != nil && mel > 0 {
					brute = false
				}
			})
		}
		if got := m.Stoquastic(); got != tc.want || got != brute {
			t.Errorf("%v %+v: Stoquastic %v, want %v (elements say %v)", tc.l, tc.p, got, tc.want, brute)
		}
		if got := m.SignRuleExact(); got != (tc.p.SignRule && tc.want) {
			t.Errorf("%v %+v: SignRuleExact %v", tc.l, tc.p, got)
		}
	}
}
