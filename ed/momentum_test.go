package ed

import (
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

// realMomentum returns the symmetry of the translations of l (ordered with
// the first direction fastest, as lattice.Translations) with character
// χ(g) = Π_d (−1)^{pi[d]·shift_d(g)}: pi[d] = 1 selects k_d = π.
func realMomentum(l *lattice.Lattice, extent []int, pi ...int) Symmetry {
	perms := l.Translations()
	chars := make([]int8, len(perms))
	for g := range perms {
		rest, sign := g, 1
		for d, m := range extent {
			if rest%m%2 == 1 && pi[d] == 1 {
				sign = -sign
			}
			rest /= m
		}
		chars[g] = int8(sign)
	}
	return Symmetry{Perms: perms, Chars: chars}
}

func chainSym(t testing.TB, n int, pi int) Symmetry {
	return realMomentum(mustLattice(t, lattice.Chain, []int{n}), []int{n}, pi)
}

func permState(p []int, s uint64) uint64 {
	var out uint64
	for i, v := range p {
		out |= (s >> uint(i) & 1) << uint(v)
	}
	return out
}

func TestSymmetryValidate(t *testing.T) {
	good := chainSym(t, 8, 1)
	if _, err := NewMomentumBasis(8, 4, good); err != nil {
		t.Fatal(err)
	}
	bad := func(name string, mod func(s *Symmetry), want string) {
		s := Symmetry{Perms: slices.Clone(good.Perms), Chars: slices.Clone(good.Chars)}
		mod(&s)
		_, err := NewMomentumBasis(8, 4, s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, want)
		}
	}
	bad("not a homomorphism", func(s *Symmetry) { s.Chars[2] = -s.Chars[2] }, "homomorphism")
	bad("complex momentum", func(s *Symmetry) { s.Chars[1] = 2 }, "real momenta")
	bad("identity last", func(s *Symmetry) { s.Perms[0], s.Perms[1] = s.Perms[1], s.Perms[0] }, "identity")
	bad("not closed", func(s *Symmetry) { s.Perms, s.Chars = s.Perms[:3], s.Chars[:3] }, "closed")
	bad("char count", func(s *Symmetry) { s.Chars = s.Chars[:2] }, "characters")
	bad("not a permutation", func(s *Symmetry) { s.Perms[1] = []int{0, 0, 1, 2, 3, 4, 5, 6} }, "permutation")
	if _, err := NewMomentumBasis(9, 4, chainSym(t, 9, 0)); err != nil {
		t.Fatal(err)
	}
	odd := chainSym(t, 9, 0)
	for g := range odd.Chars {
		odd.Chars[g] = int8(1 - 2*(g%2))
	}
	if _, err := NewMomentumBasis(9, 4, odd); err == nil || !strings.Contains(err.Error(), "homomorphism") {
		t.Errorf("k = π on a 9-site ring: error %v", err)
	}
	bad("identity char", func(s *Symmetry) {
		for g := range s.Chars {
			s.Chars[g] = -1
		}
	}, "identity")
}

// TestMomentumDims checks the sector dimensions against the character
// formula dim = (1/|G|) Σ_g χ(g)·#{s : g s = s}, and the representatives
// against a brute-force orbit computation.
func TestMomentumDims(t *testing.T) {
	type tc struct {
		name   string
		kind   lattice.Kind
		extent []int
		nUp    int
		pi     []int
	}
	var cases []tc
	for _, n := range []int{6, 8, 9, 10} {
		for _, pi := range []int{0, 1} {
			if n%2 == 1 && pi == 1 {
				continue // k = π is not a momentum of an odd ring
			}
			cases = append(cases, tc{"chain", lattice.Chain, []int{n}, n / 2, []int{pi}})
			cases = append(cases, tc{"chain-full", lattice.Chain, []int{n}, Unconstrained, []int{pi}})
		}
	}
	for _, pi := range [][]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		cases = append(cases, tc{"square4x4", lattice.Square, []int{4, 4}, 8, pi})
		cases = append(cases, tc{"square2x4", lattice.Square, []int{2, 4}, Unconstrained, pi})
	}
	for _, c := range cases {
		l := mustLattice(t, c.kind, c.extent)
		sym := realMomentum(l, c.extent, c.pi...)
		n := l.NumSites()
		mb, err := NewMomentumBasis(n, c.nUp, sym)
		if err != nil {
			t.Fatal(err)
		}
		b := mustBasis(t, n, c.nUp)
		trace := 0
		var reps []uint64
		stab := map[uint64]int{}
		for g, p := range sym.Perms {
			for _, s := range b.All() {
				if permState(p, s) == s {
					trace += int(sym.Chars[g])
				}
			}
		}
		for _, s := range b.All() {
			min, ok, st := s, true, 0
			for g, p := range sym.Perms {
				u := permState(p, s)
				if u < min {
					min = u
				}
				if u == s {
					st++
					if sym.Chars[g] < 0 {
						ok = false
					}
				}
			}
			if min == s && ok {
				reps = append(reps, s)
				stab[s] = st
			}
		}
		if trace%len(sym.Perms) != 0 || trace/len(sym.Perms) != mb.Dim() {
			t.Errorf("%s %v nUp=%d k=%v: dimension %d, character formula %d/%d", c.name, c.extent, c.nUp, c.pi, mb.Dim(), trace, len(sym.Perms))
		}
		if len(reps) != mb.Dim() {
			t.Fatalf("%s %v: %d representatives, brute force %d", c.name, c.extent, mb.Dim(), len(reps))
		}
		for k, r := range reps {
			if mb.State(k) != r || mb.Index(r) != k || mb.Norm(k) != float64(len(sym.Perms)*stab[r]) {
				t.Fatalf("%s %v: representative %d: %#x (index %d, norm %g), want %#x (norm %d)",
					c.name, c.extent, k, mb.State(k), mb.Index(r), mb.Norm(k), r, len(sym.Perms)*stab[r])
			}
			// Every orbit element maps back to r.
			for _, p := range sym.Perms {
				s := permState(p, r)
				r2, g := mb.Representative(s)
				if r2 != r || permState(sym.Perms[g], s) != r {
					t.Fatalf("Representative(%#x) = %#x, g=%d; want %#x", s, r2, g, r)
				}
			}
		}
	}
}

