package hamiltonian

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vmc-lattice/vmc/lattice"
)

// The reference of these tests: dense matrices built by Kronecker products
// of 2×2 matrices, independent of the {z, +, -} expansion of Terms. Basis
// index bit i is 1 when site i is up; in a 2×2 factor index 0 is down and
// 1 is up, so the full matrix is A_{N-1} ⊗ … ⊗ A_0 (site 0 the least
// significant bit).
type cmat [][]complex128

func eye2() cmat { return cmat{{1, 0}, {0, 1}} }

// pauli2 returns the 2×2 matrix of a letter in the (down, up) basis.
func pauli2(op byte, spin bool) cmat {
	s := complex(1, 0)
	if spin {
		s = 0.5
	}
	switch op {
	case 'x':
		return cmat{{0, s}, {s, 0}}
	case 'y': // σ^y = [[0, −i], [i, 0]] in (up, down); here (down, up)
		return cmat{{0, s * 1i}, {-s * 1i, 0}}
	case 'z':
		return cmat{{-s, 0}, {0, s}}
	case '+': // |up⟩⟨down|
		return cmat{{0, 0}, {1, 0}}
	case '-':
		return cmat{{0, 1}, {0, 0}}
	}
	panic("bad letter")
}

func kron(a, b cmat) cmat {
	n, m := len(a), len(b)
	out := make(cmat, n*m)
	for i := range out {
		out[i] = make([]complex128, n*m)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			for k := 0; k < m; k++ {
				for l := 0; l < m; l++ {
					out[i*m+k][j*m+l] = a[i][j] * b[k][l]
				}
			}
		}
	}
	return out
}

// referenceMatrix is Σ_t c_t ⊗_i A_i with A_i the term's letter on its
// sites and the identity elsewhere.
func referenceMatrix(n int, terms []Term, spin bool) cmat {
	dim := 1 << n
	h := make(cmat, dim)
	for i := range h {
		h[i] = make([]complex128, dim)
	}
	for _, t := range terms {
		m := cmat{{1}}
		for site := n - 1; site >= 0; site-- {
			f := eye2()
			for k, s := range t.Sites {
				if s == site {
					f = pauli2(t.Op[k], spin)
				}
			}
			m = kron(m, f)
		}
		for i := range h {
			for j := range h {
				h[i][j] += t.Coupling * m[i][j]
			}
		}
	}
	return h
}

// fromConnected builds the dense matrix through ConnectedComplex (or
// Connected when real), checking the contract on the way.
func fromConnected(t *testing.T, op ComplexOperator) cmat {
	t.Helper()
	n := op.NumSites()
	dim := 1 << n
	h := make(cmat, dim)
	for i := range h {
		h[i] = make([]complex128, dim)
	}
	x := make([]int8, n)
	for s := 0; s < dim; s++ {
		for i := range x {
			x[i] = int8(2*(s>>i&1) - 1)
		}
		seen := map[int]bool{}
		count := 0
		add := func(flips []int, mel complex128) {
			count++
			u := s
			for _, f := range flips {
				u ^= 1 << f
			}
			if seen[u] {
				t.Fatalf("row %d: column %d visited twice", s, u)
			}
			seen[u] = true
			h[s][u] += mel
		}
		if op.IsReal() {
			op.Connected(x, func(flips []int, mel float64) { add(flips, complex(mel, 0)) })
		} else {
			op.ConnectedComplex(x, add)
		}
		if count > op.MaxConnected() {
			t.Fatalf("row %d: %d elements > MaxConnected %d", s, count, op.MaxConnected())
		}
	}
	return h
}

func maxDiff(a, b cmat) float64 {
	var d float64
	for i := range a {
		for j := range a[i] {
			d = math.Max(d, cmplx.Abs(a[i][j]-b[i][j]))
		}
	}
	return d
}

