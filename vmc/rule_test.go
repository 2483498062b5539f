package vmc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vmc-lattice/vmc/hilbert"
)

// checkLists reports an inconsistency between configuration x and the site
// lists of the exchange proposer inside p (possibly wrapped in a global-flip
// mixture).
func checkLists(x []int8, p Proposer) error {
	if g, ok := p.(*globalFlipProposer); ok {
		p = g.base
	}
	e, ok := p.(*exchangeProposer)
	if !ok {
		return fmt.Errorf("proposer %T is not an exchange proposer", p)
	}
	if len(e.up)+len(e.down) != len(x) {
		return fmt.Errorf("%d up + %d down sites, want %d", len(e.up), len(e.down), len(x))
	}
	for k, site := range e.up {
		if x[site] != 1 || e.pos[site] != k {
			return fmt.Errorf("up list broken at %d", k)
		}
	}
	for k, site := range e.down {
		if x[site] != -1 || e.pos[site] != k {
			return fmt.Errorf("down list broken at %d", k)
		}
	}
	return nil
}

// TestRuleErrors checks that rules refuse spaces they cannot sample.
func TestRuleErrors(t *testing.T) {
	tests := []struct {
		name   string
		rule   Rule
		n, nUp int
		ok     bool
	}{
		{"local, whole space", Local, 6, Unconstrained, true},
		{"local in a sector", Local, 6, 3, false},
		{"exchange in a sector", Exchange, 6, 2, true},
		{"exchange, whole space", Exchange, 6, Unconstrained, false},
		{"exchange, all up", Exchange, 6, 6, false},
		{"exchange, all down", Exchange, 6, 0, false},
		{"unknown move", Move(7), 6, Unconstrained, false},
		{"flip at half filling", GlobalFlip{Exchange, 0.2}, 6, 3, true},
		{"flip off half filling", GlobalFlip{Exchange, 0.2}, 6, 2, false},
		{"no flip off half filling", GlobalFlip{Exchange, 0}, 6, 2, true},
		{"flip, whole space", GlobalFlip{Local, 1}, 5, Unconstrained, true},
		{"flip probability > 1", GlobalFlip{Local, 1.5}, 6, Unconstrained, false},
		{"flip probability < 0", GlobalFlip{Local, -0.1}, 6, Unconstrained, false},
		{"flip probability NaN", GlobalFlip{Local, math.NaN()}, 6, Unconstrained, false},
		{"flip without a rule", GlobalFlip{nil, 0.5}, 6, Unconstrained, false},
		{"flip of a bad rule", GlobalFlip{Exchange, 0.5}, 6, Unconstrained, false},
	}
	for i, tc := range tests {
		p, err := tc.rule.NewProposer(tc.n, tc.nUp)
		if (err == nil) != tc.ok || (err == nil) != (p != nil) {
			t.Errorf("case %d (%s): proposer %v, error %v; want ok = %v", i, tc.name, p, err, tc.ok)
		}
	}
}

// TestExchangeAccept drives the exchange proposer's bookkeeping through
// every kind of accepted move (exchange, global flip, and arbitrary sets of
// flips, as a custom rule mixed with it could make) and checks the site
// lists after each.
func TestExchangeAccept(t *testing.T) {
	const n = 9
	p, err := Exchange.NewProposer(n, 4)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]int8, n)
	for i := range x {
		x[i] = int8(2*rng.IntN(2) - 1)
	}
	p.Reset(x)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	for step := range 2000 {
		var flips []int
		up := 0
		for _, v := range x {
			up += int(v+1) / 2
		}
		switch {
		case step%4 < 2 && up > 0 && up < n: // exchange needs both spins
			flips, _ = p.Propose(x, rng)
			if x[flips[0]] == x[flips[1]] {
				t.Fatalf("step %d: exchange of equal spins %v", step, flips)
			}
		case step%4 == 2:
			flips = all
		default:
			flips = rng.Perm(n)[:1+rng.IntN(n-1)]
		}
		flips = append([]int(nil), flips...)
		for _, i := range flips {
			x[i] = -x[i]
		}
		p.Accept(x, flips)
		if err := checkLists(x, p); err != nil {
			t.Fatalf("step %d (flips %v): %v", step, flips, err)
		}
	}
}

