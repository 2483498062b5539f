package observable

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

// roundTol is the tolerance for comparisons that are exact up to rounding:
// sums of at most a few thousand terms of size ≤ 1 in float64.
const roundTol = 1e-12

// compare checks every element of got against the entry of the same name in
// want: |got − want| ≤ nsig·Error + floor(name). Every entry of want must
// be present in got and vice versa.
func compare(t *testing.T, label string, got, want []Entry, nsig float64, floor func(name string) float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d entries, want %d", label, len(got), len(want))
	}
	if err := Compare(got, want); err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	for _, e := range got {
		if e.Exact == nil {
			t.Fatalf("%s: no exact counterpart of %s", label, e.Name)
		}
		for k, st := range e.Stats {
			d := math.Abs(st.Mean - e.Exact[k])
			if tol := nsig*st.Error + floor(e.Name); !(d <= tol) {
				t.Errorf("%s: %s[%d] = %v, exact %.10g: deviation %.3g > %.3g", label, e.Name, k, st, e.Exact[k], d, tol)
			}
		}
	}
}

func constFloor(f float64) func(string) float64 { return func(string) float64 { return f } }

// An exact batch of the exact state (a table of the ED vector) reproduces
// Exact to rounding: both run the same estimators, one through the ansatz
// cache and vmc.NewExact, the other through the ED basis. Covers a fixed
// sector with and without the sign rule and the full space (Ising).
func TestExactBatchMatchesED(t *testing.T) {
	l8 := chain(t, 8)
	l6 := chain(t, 6)
	for ci, tc := range []struct {
		name string
		l    *lattice.Lattice
		sign bool
		nUp  int
		ham  bool // Heisenberg, else Ising with h = 1
	}{
		{"heisenberg ring 8, sign rule", l8, true, 4, true},
		{"heisenberg ring 8, no sign rule", l8, false, 4, true},
		{"ising ring 6, full space", l6, false, vmc.Unconstrained, false},
	} {
		var op hamiltonian.Operator
		if tc.ham {
			op = heisenberg(t, tc.l, tc.sign)
		} else {
			op = ising(t, tc.l, 1)
		}
		res := solve(t, op, tc.nUp, 1)
		psi := newTable(res)
		b := exactBatch(t, psi, op, tc.nUp)
		for _, byDist := range []bool{false, true} {
			spec := all(tc.nUp, tc.sign, byDist)
			label := fmt.Sprintf("case %d (%s, by distance %v)", ci, tc.name, byDist)
			compare(t, label, measureT(t, b, psi, tc.l, spec), exactT(t, res, tc.l, spec), 0, constFloor(roundTol))
		}
	}
}

