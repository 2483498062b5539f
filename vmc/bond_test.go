package vmc

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/hilbert"
)

// ring6 is the bond list of a 6-site ring with one doubled bond (a
// multigraph, as the edges of a 2-cell periodic direction are).
var ring6 = [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 0}, {0, 1}}

// The chain of BondExchange samples |ψ|² in the sector: the histogram of
// 6000 independent chains after burn-in passes a χ² test against exact
// enumeration, for a mostly local and a mostly distant mixture. A rule
// that dropped its proposal ratio (A(x) ≠ A(x')) would fail it.
func TestBondExchangeDistribution(t *testing.T) {
	const n, nUp = 6, 3
	psi := randomRBM(n, 1, true, 0.4, 7)
	op := heisenberg(t, n, true, false)
	ex, err := NewExact(psi, op, nUp, 1)
	if err != nil {
		t.Fatal(err)
	}
	var exact Batch
	ex.Sample(&exact, false)
	index := map[uint64]int{}
	for k := range exact.Ns {
		index[hilbert.ConfigToState(exact.Config(k))] = k
	}
	for _, distant := range []float64{0.1, 0.7} {
		s, err := NewSampler(psi, op, Options{Chains: 6000, Samples: 6000, BurnIn: 20, NUp: nUp, Seed: 93, Rule: BondExchange{Edges: ring6, Distant: distant}})
		if err != nil {
			t.Fatal(err)
		}
		var b Batch
		s.SampleWith(&b, nil)
		counts := make([]float64, exact.Ns)
		for k := range b.Ns {
			counts[index[hilbert.ConfigToState(b.Config(k))]]++
		}
		var chi2 float64
		for k, w := range exact.W {
			e := w * float64(b.Ns)
			chi2 += (counts[k] - e) * (counts[k] - e) / e
		}
		if bound := chiSquareBound(exact.Ns - 1); !(chi2 < bound) {
			t.Errorf("distant = %v: χ² = %.1f, bound %.1f", distant, chi2, bound)
		}
	}
}

// The proposal ratio matches q computed by brute force over every move,
// and the count of antiparallel bonds follows accepted moves, including
// a global flip and a three-site move.
func TestBondExchangeProposer(t *testing.T) {
	const n, nUp, distant = 6, 3, 0.25
	pr, err := BondExchange{Edges: ring6, Distant: distant}.NewProposer(n, nUp)
	if err != nil {
		t.Fatal(err)
	}
	p := pr.(*bondProposer)
	anti := func(x []int8) int {
		a := 0
		for _, e := range ring6 {
			if x[e[0]] != x[e[1]] {
				a++
			}
		}
		return a
	}
	// q(x → x') by its definition: bonds joining the pair over A(x), and
	// the Exchange probability of the pair.
	q := func(x []int8, i, j int) float64 {
		b := 0
		for _, e := range ring6 {
			if e == [2]int{i, j} || e == [2]int{j, i} {
				b++
			}
		}
		return (1-distant)*float64(b)/float64(anti(x)) + distant*(1.0/3+1.0/3)/n
	}
	rng := rand.New(rand.NewPCG(5, 6))
	x := []int8{1, 1, 1, -1, -1, -1}
	p.Reset(x)
	for step := range 2000 {
		flips, logQ := p.Propose(x, rng)
		i, j := flips[0], flips[1]
		if x[i] == x[j] {
			t.Fatalf("step %d: proposed parallel spins %d, %d", step, i, j)
		}
		y := append([]int8(nil), x...)
		y[i], y[j] = -y[i], -y[j]
		want := math.Log(q(y, i, j)) - math.Log(q(x, i, j))
		if math.Abs(logQ-want) > 1e-12 {
			t.Fatalf("step %d: log proposal ratio %v, want %v", step, logQ, want)
		}
		if rng.IntN(2) == 0 {
			x = y
			p.Accept(x, flips)
		}
		if step%100 == 99 { // a global flip
			all := []int{0, 1, 2, 3, 4, 5}
			for k := range x {
				x[k] = -x[k]
			}
			p.Accept(x, all)
		}
		if p.anti != anti(x) {
			t.Fatalf("step %d: A(x) = %d, recount %d", step, p.anti, anti(x))
		}
	}
	for _, bad := range []BondExchange{{Edges: ring6, Distant: 2}, {Edges: [][2]int{{0, 1}, {2, 3}}}, {Edges: [][2]int{{0, 0}}}} {
		if _, err := bad.NewProposer(4, 2); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if _, err := (BondExchange{Edges: ring6}).NewProposer(n, Unconstrained); err == nil {
		t.Error("unconstrained sector accepted")
	}
}