// sectorDense returns the dense matrix of m.
func sectorDense(m *CSR) *mat.Dense {
	d := mat.NewDense(m.Dim(), m.Dim(), nil)
	for i := 0; i < m.Dim(); i++ {
		m.Row(i, func(j int, v float64) { d.Set(i, j, d.At(i, j)+v) })
	}
	return d
}

// TestMomentumSpectrum checks, on small clusters, that the spectra of all
// real-character sectors together are a sub-multiset of the full spectrum
// of the S^z sector (every sector eigenvalue matches a distinct full
// eigenvalue), and that the sector matrices are symmetric.
func TestMomentumSpectrum(t *testing.T) {
	smallBlocks(t)
	type tc struct {
		name   string
		op     hamiltonian.Operator
		extent []int
		l      *lattice.Lattice
		nUp    int
	}
	chain := func(n int) *lattice.Lattice { return mustLattice(t, lattice.Chain, []int{n}) }
	sq := mustLattice(t, lattice.Square, []int{2, 4})
	cases := []tc{
		{"heisenberg8", chainHeisenberg(t, 8, 0), []int{8}, chain(8), 4},
		{"j1j2-10", chainHeisenberg(t, 10, 0.4), []int{10}, chain(10), 5},
		{"j1j2-10-sz1", chainHeisenberg(t, 10, 0.4), []int{10}, chain(10), 6},
		{"signrule8", mustHeisenberg(t, chain(8), hamiltonian.HeisenbergParams{J: 1, SignRule: true}), []int{8}, chain(8), 4},
		{"tfi8", mustIsing(t, chain(8), hamiltonian.IsingParams{J: 1, H: 0.7}), []int{8}, chain(8), Unconstrained},
		{"square2x4", mustHeisenberg(t, sq, hamiltonian.HeisenbergParams{J: 1, J2: 0.3}), []int{2, 4}, sq, 4},
	}
	for _, c := range cases {
		n := c.l.NumSites()
		full := denseSpectrum(t, naiveDense(t, c.op, mustBasis(t, n, c.nUp)))
		used := make([]bool, len(full))
		var pis [][]int
		if len(c.extent) == 1 {
			pis = [][]int{{0}, {1}}
		} else {
			pis = [][]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}}
		}
		total := 0
		for _, pi := range pis {
			mb, err := NewMomentumBasis(n, c.nUp, realMomentum(c.l, c.extent, pi...))
			if err != nil {
				t.Fatal(err)
			}
			for _, threads := range []int{1, 3} {
				m, err := NewMomentumCSR(c.op, mb, threads)
				if err != nil {
					t.Fatal(err)
				}
				if threads == 3 {
					continue
				}
				ev := denseSpectrum(t, sectorDense(m))
				total += len(ev)
				for _, e := range ev {
					k := sort.SearchFloat64s(full, e-1e-9)
					for k < len(full) && (used[k] || math.Abs(full[k]-e) > 1e-9) && full[k] < e+1e-9 {
						k++
					}
					if k == len(full) || used[k] || math.Abs(full[k]-e) > 1e-9 {
						t.Fatalf("%s k=%v: eigenvalue %.12f not in the remaining full spectrum", c.name, pi, e)
					}
					used[k] = true
				}
			}
		}
		if total == 0 || total > len(full) {
			t.Errorf("%s: sector dimensions sum to %d, full %d", c.name, total, len(full))
		}
	}
}