// Identities of the exact ground state of the 8-site Heisenberg ring: SU(2)
// symmetry (C^xx = C^zz for every pair, with the sign rule undone), the
// energy 3N C^zz(1) = E0, S(q) as the Fourier transform of C^zz, S(0) = 0 and
// m = 0 in S^z = 0, m_s² = S(π)/N, and the distance classes as averages of
// the matrix elements.
func TestEDIdentities(t *testing.T) {
	l := chain(t, 8)
	const n = 8
	for _, sign := range []bool{true, false} {
		res := solve(t, heisenberg(t, l, sign), 4, 1)
		full := exactT(t, res, l, all(0, sign, false))
		dist := exactT(t, res, l, all(0, sign, true))
		zz, xx := Find(full, NameZZ).Means(), Find(full, NameXX).Means()
		for k := range zz {
			if math.Abs(zz[k]-xx[k]) > roundTol {
				t.Errorf("sign %v: C^zz[%d] = %.12g but C^xx = %.12g", sign, k, zz[k], xx[k])
			}
		}
		if e := 3 * n * zz[1]; math.Abs(e-e0Ring8) > 1e-9 {
			t.Errorf("sign %v: 3N C^zz(0,1) = %.12g, want E0 = %.12g", sign, e, e0Ring8)
		}
		sq := Find(full, NameStructure)
		for k, q := range sq.Labels {
			var want float64
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					want += math.Cos(q[0]*float64(i-j)) * zz[i*n+j]
				}
			}
			want /= n
			if math.Abs(sq.Stats[k].Mean-want) > roundTol {
				t.Errorf("sign %v: S(%.4f) = %.12g, Fourier transform of C^zz %.12g", sign, q[0], sq.Stats[k].Mean, want)
			}
		}
		if s0 := sq.Stats[0].Mean; math.Abs(s0) > roundTol {
			t.Errorf("sign %v: S(0) = %g in S^z = 0", sign, s0)
		}
		if m := Find(full, NameMagnetization).Stats[0].Mean; m != 0 {
			t.Errorf("sign %v: ⟨|M|⟩/N = %g in S^z = 0", sign, m)
		}
		ms := Find(full, NameStaggered).Stats[0].Mean
		if spi := sq.Stats[n/2].Mean; math.Abs(ms-spi/n) > roundTol {
			t.Errorf("sign %v: m_s² = %.12g, S(π)/N = %.12g", sign, ms, spi/n)
		}
		zd, xd := Find(dist, NameZZDistance), Find(dist, NameXXDistance)
		if fmt.Sprint(zd.Labels) != "[[0] [1] [2] [3] [4]]" {
			t.Fatalf("distance classes %v, want 0..4", zd.Labels)
		}
		for c := range zd.Stats {
			// Translation invariance: the class average equals C(0, c).
			if d := zd.Stats[c].Mean - zz[c]; math.Abs(d) > roundTol {
				t.Errorf("sign %v: zz_distance[%d] = %.12g, C^zz(0,%d) = %.12g", sign, c, zd.Stats[c].Mean, c, zz[c])
			}
			if d := xd.Stats[c].Mean - xx[c]; math.Abs(d) > roundTol {
				t.Errorf("sign %v: xx_distance[%d] = %.12g, C^xx(0,%d) = %.12g", sign, c, xd.Stats[c].Mean, c, xx[c])
			}
		}
	}
}

// Monte Carlo sampling of the exact state agrees with ED within 5 error
// bars; there is no variational error, so the floor only covers elements
// that are constant (zero error), e.g. the diagonal and S(0).
func TestMonteCarloExactState(t *testing.T) {
	l8, l6 := chain(t, 8), chain(t, 6)
	for ci, tc := range []struct {
		name string
		l    *lattice.Lattice
		op   func() hamiltonian.Operator
		nUp  int
		move vmc.Move
		sign bool
	}{
		{"heisenberg ring 8, sign rule", l8, func() hamiltonian.Operator {
			return heisenberg(t, l8, true)
		}, 4, vmc.Exchange, true},
		{"ising ring 6, h = 1", l6, func() hamiltonian.Operator {
			return ising(t, l6, 1)
		}, vmc.Unconstrained, vmc.Local, false},
	} {
		op := tc.op()
		res := solve(t, op, tc.nUp, 1)
		psi := newTable(res)
		b := mcBatch(t, psi, op, vmc.Options{Chains: 16, Samples: 8000, BurnIn: 20, Move: tc.move, NUp: tc.nUp, Seed: 3})
		for _, byDist := range []bool{false, true} {
			spec := all(tc.nUp, tc.sign, byDist)
			label := fmt.Sprintf("case %d (%s, by distance %v)", ci, tc.name, byDist)
			compare(t, label, measureT(t, b, psi, tc.l, spec), exactT(t, res, tc.l, spec), 5, constFloor(roundTol))
		}
	}
}