// TestRuleOption checks that Options.Rule is the same chain as the
// equivalent Move and GlobalFlip options, bit for bit.
func TestRuleOption(t *testing.T) {
	psi := randomRBM(8, 1, true, 0.3, 81)
	op := heisenberg(t, 8, true, true)
	base := Options{Chains: 3, Samples: 60, BurnIn: 3, NUp: 4, Seed: 81, Threads: 1}
	for i, tc := range []struct {
		old  func(o *Options)
		rule Rule
	}{
		{func(o *Options) { o.Move = Exchange }, Exchange},
		{func(o *Options) { o.Move, o.GlobalFlip = Exchange, 0.3 }, GlobalFlip{Exchange, 0.3}},
	} {
		a, b := base, base
		tc.old(&a)
		b.Rule = tc.rule
		sa, err := NewSampler(psi, op, a)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := NewSampler(psi, op, b)
		if err != nil {
			t.Fatal(err)
		}
		var x, y Batch
		for call := range 2 {
			sa.Sample(&x, true)
			sb.Sample(&y, true)
			if err := sameBatch(&x, &y); err != nil {
				t.Errorf("case %d, call %d: %v", i, call, err)
			}
		}
	}
}

// halfHalf is an asymmetric rule on the whole space: it flips an up site
// or a down site with probability 1/2 each (always the other kind when one
// is missing), uniformly within the kind. From x with u up and d = N − u
// down sites, an up site is flipped with q(x → x') = 1/(2u) (1/u if d = 0),
// and the reverse move flips a down site of x', which has d + 1 of them:
// q(x' → x) = 1/(2(d+1)) (1/(d+1) if u = 1). With honest false the rule
// claims to be symmetric, which biases the chain.
type halfHalf struct{ honest bool }

func (h halfHalf) NewProposer(n, nUp int) (Proposer, error) {
	return &halfHalfProposer{honest: h.honest, flip: make([]int, 1), up: make([]int, 0, n), down: make([]int, 0, n)}, nil
}

type halfHalfProposer struct {
	honest         bool
	flip, up, down []int
}

func (*halfHalfProposer) Reset([]int8)         {}
func (*halfHalfProposer) Accept([]int8, []int) {}

func (h *halfHalfProposer) Propose(x []int8, rng *rand.Rand) ([]int, float64) {
	h.up, h.down = h.up[:0], h.down[:0]
	for i, v := range x {
		if v > 0 {
			h.up = append(h.up, i)
		} else {
			h.down = append(h.down, i)
		}
	}
	// q(pick a site of list, of size k, when the other list has m sites).
	q := func(k, m int) float64 {
		if m == 0 {
			return 1 / float64(k)
		}
		return 1 / (2 * float64(k))
	}
	u, d := len(h.up), len(h.down)
	flipUp := d == 0 || (u > 0 && rng.IntN(2) == 0)
	var fwd, rev float64
	if flipUp {
		h.flip[0] = h.up[rng.IntN(u)]
		fwd, rev = q(u, d), q(d+1, u-1)
	} else {
		h.flip[0] = h.down[rng.IntN(d)]
		fwd, rev = q(d, u), q(u+1, d-1)
	}
	if !h.honest {
		return h.flip, 0
	}
	return h.flip, math.Log(rev) - math.Log(fwd)
}