// TestMomentumThreads checks that the sector matrix does not depend on the
// number of threads.
func TestMomentumThreads(t *testing.T) {
	smallBlocks(t)
	op := chainHeisenberg(t, 14, 0.3)
	mb, err := NewMomentumBasis(14, 7, chainSym(t, 14, 1))
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := NewMomentumCSR(op, mb, 1)
	m3, _ := NewMomentumCSR(op, mb, 3)
	x := make([]float64, mb.Dim())
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	y1, y3 := make([]float64, len(x)), make([]float64, len(x))
	m1.MulVec(y1, x)
	m3.MulVec(y3, x)
	if !slices.Equal(y1, y3) || m1.NNZ() != m3.NNZ() {
		t.Error("products differ between 1 and 3 threads")
	}
}

// TestMomentumGroundStates compares the lowest energy over the k = 0 and
// k = π sectors with the ground state of the S^z sector, and checks where
// the ground state lies: without the sign rule at k = 0 for N/2 even and
// k = π for N/2 odd; with the Marshall sign rule at k = 0 for every even N
// (the rotation U = (−1)^{#up on B} obeys T U T⁻¹ = (−1)^{nUp} U).
func TestMomentumGroundStates(t *testing.T) {
	ref := map[int]float64{8: -3.651093408937, 12: -5.387390917445, 16: -7.142296360617}
	for _, n := range []int{8, 10, 12, 14, 16} {
		for _, sign := range []bool{false, true} {
			op := mustHeisenberg(t, mustLattice(t, lattice.Chain, []int{n}), hamiltonian.HeisenbergParams{J: 1, SignRule: sign})
			want, ok := ref[n]
			if !ok {
				r, err := Solve(op, n/2, Options{})
				if err != nil {
					t.Fatal(err)
				}
				want = r.Energies[0]
			}
			var e [2]float64
			for pi := 0; pi < 2; pi++ {
				s := chainSym(t, n, pi)
				r, err := Solve(op, n/2, Options{Symmetry: &s})
				if err != nil {
					t.Fatal(err)
				}
				if r.Basis != nil || r.Momentum == nil || r.Dimension != r.Momentum.Dim() {
					t.Fatalf("N=%d: result basis fields inconsistent", n)
				}
				e[pi] = r.Energies[0]
			}
			gsK := 0
			if e[1] < e[0] {
				gsK = 1
			}
			wantK := (n / 2) % 2
			if sign {
				wantK = 0
			}
			if math.Abs(min(e[0], e[1])-want) > 1e-9 || gsK != wantK {
				t.Errorf("N=%d sign rule %v: E(k=0) = %.12f, E(k=π) = %.12f; want %.12f at k = %d·π", n, sign, e[0], e[1], want, wantK)
			}
		}
	}

	// 4×4 square lattice: lowest over the four real momenta.
	l := mustLattice(t, lattice.Square, []int{4, 4})
	op := mustHeisenberg(t, l, hamiltonian.HeisenbergParams{J: 1})
	best := math.Inf(1)
	for _, pi := range [][]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		s := realMomentum(l, []int{4, 4}, pi...)
		r, err := Solve(op, 8, Options{Symmetry: &s})
		if err != nil {
			t.Fatal(err)
		}
		best = min(best, r.Energies[0])
	}
	if math.Abs(best-(-11.228483208429)) > 1e-9 {
		t.Errorf("4×4: lowest over real momenta %.12f, want -11.228483208429", best)
	}

	// Transverse-field Ising chain N = 10 (full space), k = 0.
	tfi := mustIsing(t, mustLattice(t, lattice.Chain, []int{10}), hamiltonian.IsingParams{J: 1, H: 1})
	s := chainSym(t, 10, 0)
	r, err := Solve(tfi, Unconstrained, Options{Symmetry: &s})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Energies[0]-(-12.784906442999)) > 1e-9 {
		t.Errorf("TFI N=10 k=0: %.12f, want -12.784906442999", r.Energies[0])
	}
}

func TestMomentumSolveErrors(t *testing.T) {
	op := chainHeisenberg(t, 8, 0)
	s := chainSym(t, 8, 0)
	if _, err := Solve(op, 4, Options{Symmetry: &s, Vector: true}); err == nil {
		t.Error("Vector with Symmetry: no error")
	}
	if _, err := Solve(op, 4, Options{Symmetry: &s, Product: ProductMatrixFree}); err == nil {
		t.Error("matrix-free with Symmetry: no error")
	}
	bad := Symmetry{Perms: s.Perms, Chars: slices.Clone(s.Chars)}
	bad.Chars[3] = -1
	if _, err := Solve(op, 4, Options{Symmetry: &bad}); err == nil {
		t.Error("non-homomorphic characters: no error")
	}
	if _, err := Solve(chainHeisenberg(t, 10, 0), 5, Options{Symmetry: &s}); err == nil {
		t.Error("symmetry of 8 sites on a 10-site operator: no error")
	}
}

func BenchmarkMomentumCSR(b *testing.B) {
	op := chainHeisenberg(b, 22, 0)
	s := chainSym(b, 22, 1)
	for b.Loop() {
		mb, err := NewMomentumBasis(22, 11, s)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewMomentumCSR(op, mb, 0); err != nil {
			b.Fatal(err)
		}
	}
}