// optimizedRBM returns a complex RBM (α = 2) optimized by SR with exact
// enumeration on the 8-site ring with the sign rule, and its exact energy.
func optimizedRBM(t *testing.T, steps int) (*ansatz.RBM, float64) {
	t.Helper()
	op := heisenberg(t, chain(t, 8), true)
	psi := ansatz.NewRBM(8, 2, true)
	psi.InitRandom(rand.New(rand.NewPCG(1, 7)), 0.05)
	ex, err := vmc.NewExact(psi, op, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := vmc.NewDriver(psi, ex, vmc.DriverOptions{Optimizer: vmc.SR, LearningRate: 0.05, DiagShift: 1e-3})
	for i := range steps {
		if _, err := d.Step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	var b vmc.Batch
	st, _ := vmc.Evaluate(ex, &b)
	return psi, st.Mean
}

// normBound is an upper bound on the operator norm of each observable, used
// to turn the infidelity bound into an absolute tolerance.
var normBound = map[string]float64{
	NameZZ: 0.25, NameXX: 0.25, NameZZDistance: 0.25, NameXXDistance: 0.25,
	NameStructure:     8.0 / 4, // |Σ e^{iqr} S^z|²/N ≤ (N/2)²/N
	NameMagnetization: 0.5, NameStaggered: 0.25,
}

// An RBM optimized on the 8-site ring: exact-weighted and Monte Carlo
// estimates agree with ED. The variational error is bounded rigorously: for
// normalized ψ and the ground state |0⟩ with gap Δ in the sector,
//
//	1 − |⟨0|ψ⟩|² ≤ (E − E0)/Δ,   |⟨O⟩_ψ − ⟨O⟩_0| ≤ 2‖O‖ sqrt(1 − |⟨0|ψ⟩|²),
//
// which is the floor added to 5 Monte Carlo error bars.
func TestOptimizedRBM(t *testing.T) {
	if testing.Short() {
		t.Skip("300 SR steps (6 s with -race); the estimators are covered by the exact-state tests")
	}
	l := chain(t, 8)
	op := heisenberg(t, l, true)
	res := solve(t, op, 4, 2)
	psi, e := optimizedRBM(t, 300)
	if rel := math.Abs(e-e0Ring8) / math.Abs(e0Ring8); rel > 1e-5 {
		t.Fatalf("optimized energy %.10g, relative error %.2g", e, rel)
	}
	infid := max(0, e-res.Energies[0]) / (res.Energies[1] - res.Energies[0])
	floor := func(name string) float64 { return 2*normBound[name]*math.Sqrt(infid) + roundTol }
	t.Logf("E = %.10g, infidelity ≤ %.2g, zz floor %.2g", e, infid, floor(NameZZ))

	spec := all(4, true, false)
	want := exactT(t, res, l, spec)
	ex := measureT(t, exactBatch(t, psi, op, 4), psi, l, spec)
	compare(t, "exact batch", ex, want, 0, floor)
	var worst float64
	for _, en := range ex {
		for k, st := range en.Stats {
			worst = max(worst, math.Abs(st.Mean-en.Exact[k]))
		}
	}
	t.Logf("exact batch: largest deviation from ED %.2g", worst)

	b := mcBatch(t, psi, op, vmc.Options{Chains: 16, Samples: 8000, BurnIn: 20, Move: vmc.Exchange, NUp: 4, Seed: 5})
	compare(t, "monte carlo", measureT(t, b, psi, l, spec), want, 5, floor)
	compare(t, "monte carlo by distance", measureT(t, b, psi, l, all(4, true, true)), exactT(t, res, l, all(4, true, true)), 5, floor)

	// Rényi-2 of half the ring: enumeration of the RBM against ED (within
	// the variational error, |ΔS2| ≤ ΔTr ρ²/Tr ρ², ‖Swap‖ = 1) and Monte
	// Carlo of the RBM against its own enumeration (same state: 5σ).
	region := []int{0, 1, 2, 3}
	s2ED, err := Renyi2Exact(res.Vector, res.Basis, region)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Renyi2Ansatz(psi, 4, region)
	if err != nil {
		t.Fatal(err)
	}
	// The swap bound applies to the two-copy state: trace distance of
	// ψ⊗ψ from 0⊗0 is sqrt(1 − F²) ≤ sqrt(2(1 − F)).
	if tol := 2 * math.Sqrt(2*infid) * math.Exp(s2ED); math.Abs(s2-s2ED) > tol {
		t.Errorf("Renyi2Ansatz = %.8g, ED %.8g, tolerance %.2g", s2, s2ED, tol)
	}
	r, err := Renyi2(psi, vmc.Options{Chains: 16, Samples: 8000, BurnIn: 20, Move: vmc.Exchange, NUp: 4, Seed: 9}, region)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(r.S2.Mean - s2); !(d <= 5*r.S2.Error) {
		t.Errorf("Renyi2 MC = %v, enumeration %.8g", r.S2, s2)
	}
	t.Logf("S2: ED %.6f, RBM %.6f, MC %v", s2ED, s2, r.S2)
}

// Results do not depend on the number of threads.
func TestThreadsIdentical(t *testing.T) {
	l := chain(t, 8)
	op := heisenberg(t, l, true)
	psi := ansatz.NewRBM(8, 1, true)
	psi.InitRandom(rand.New(rand.NewPCG(2, 2)), 0.3)
	b := mcBatch(t, psi, op, vmc.Options{Chains: 4, Samples: 400, Move: vmc.Exchange, NUp: 4, Seed: 1})
	var ref string
	for _, threads := range []int{1, 2, 3} {
		spec := all(4, true, false)
		spec.Threads = threads
		got := fmt.Sprint(measureT(t, b, psi, l, spec))
		if ref == "" {
			ref = got
		} else if got != ref {
			t.Errorf("threads = %d: results differ from threads = 1", threads)
		}
	}
}

// A batch larger than the series budget is processed in chunks; the result
// is identical to that of a single chunk.
func TestChunking(t *testing.T) {
	l := chain(t, 6)
	op := ising(t, l, 1)
	psi := ansatz.NewRBM(6, 1, true)
	psi.InitRandom(rand.New(rand.NewPCG(4, 4)), 0.3)
	b := mcBatch(t, psi, op, vmc.Options{Chains: 2, Samples: 64, NUp: vmc.Unconstrained, Seed: 1})
	spec := all(vmc.Unconstrained, false, false)
	whole := fmt.Sprint(measureT(t, b, psi, l, spec))
	defer func(v int) { seriesBudget = v }(seriesBudget)
	for _, chunk := range []int{1, 4} { // series per chunk; 15 pairs
		seriesBudget = chunk * b.Ns
		if got := fmt.Sprint(measureT(t, b, psi, l, spec)); got != whole {
			t.Errorf("chunks of %d series: results differ from one chunk", chunk)
		}
	}
}

// Distance classes and reference sites of several lattices.
func TestGeometry(t *testing.T) {
	for ci, tc := range []struct {
		kind    lattice.Kind
		extent  []int
		pbc     bool
		classes []float64 // nil: not checked
		refs    int
	}{
		{lattice.Chain, []int{8}, true, []float64{0, 1, 2, 3, 4}, 1},
		{lattice.Chain, []int{5}, false, []float64{0, 1, 2, 3, 4}, 5},
		{lattice.Square, []int{4, 4}, true, []float64{0, 1, math.Sqrt2, 2, math.Sqrt(5), 2 * math.Sqrt2}, 1},
		// Triangular 3×3 torus: every site is a nearest or next-nearest
		// neighbour of the origin (6 + 2).
		{lattice.Triangular, []int{3, 3}, true, []float64{0, 1, math.Sqrt(3)}, 1},
		{lattice.Honeycomb, []int{2, 2}, true, nil, 2},
	} {
		l, err := lattice.New(tc.kind, tc.extent, []bool{tc.pbc})
		if err != nil {
			t.Fatal(err)
		}
		g := newGeometry(l)
		if tc.classes != nil {
			if got, want := fmt.Sprint(roundAll(g.classes)), fmt.Sprint(roundAll(tc.classes)); got != want {
				t.Errorf("case %d (%v): classes %s, want %s", ci, l, got, want)
			}
		}
		if len(g.refs) != tc.refs {
			t.Errorf("case %d (%v): %d reference sites, want %d", ci, l, len(g.refs), tc.refs)
		}
		// Symmetric, zero exactly on the diagonal, translation invariant.
		n := l.NumSites()
		for _, tr := range l.Translations() {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					if g.classOf[i*n+j] != g.classOf[tr[i]*n+tr[j]] || g.classOf[i*n+j] != g.classOf[j*n+i] || (g.classOf[i*n+j] == 0) != (i == j) {
						t.Fatalf("case %d (%v): class of (%d, %d) is not symmetric or translation invariant", ci, l, i, j)
					}
				}
			}
		}
	}
}