// randomHermitianTerms draws k terms on n sites and adds the adjoint of
// each (coupling conjugated, + and - exchanged), so the sum is Hermitian.
func randomHermitianTerms(rng *rand.Rand, n, k int, complexCouplings bool) []Term {
	var out []Term
	letters := "xyz+-"
	if !complexCouplings {
		letters = "xz+-" // with real couplings and no y every element is real
	}
	for range k {
		m := 1 + rng.IntN(min(4, n))
		sites := rng.Perm(n)[:m]
		op := make([]byte, m)
		for j := range op {
			op[j] = letters[rng.IntN(len(letters))]
		}
		c := complex(rng.NormFloat64(), 0)
		if complexCouplings {
			c = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		out = append(out, Term{Op: string(op), Sites: sites, Coupling: c})
		adj := []byte(strings.Map(func(r rune) rune {
			switch r {
			case '+':
				return '-'
			case '-':
				return '+'
			}
			return r
		}, string(op)))
		out = append(out, Term{Op: string(adj), Sites: sites, Coupling: cmplx.Conj(c)})
	}
	return out
}

// Every matrix element of random real and complex term lists, in both
// units, equals that of the Kronecker-product reference.
func TestTermsAgainstKronecker(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 60 {
		n := 1 + rng.IntN(5)
		complexC := trial%2 == 1
		terms := randomHermitianTerms(rng, n, 1+rng.IntN(6), complexC)
		units := Pauli
		if trial%3 == 2 {
			units = Spin
		}
		op, err := NewTerms(n, terms, units)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		want := referenceMatrix(n, terms, units == Spin)
		got := fromConnected(t, op)
		if d := maxDiff(got, want); d > 1e-12 {
			t.Fatalf("trial %d (%v): elements differ by %g", trial, terms, d)
		}
		// Reality: real elements exactly when the reference is real.
		realRef := true
		for i := range want {
			for j := range want {
				if math.Abs(imag(want[i][j])) > 1e-12 {
					realRef = false
				}
			}
		}
		if op.IsReal() != realRef {
			t.Errorf("trial %d: IsReal %v, reference real %v", trial, op.IsReal(), realRef)
		}
		if !complexC && !op.IsReal() {
			t.Errorf("trial %d: real terms without y reported complex", trial)
		}
		// ConservesSz against the reference: no element between sectors.
		cons := true
		for i := range want {
			for j := range want {
				if cmplx.Abs(want[i][j]) > 1e-12 && popcount(i) != popcount(j) {
					cons = false
				}
			}
		}
		if op.ConservesSz() != cons {
			t.Errorf("trial %d: ConservesSz %v, reference %v", trial, op.ConservesSz(), cons)
		}
		// Stoquastic against the reference.
		stoq := realRef
		for i := range want {
			for j := range want {
				if i != j && real(want[i][j]) > 1e-12 {
					stoq = false
				}
			}
		}
		if op.Stoquastic() != stoq {
			t.Errorf("trial %d: Stoquastic %v, reference %v", trial, op.Stoquastic(), stoq)
		}
	}
}

func popcount(v int) int {
	c := 0
	for ; v != 0; v &= v - 1 {
		c++
	}
	return c
}

func TestTermsComplexExamples(t *testing.T) {
	// σ^y alone, a Dzyaloshinskii–Moriya bond D·(σ^x_0 σ^y_1 − σ^y_0 σ^x_1),
	// and a flux hopping e^{iφ} σ^+_0 σ^-_1 + h.c.
	phi := complex(math.Cos(0.7), math.Sin(0.7))
	for k, terms := range [][]Term{
		{{Op: "y", Sites: []int{1}, Coupling: 0.8}},
		{{Op: "xy", Sites: []int{0, 1}, Coupling: 1.3}, {Op: "yx", Sites: []int{0, 1}, Coupling: -1.3}, {Op: "zz", Sites: []int{1, 2}, Coupling: 1}},
		{{Op: "+-", Sites: []int{0, 2}, Coupling: phi}, {Op: "-+", Sites: []int{0, 2}, Coupling: cmplx.Conj(phi)}},
	} {
		op, err := NewTerms(3, terms, Pauli)
		if err != nil {
			t.Fatal(err)
		}
		if op.IsReal() {
			t.Errorf("case %d: reported real", k)
		}
		if _, ok := AsComplex(op); !ok {
			t.Errorf("case %d: AsComplex false", k)
		}
		if d := maxDiff(fromConnected(t, op), referenceMatrix(3, terms, false)); d > 1e-12 {
			t.Errorf("case %d: elements differ by %g", k, d)
		}
	}
}

func TestTermsNotHermitian(t *testing.T) {
	for _, terms := range [][]Term{
		{{Op: "+-", Sites: []int{0, 1}, Coupling: 1}},
		{{Op: "x", Sites: []int{0}, Coupling: 1i}},
		{{Op: "+-", Sites: []int{0, 1}, Coupling: 1i}, {Op: "-+", Sites: []int{0, 1}, Coupling: 1i}},
	} {
		_, err := NewTerms(2, terms, Pauli)
		if err == nil || !strings.Contains(err.Error(), "not Hermitian") {
			t.Errorf("%v: error %v, want not Hermitian", terms, err)
		}
	}
	for _, bad := range []Term{
		{Op: "xq", Sites: []int{0, 1}, Coupling: 1},
		{Op: "xx", Sites: []int{0, 0}, Coupling: 1},
		{Op: "xx", Sites: []int{0, 5}, Coupling: 1},
		{Op: "x", Sites: []int{0, 1}, Coupling: 1},
		{Op: "x", Sites: []int{0}, Coupling: complex(math.NaN(), 0)},
	} {
		if _, err := NewTerms(2, []Term{bad}, Pauli); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// heisenbergTerms writes the Heisenberg model of p on l as terms.
func heisenbergTerms(l *lattice.Lattice, p HeisenbergParams) []Term {
	var out []Term
	for _, e := range l.Edges() {
		j := p.J
		if e.Order == 2 {
			j = p.J2
		}
		if j == 0 {
			continue
		}
		s := []int{e.I, e.J}
		out = append(out, Term{"xx", s, complex(j, 0)}, Term{"yy", s, complex(j, 0)}, Term{"zz", s, complex(j*p.Delta, 0)})
	}
	return out
}

// The existing models expressed as terms give the same elements, visited
// in the same order: bit-identical values for Heisenberg, equal to
// rounding for Ising.
func TestTermsExpressExistingModels(t *testing.T) {
	sq, _ := lattice.New(lattice.Square, []int{3, 2}, []bool{true})
	for k, tc := range []struct {
		l *lattice.Lattice
		p HeisenbergParams
	}{
		{chain(t, 8, true), HeisenbergParams{J: 1, Delta: 1}},
		{chain(t, 7, true), HeisenbergParams{J: 0.3, J2: 0.7, Delta: 0.45}},
		{sq, HeisenbergParams{J: 1, J2: 0.5, Delta: 1, Units: Pauli}},
		{chain(t, 6, false), HeisenbergParams{J: 1, Delta: 1, SignRule: true}},
	} {
		h := mustHeis(t, tc.l, tc.p)
		units := tc.p.Units
		if units == "" {
			units = Spin
		}
		op, err := NewTerms(tc.l.NumSites(), heisenbergTerms(tc.l, tc.p), units)
		if err != nil {
			t.Fatal(err)
		}
		if tc.p.SignRule {
			sub, _ := tc.l.Bipartite()
			op = op.SignRotated(sub)
		}
		if !op.IsReal() || !op.ConservesSz() || op.Stoquastic() != h.Stoquastic() {
			t.Errorf("case %d: real %v, Sz %v, stoquastic %v vs %v", k, op.IsReal(), op.ConservesSz(), op.Stoquastic(), h.Stoquastic())
		}
		sameVisits(t, tc.l.NumSites(), h, op, 0)
	}
	// Ising: −J σzσz − h σx in Pauli units.
	for _, p := range []IsingParams{{J: 1, H: 0.7}, {J: -0.4, H: 1.3, Units: Spin}} {
		l := chain(t, 6, true)
		m := mustIsing(t, l, p)
		var terms []Term
		for _, e := range l.EdgesOfOrder(1) {
			terms = append(terms, Term{"zz", []int{e.I, e.J}, complex(-p.J, 0)})
		}
		for i := range 6 {
			terms = append(terms, Term{"x", []int{i}, complex(-p.H, 0)})
		}
		op, err := NewTerms(6, terms, p.Units)
		if err != nil {
			t.Fatal(err)
		}
		// Ising sums Σ x_i x_j in integers before scaling: equal to rounding.
		sameVisits(t, 6, m, op, 1e-15)
	}
}

func sameVisits(t *testing.T, n int, a, b Operator, tol float64) {
	t.Helper()
	type visit struct {
		key int
		mel float64
	}
	list := func(op Operator, x []int8) []visit {
		var out []visit
		op.Connected(x, func(flips []int, mel float64) {
			k := 0
			for _, f := range flips {
				k |= 1 << f
			}
			out = append(out, visit{k, mel})
		})
		return out
	}
	x := make([]int8, n)
	for s := 0; s < 1<<n; s++ {
		for i := range x {
			x[i] = int8(2*(s>>i&1) - 1)
		}
		va, vb := list(a, x), list(b, x)
		if len(va) != len(vb) {
			t.Fatalf("%v: row %d: %d visits vs %d", a, s, len(va), len(vb))
		}
		for k := range va {
			if va[k].key != vb[k].key || math.Abs(va[k].mel-vb[k].mel) > tol*math.Abs(va[k].mel) {
				t.Fatalf("%v: row %d visit %d: %+v vs %+v", a, s, k, va[k], vb[k])
			}
		}
	}
}

func TestTermsInvariant(t *testing.T) {
	l := chain(t, 6, true)
	var terms []Term
	for i := range 6 {
		terms = append(terms, Term{"zxz", []int{(i + 5) % 6, i, (i + 1) % 6}, -1})
	}
	op, err := NewTerms(6, terms, Pauli)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range l.Translations() {
		if !op.Invariant(g) {
			t.Errorf("cluster model not invariant under translation %v", g)
		}
	}
	// A staggered field breaks translation by one site, not by two.
	stag, _ := NewTerms(6, []Term{{"z", []int{0}, 1}, {"z", []int{1}, -1}, {"z", []int{2}, 1}, {"z", []int{3}, -1}, {"z", []int{4}, 1}, {"z", []int{5}, -1}}, Pauli)
	if stag.Invariant([]int{1, 2, 3, 4, 5, 0}) || !stag.Invariant([]int{2, 3, 4, 5, 0, 1}) {
		t.Error("staggered field: wrong invariance")
	}
	// A reflection reverses zxz onto itself.
	if !op.Invariant([]int{5, 4, 3, 2, 1, 0}) {
		t.Error("cluster model not invariant under reflection")
	}
}

func BenchmarkTermsConnected(b *testing.B) {
	l, _ := lattice.New(lattice.Square, []int{10, 10}, []bool{true})
	op, _ := NewTerms(100, heisenbergTerms(l, HeisenbergParams{J: 1, Delta: 1}), Spin)
	x := make([]int8, 100)
	for i := range x {
		x[i] = int8(1 - 2*(i%3%2))
	}
	var s float64
	visit := func(flips []int, mel float64) { s += mel }
	b.ReportAllocs()
	for b.Loop() {
		op.Connected(x, visit)
	}
	_ = s
}