// TestRuleProposalRatio samples |ψ|² with the asymmetric halfHalf rule and
// compares the histogram with the exact distribution by Pearson's χ² (see
// TestSamplerHistogram for the bound and pooling). With the log proposal
// ratio the test must pass; claiming symmetry instead must fail it, which
// shows that the ratio enters the acceptance. ψ is flat so that the bias is
// that of the proposal alone: under the dishonest chain the number of up
// spins makes a symmetric random walk, so that each of the N+1 values is
// equally likely instead of binomially distributed, a bias far beyond the
// χ² margin with 4000 samples (χ² ≈ 3000 for 63 degrees of freedom).
func TestRuleProposalRatio(t *testing.T) {
	const n = 6
	psi, op := flat(n), ising(t, n, 1)
	ex, err := NewExact(psi, op, Unconstrained, 1)
	if err != nil {
		t.Fatal(err)
	}
	var exact Batch
	ex.Sample(&exact, false)
	for i, honest := range []bool{true, false} {
		s, err := NewSampler(psi, op, Options{Chains: 4000, Samples: 4000, BurnIn: 30, NUp: Unconstrained, Seed: 91, Rule: halfHalf{honest}})
		if err != nil {
			t.Fatal(err)
		}
		var b Batch
		s.SampleWith(&b, nil)
		counts := make([]float64, exact.Ns)
		for k := range b.Ns {
			counts[hilbert.ConfigToState(b.Config(k))]++ // full space: index = state
		}
		var chi2 float64
		for k, w := range exact.W {
			e := w * float64(b.Ns)
			chi2 += (counts[k] - e) * (counts[k] - e) / e
		}
		bound := chiSquareBound(exact.Ns - 1)
		if honest && !(chi2 < bound) {
			t.Errorf("case %d: honest rule: χ² = %.1f, bound %.1f", i, chi2, bound)
		}
		if !honest && !(chi2 > 10*bound) {
			t.Errorf("case %d: rule without its proposal ratio: χ² = %.1f, expected far above %.1f", i, chi2, bound)
		}
		t.Logf("case %d (honest %v): χ²/df = %.1f/%d", i, honest, chi2, exact.Ns-1)
	}
}

// FlipSets samples |ψ|²: χ² of the histogram of a random RBM state against
// the exact weights, without a sector (Local base) and in the S^z = 0
// sector (Exchange base; set flips that leave the sector are rejected);
// with P = 0 the chain is that of the base rule, bit for bit.
func TestFlipSets(t *testing.T) {
	const n = 6
	sets := [][]int{{0, 1, 2, 3}, {2, 3, 4, 5}, {4, 5, 0, 1}, {1, 4}}
	for _, tc := range []struct {
		name string
		nUp  int
		base Move
	}{{"local", Unconstrained, Local}, {"exchange, sector", 3, Exchange}} {
		t.Run(tc.name, func(t *testing.T) {
			psi := newRBM(n, 1, true, 5, 0.4)
			op := heisenberg(t, n, true, false)
			if tc.nUp == Unconstrained {
				op = ising(t, n, 1)
			}
			ex, err := NewExact(psi, op, tc.nUp, 1)
			if err != nil {
				t.Fatal(err)
			}
			var exact Batch
			ex.Sample(&exact, false)
			index := map[uint64]int{}
			for k := range exact.Ns {
				index[hilbert.ConfigToState(exact.Config(k))] = k
			}
			s, err := NewSampler(psi, op, Options{Chains: 4000, Samples: 4000, BurnIn: 30, NUp: tc.nUp, Seed: 17, Rule: FlipSets{Rule: tc.base, Sets: sets, P: 0.5}})
			if err != nil {
				t.Fatal(err)
			}
			var b Batch
			s.SampleWith(&b, nil)
			counts := make([]float64, exact.Ns)
			for k := range b.Ns {
				j, ok := index[hilbert.ConfigToState(b.Config(k))]
				if !ok {
					t.Fatalf("sample %v outside the sector", b.Config(k))
				}
				counts[j]++
			}
			var chi2 float64
			for k, w := range exact.W {
				e := w * float64(b.Ns)
				chi2 += (counts[k] - e) * (counts[k] - e) / e
			}
			if bound := chiSquareBound(exact.Ns - 1); !(chi2 < bound) {
				t.Errorf("χ² = %.1f, bound %.1f", chi2, bound)
			}

			// P = 0: the base rule's chain exactly.
			opts := Options{Chains: 4, Samples: 64, NUp: tc.nUp, Seed: 3, Move: tc.base}
			plain, _ := NewSampler(psi, op, opts)
			opts.Move, opts.Rule = 0, FlipSets{Rule: tc.base, Sets: sets, P: 0}
			mixed, err := NewSampler(psi, op, opts)
			if err != nil {
				t.Fatal(err)
			}
			var b1, b2 Batch
			plain.Sample(&b1, false)
			mixed.Sample(&b2, false)
			if !slices.Equal(b1.Configs, b2.Configs) {
				t.Error("P = 0 changes the chain")
			}
		})
	}
	if _, err := (FlipSets{Rule: Local, Sets: [][]int{{0, 0}}, P: 0.1}).NewProposer(n, Unconstrained); err == nil {
		t.Error("a set naming a site twice was accepted")
	}
}