func roundAll(x []float64) []float64 {
	out := make([]float64, len(x))
	for k, v := range x {
		out[k] = math.Round(v*1e6) / 1e6
	}
	return out
}

func TestVScore(t *testing.T) {
	st := vmc.Stats{Mean: -4, Variance: 0.16}
	if v := VScore(st, 8); math.Abs(v-0.08) > 1e-15 {
		t.Errorf("VScore = %g, want 8·0.16/16 = 0.08", v)
	}
	// Per-site energy and variance (E/N, Var/N²) give the same V-score.
	ps := vmc.Stats{Mean: -0.5, Variance: 0.16 / 64}
	if v := VScore(ps, 8); math.Abs(v-0.08) > 1e-15 {
		t.Errorf("VScore per site = %g, want 0.08", v)
	}
}

func TestErrors(t *testing.T) {
	l := chain(t, 8)
	op := heisenberg(t, l, false)
	res := solve(t, op, 4, 1)
	psi := newTable(res)
	b := exactBatch(t, psi, op, 4)
	if _, err := Measure(b, psi, l, Spec{XX: true, NUp: 3}); err == nil {
		t.Error("Measure accepted samples outside the sector NUp")
	}
	odd := chain(t, 5)
	res5 := solve(t, heisenberg(t, odd, false), 2, 1)
	if _, err := Exact(res5, odd, Spec{XX: true, SignRule: true}); err == nil {
		t.Error("Exact accepted the sign rule on an odd ring")
	}
	noVec := *res
	noVec.Vector = nil
	if _, err := Exact(&noVec, l, Spec{ZZ: true}); err == nil {
		t.Error("Exact accepted a result without a vector")
	}
	bad := *b
	bad.Configs = append([]int8(nil), b.Configs...)
	bad.Configs[3] = 0
	if _, err := Measure(&bad, psi, l, Spec{ZZ: true, NUp: vmc.Unconstrained}); err == nil {
		t.Error("Measure accepted a configuration entry 0")
	}
	for _, region := range [][]int{{0, 0}, {8}, {-1}} {
		if _, err := Renyi2Exact(res.Vector, res.Basis, region); err == nil {
			t.Errorf("Renyi2Exact accepted region %v", region)
		}
	}
	if _, err := Renyi2Batches(psi, b, b, []int{0}, 4, 1); err == nil {
		t.Error("Renyi2Batches accepted exact batches")
	}
	// The staggered magnetization is absent on a lattice that is not
	// bipartite.
	got := exactT(t, res5, odd, Spec{Magnetization: true})
	if len(got) != 1 || got[0].Name != NameMagnetization {
		t.Errorf("odd ring: entries %v, want magnetization only", got)
	}
}

// Renyi-2 tests.

// A product state has S2 = 0: an RBM without couplings (ψ = Π_i e^{a_i x_i}
// · const), sampled in the whole space, gives a swap ratio of exactly 1 for
// every pair; enumeration gives purity 1; the all-up state in ED form too.
func TestRenyi2ProductState(t *testing.T) {
	const n = 6
	psi := ansatz.NewRBM(n, 1, true)
	p := make([]complex128, psi.NumParams())
	rng := rand.New(rand.NewPCG(8, 8))
	// Visible biases a_i and hidden biases b_j random, weights zero. The
	// layout (visible, hidden, weights) is that of ansatz.RBM.Params.
	for k := 0; k < n+psi.NumHidden(); k++ {
		p[k] = complex(rng.NormFloat64()*0.5, rng.NormFloat64()*0.5)
	}
	psi.SetParams(p)
	checkProduct(t, psi)
	region := []int{0, 2, 3}
	s2, err := Renyi2Ansatz(psi, vmc.Unconstrained, region)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s2) > roundTol {
		t.Errorf("Renyi2Ansatz of a product state = %g", s2)
	}
	r, err := Renyi2(psi, vmc.Options{Chains: 4, Samples: 400, Move: vmc.Local, NUp: vmc.Unconstrained, Seed: 1}, region)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Swap.Mean-1) > roundTol || math.Abs(r.S2.Mean) > roundTol || r.S2.Error > roundTol {
		t.Errorf("Renyi2 of a product state: swap %v, S2 %v", r.Swap, r.S2)
	}
	l := chain(t, n)
	allUp := solve(t, heisenberg(t, l, false), n, 1) // one state: all up
	if s2, err := Renyi2Exact(allUp.Vector, allUp.Basis, region); err != nil || math.Abs(s2) > roundTol {
		t.Errorf("Renyi2Exact of the all-up state = %g, %v", s2, err)
	}
}

// checkProduct verifies that psi factorizes: ψ(x)ψ(y) = ψ(x_A y_B)ψ(y_A x_B)
// for a random pair and region (guards the parameter layout assumed above).
func checkProduct(t *testing.T, psi ansatz.Ansatz) {
	x := []int8{1, -1, 1, 1, -1, -1}
	y := []int8{-1, -1, 1, -1, 1, 1}
	sx := []int8{-1, -1, 1, 1, -1, -1} // x with site 0 from y
	sy := []int8{1, -1, 1, -1, 1, 1}
	d := psi.LogPsi(x) + psi.LogPsi(y) - psi.LogPsi(sx) - psi.LogPsi(sy)
	if cmplx.Abs(d) > 1e-12 {
		t.Fatalf("the RBM with zero weights does not factorize: %v", d)
	}
}

// The singlet of two sites: S2 of one site is ln 2, exactly from ED and by
// enumeration. Monte Carlo cannot sample two sites with exchange moves (a
// sweep is two exchanges, which restore the configuration), so it runs on
// two decoupled singlets (0,1) and (2,3), where S2 is ln 2 for {0}, 0 for
// {0,1} and 2 ln 2 for {0,2}; pairs whose x_A and y_A differ in their number
// of up spins leave the sector and contribute 0.
func TestRenyi2Singlet(t *testing.T) {
	res := solve(t, heisenberg(t, chain(t, 2), false), 1, 1)
	s2, err := Renyi2Exact(res.Vector, res.Basis, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s2-math.Ln2) > roundTol {
		t.Errorf("Renyi2Exact of the singlet = %.15g, want ln 2", s2)
	}
	if s, err := Renyi2Ansatz(newTable(res), 1, []int{1}); err != nil || math.Abs(s-math.Ln2) > roundTol {
		t.Errorf("Renyi2Ansatz of the singlet = %.15g, %v", s, err)
	}

	l, err := lattice.NewCustom(4, [][2]int{{0, 1}, {2, 3}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res = solve(t, heisenberg(t, l, false), 2, 1)
	psi := newTable(res)
	for ci, tc := range []struct {
		region []int
		want   float64
	}{
		{[]int{0}, math.Ln2},
		{[]int{0, 1}, 0},
		{[]int{0, 2}, 2 * math.Ln2},
	} {
		if s, err := Renyi2Exact(res.Vector, res.Basis, tc.region); err != nil || math.Abs(s-tc.want) > roundTol {
			t.Errorf("case %d: Renyi2Exact = %.15g, want %.15g (%v)", ci, s, tc.want, err)
		}
		r, err := Renyi2(psi, vmc.Options{Chains: 8, Samples: 4000, BurnIn: 10, Move: vmc.Exchange, NUp: 2, Seed: 2}, tc.region)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(r.S2.Mean - tc.want); !(d <= 5*r.S2.Error+roundTol) || r.S2.Error > 0.1 {
			t.Errorf("case %d: Renyi2 = %v, want %.8g", ci, r.S2, tc.want)
		}
	}
}

// Rényi-2 of a region of the 8-site ring ground state: Monte Carlo of the
// exact state within 5σ of ED; enumeration of the same state equal to ED.
func TestRenyi2Ring(t *testing.T) {
	l := chain(t, 8)
	op := heisenberg(t, l, true)
	res := solve(t, op, 4, 1)
	psi := newTable(res)
	for ci, region := range [][]int{{0, 1}, {0, 1, 2, 3}, {0, 2, 5}, {1, 2, 3, 4, 5, 6, 7}} {
		want, err := Renyi2Exact(res.Vector, res.Basis, region)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Renyi2Ansatz(psi, 4, region); err != nil || math.Abs(got-want) > roundTol {
			t.Errorf("case %d: Renyi2Ansatz = %.12g, ED %.12g (%v)", ci, got, want, err)
		}
		r, err := Renyi2(psi, vmc.Options{Chains: 8, Samples: 4000, BurnIn: 20, Move: vmc.Exchange, NUp: 4, Seed: uint64(ci + 1)}, region)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(r.S2.Mean - want); !(d <= 5*r.S2.Error) {
			t.Errorf("case %d: region %v: Renyi2 = %v, ED %.8g", ci, region, r.S2, want)
		}
	}
}

// renyiExact against the definition, for a random complex state of the full
// space and of a sector: ρ_A built element by element over all of A and B.
func TestRenyi2Definition(t *testing.T) {
	const n = 5
	rng := rand.New(rand.NewPCG(6, 6))
	for _, sector := range []bool{false, true} {
		var states []uint64
		var amps []complex128
		for s := uint64(0); s < 1<<n; s++ {
			if sector && popcount(s) != 2 {
				continue
			}
			states = append(states, s)
			amps = append(amps, complex(rng.NormFloat64(), rng.NormFloat64()))
		}
		for _, region := range [][]int{{0}, {1, 3}, {0, 2, 4}, {4, 0, 1, 2}} {
			got, err := renyiExact(n, states, amps, region)
			if err != nil {
				t.Fatal(err)
			}
			if want := naiveRenyi2(n, states, amps, region); math.Abs(got-want) > roundTol {
				t.Errorf("sector %v, region %v: %.14g, definition %.14g", sector, region, got, want)
			}
		}
	}
}

func popcount(s uint64) int {
	c := 0
	for ; s != 0; s &= s - 1 {
		c++
	}
	return c
}

// naiveRenyi2 builds ψ as a dense 2^N vector and ρ_A[a][a'] = Σ_b ψ(a,b)ψ*(a',b).
func naiveRenyi2(n int, states []uint64, amps []complex128, region []int) float64 {
	psi := make([]complex128, 1<<n)
	var z float64
	for k, s := range states {
		psi[s] = amps[k]
		z += real(amps[k] * cmplx.Conj(amps[k]))
	}
	var maskA uint64
	for _, i := range region {
		maskA |= 1 << uint(i)
	}
	var purity float64
	// ρ[a][a'] with a, a' the A-bits (kept in place), summed over B-bits.
	rho := map[[2]uint64]complex128{}
	for s1 := uint64(0); s1 < 1<<n; s1++ {
		for s2 := uint64(0); s2 < 1<<n; s2++ {
			if s1&^maskA == s2&^maskA {
				rho[[2]uint64{s1 & maskA, s2 & maskA}] += psi[s1] * cmplx.Conj(psi[s2])
			}
		}
	}
	for _, v := range rho {
		purity += real(v * cmplx.Conj(v))
	}
	return -math.Log(purity / (z * z))
}
