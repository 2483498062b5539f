package vmc

import (
	"fmt"
	"math"
	"math/bits"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
)

// TestSamplerEnergy compares Metropolis energies with the exact energy of the
// same ψ. A correct sampler is off by more than 5 error bars with
// probability ≈ 6e-7 (Gaussian tail), so a failure means a bug, provided the
// error bar itself is right; it is checked against the naive bound
// sqrt(σ²/Ns) and R-hat must show converged chains.
func TestSamplerEnergy(t *testing.T) {
	tests := []struct {
		name string
		psi  ansatz.Ansatz
		op   hamiltonian.Operator
		opt  Options
	}{
		{"heisenberg8-exchange-rbm", randomRBM(8, 1, true, 0.3, 1), heisenberg(t, 8, true, true),
			Options{Chains: 8, Samples: 4000, BurnIn: 20, Move: Exchange, NUp: 4, Seed: 1}},
		{"heisenberg8-exchange-flip-jastrow", randomJastrow(8, 0.2, 2), heisenberg(t, 8, true, false),
			Options{Chains: 8, Samples: 4000, BurnIn: 20, Move: Exchange, NUp: 4, GlobalFlip: 0.1, Seed: 2}},
		{"ising8-local-rbm", randomRBM(8, 1, true, 0.3, 3), ising(t, 8, 1),
			Options{Chains: 8, Samples: 4000, BurnIn: 20, Move: Local, NUp: Unconstrained, Seed: 3}},
		{"ising8-local-real-rbm-64chains", randomRBM(8, 2, false, 0.3, 4), ising(t, 8, 0.5),
			Options{Chains: 64, Samples: 4096, Sweep: 2, BurnIn: 20, Move: Local, NUp: Unconstrained, GlobalFlip: 0.05, Seed: 4}},
	}
	for i, tc := range tests {
		s, err := NewSampler(tc.psi, tc.op, tc.opt)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, tc.name, err)
		}
		ex, err := NewExact(tc.psi, tc.op, tc.opt.NUp, 0)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, tc.name, err)
		}
		var mc, exact Batch
		s.Sample(&mc, false)
		s.Sample(&mc, false) // persistent chains: the second call is burned in
		ex.Sample(&exact, false)
		got, want := mc.EnergyStats(), exact.EnergyStats()
		if d := math.Abs(got.Mean - want.Mean); !(d < 5*got.Error) {
			t.Errorf("case %d (%s): E = %v, exact %.10g: off by %.2g error bars", i, tc.name, got, want.Mean, d/got.Error)
		}
		if naive := math.Sqrt(got.Variance / float64(mc.Ns)); !(got.Error > 0.5*naive) {
			t.Errorf("case %d (%s): error %.3g below half the uncorrelated error %.3g", i, tc.name, got.Error, naive)
		}
		if !(got.RHat < 1.05) {
			t.Errorf("case %d (%s): R-hat = %v, want < 1.05", i, tc.name, got.RHat)
		}
		if !(mc.Acceptance > 0 && mc.Acceptance <= 1) {
			t.Errorf("case %d (%s): acceptance %v", i, tc.name, mc.Acceptance)
		}
		t.Logf("case %d (%s): E = %v, exact %.10g, acceptance %.3f", i, tc.name, got, want.Mean, mc.Acceptance)
	}
}

// chiSquareBound returns the χ² value with df degrees of freedom exceeded
// with probability ≈ 3e-5 (z = 4), by the Wilson–Hilferty approximation
// χ²/df ≈ (1 − 2/(9df) + z sqrt(2/(9df)))³, accurate to a few per cent in
// the tail for df ≥ 10.
func chiSquareBound(df int) float64 {
	const z = 4
	a := 2 / (9 * float64(df))
	return float64(df) * math.Pow(1-a+z*math.Sqrt(a), 3)
}

// TestSamplerHistogram checks that the sampled configurations follow
// |ψ|²/Z (from the exact enumerator) on 6 sites, with Pearson's χ² test.
// Parameter scales are small enough (≤ 0.4) that |ψ|² has no metastable
// modes which 30 burn-in sweeps could not leave; at scale 0.5 a complex RBM
// already has a local maximum, the spin-flipped image of the global one,
// from which local moves escape only after thousands of sweeps.
// Bins expected to hold fewer than 5 counts are pooled, as the χ²
// approximation requires. Independent chains that each record one sample
// after burn-in give independent samples, for which the statistic is χ²
// distributed exactly as the test assumes; the persistent-chain case records
// a sample every 5 sweeps (30 proposals on 6 sites), close enough to
// independent that its correlation inflates χ² by a few per cent only, far
// within the z = 4 margin.
func TestSamplerHistogram(t *testing.T) {
	tests := []struct {
		name  string
		psi   ansatz.Ansatz
		op    hamiltonian.Operator
		opt   Options
		calls int
	}{
		{"ising6-local-independent", randomRBM(6, 1, true, 0.2, 21), ising(t, 6, 1),
			Options{Chains: 3000, Samples: 3000, BurnIn: 30, NUp: Unconstrained, Seed: 21}, 1},
		{"ising6-local-flip-independent", randomJastrow(6, 0.4, 22), ising(t, 6, 1),
			Options{Chains: 3000, Samples: 3000, BurnIn: 30, GlobalFlip: 0.3, NUp: Unconstrained, Seed: 22}, 1},
		{"heisenberg6-exchange-independent", randomRBM(6, 2, true, 0.2, 23), heisenberg(t, 6, true, true),
			Options{Chains: 3000, Samples: 3000, BurnIn: 30, Move: Exchange, NUp: 3, Seed: 23}, 1},
		{"heisenberg6-exchange-flip-persistent", randomJastrow(6, 0.4, 24), heisenberg(t, 6, true, false),
			Options{Chains: 2, Samples: 2000, Sweep: 5, BurnIn: 30, Move: Exchange, NUp: 3, GlobalFlip: 0.2, Seed: 24}, 3},
		{"ising6-local-persistent", randomRBM(6, 1, false, 0.5, 25), ising(t, 6, 1),
			Options{Chains: 2, Samples: 2000, Sweep: 5, BurnIn: 30, NUp: Unconstrained, Seed: 25}, 3},
	}
	for i, tc := range tests {
		s, err := NewSampler(tc.psi, tc.op, tc.opt)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, tc.name, err)
		}
		ex, err := NewExact(tc.psi, tc.op, tc.opt.NUp, 1)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, tc.name, err)
		}
		var exact, b Batch
		ex.Sample(&exact, false)
		index := make(map[uint64]int, exact.Ns)
		for k, v := range ex.basis {
			index[v] = k
		}
		counts := make([]float64, exact.Ns)
		var total float64
		for range tc.calls {
			s.Sample(&b, false)
			for k := range b.Ns {
				var v uint64
				for i, xi := range b.Config(k) {
					if xi > 0 {
						v |= 1 << i
					}
				}
				j, ok := index[v]
				if !ok {
					t.Fatalf("case %d (%s): sampled configuration %v outside the sector", i, tc.name, b.Config(k))
				}
				counts[j]++
				total++
			}
		}
		var chi2, poolObs, poolExp float64
		bins := 0
		for k, w := range exact.W {
			e := w * total
			if e < 5 {
				poolObs += counts[k]
				poolExp += e
				continue
			}
			chi2 += (counts[k] - e) * (counts[k] - e) / e
			bins++
		}
		if poolExp > 0 {
			chi2 += (poolObs - poolExp) * (poolObs - poolExp) / poolExp
			bins++
		}
		df := bins - 1
		if bound := chiSquareBound(df); !(chi2 < bound) {
			t.Errorf("case %d (%s): χ² = %.1f with %d degrees of freedom, bound %.1f", i, tc.name, chi2, df, bound)
		} else {
			t.Logf("case %d (%s): χ²/df = %.1f/%d (bound %.1f)", i, tc.name, chi2, df, bound)
		}
	}
}

// TestSamplerThreads checks that batches are bit-identical for any number of
// threads, over successive calls.
func TestSamplerThreads(t *testing.T) {
	tests := []struct {
		name string
		psi  ansatz.Ansatz
		op   hamiltonian.Operator
		opt  Options
	}{
		{"heisenberg8-exchange-flip-rbm", randomRBM(8, 1, true, 0.3, 31), heisenberg(t, 8, true, true),
			Options{Chains: 5, Samples: 47, BurnIn: 3, Discard: 1, Move: Exchange, NUp: 4, GlobalFlip: 0.2, Seed: 31}},
		{"ising8-local-jastrow", randomJastrow(8, 0.3, 32), ising(t, 8, 1),
			Options{Chains: 7, Samples: 70, Sweep: 2, BurnIn: 3, NUp: Unconstrained, Seed: 32}},
	}
	for i, tc := range tests {
		var ref [2]Batch
		for _, threads := range []int{1, 2, 3, 0} {
			opt := tc.opt
			opt.Threads = threads
			s, err := NewSampler(tc.psi, tc.op, opt)
			if err != nil {
				t.Fatalf("case %d (%s): %v", i, tc.name, err)
			}
			var b [2]Batch
			for call := range b {
				s.Sample(&b[call], true)
			}
			if threads == 1 {
				ref = b
				continue
			}
			for call := range b {
				if err := sameBatch(&ref[call], &b[call]); err != nil {
					t.Errorf("case %d (%s), threads %d, call %d: %v", i, tc.name, threads, call, err)
				}
			}
		}
	}
}

// TestSamplerState checks that a sampler restored from State continues
// bit-identically, before and after burn-in, and that SetState rejects
// states that do not fit.
func TestSamplerState(t *testing.T) {
	psi := randomRBM(8, 1, true, 0.3, 41)
	op := heisenberg(t, 8, true, true)
	opt := Options{Chains: 3, Samples: 30, BurnIn: 5, Move: Exchange, NUp: 4, GlobalFlip: 0.1, Seed: 41, Threads: 1}
	newS := func(threads int) *Sampler {
		o := opt
		o.Threads = threads
		s, err := NewSampler(psi, op, o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Reference: three calls in one go.
	a := newS(1)
	var ref [3]Batch
	for k := range ref {
		a.Sample(&ref[k], true)
	}
	for cut := range 3 { // resume after cut calls
		b := newS(1)
		var tmp Batch
		for range cut {
			b.Sample(&tmp, true)
		}
		st := b.State()
		b.Sample(&tmp, true) // must not affect st (a copy)
		c := newS(2)
		if err := c.SetState(st); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		for k := cut; k < 3; k++ {
			var got Batch
			c.Sample(&got, true)
			if err := sameBatch(&ref[k], &got); err != nil {
				t.Errorf("cut %d, call %d: %v", cut, k, err)
			}
		}
	}

	good := a.State()
	bad := []struct {
		name string
		edit func(st *SamplerState)
	}{
		{"chains", func(st *SamplerState) { st.Configs = st.Configs[:2] }},
		{"sites", func(st *SamplerState) { st.Configs[1] = st.Configs[1][:7] }},
		{"spin", func(st *SamplerState) { st.Configs[0][3] = 0 }},
		{"sector", func(st *SamplerState) {
			for i := range st.Configs[2] {
				st.Configs[2][i] = 1
			}
		}},
		{"rng", func(st *SamplerState) { st.RNG[1] = []byte("garbage") }},
	}
	for i, tc := range bad {
		st := a.State()
		tc.edit(&st)
		s := newS(1)
		before := s.State()
		if err := s.SetState(st); err == nil {
			t.Errorf("case %d (%s): SetState accepted a bad state", i, tc.name)
		}
		if fmt.Sprint(s.State()) != fmt.Sprint(before) {
			t.Errorf("case %d (%s): a failed SetState changed the sampler", i, tc.name)
		}
	}
	if err := newS(1).SetState(good); err != nil {
		t.Errorf("good state: %v", err)
	}
}

// TestSamplerSz checks that exchange moves (with and without global flips)
// conserve S^z, that local moves visit several sectors, and that each chain's
// bookkeeping stays consistent with its cache.
func TestSamplerSz(t *testing.T) {
	tests := []struct {
		opt     Options
		conserv bool
	}{
		{Options{Chains: 4, Samples: 400, BurnIn: 2, Move: Exchange, NUp: 3, Seed: 51}, true},
		{Options{Chains: 4, Samples: 400, BurnIn: 2, Move: Exchange, NUp: 5, GlobalFlip: 0.3, Seed: 52}, true},
		{Options{Chains: 4, Samples: 400, BurnIn: 2, Move: Exchange, NUp: 9, Seed: 53}, true},
		{Options{Chains: 4, Samples: 400, BurnIn: 2, Move: Local, NUp: Unconstrained, GlobalFlip: 0.1, Seed: 54}, false},
	}
	const n = 10
	psi := randomRBM(n, 1, true, 0.3, 50)
	op := heisenberg(t, n, true, true)
	for i, tc := range tests {
		s, err := NewSampler(psi, op, tc.opt)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var b Batch
		sectors := map[int]bool{}
		for range 2 {
			s.Sample(&b, false)
			for k := range b.Ns {
				up := 0
				for _, v := range b.Config(k) {
					if v > 0 {
						up++
					}
				}
				sectors[up] = true
				if tc.conserv && up != tc.opt.NUp {
					t.Fatalf("case %d: sample %d has %d up spins, want %d", i, k, up, tc.opt.NUp)
				}
			}
		}
		if !tc.conserv && len(sectors) < 3 {
			t.Errorf("case %d: local moves visited only sectors %v", i, sectors)
		}
		for ci, c := range s.chains {
			if fmt.Sprint(c.x) != fmt.Sprint(c.cache.Config()) {
				t.Errorf("case %d, chain %d: configuration %v, cache at %v", i, ci, c.x, c.cache.Config())
			}
			if tc.opt.Move != Exchange {
				continue // the site lists are kept for exchange moves only
			}
			if err := checkLists(c.x, c.prop); err != nil {
				t.Errorf("case %d, chain %d: %v", i, ci, err)
			}
		}
	}
}

// TestSamplerInitialSector checks the initial configurations: in the sector,
// and different chains starting differently.
func TestSamplerInitialSector(t *testing.T) {
	s, err := NewSampler(newJastrow(12), heisenberg(t, 12, true, true), Options{Chains: 16, Samples: 16, Move: Exchange, NUp: 4, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for c, x := range s.State().Configs {
		var v uint64
		for i, xi := range x {
			if xi > 0 {
				v |= 1 << i
			}
		}
		if bits.OnesCount64(v) != 4 {
			t.Errorf("chain %d starts at %v, outside the sector", c, x)
		}
		distinct[fmt.Sprint(x)] = true
	}
	// 16 uniform draws from C(12,4) = 495 configurations coincide somewhere
	// with probability ≈ 0.22; all coinciding in ≤ 8 values means broken seeding.
	if len(distinct) < 9 {
		t.Errorf("16 chains start from only %d distinct configurations", len(distinct))
	}
}

// TestSamplerFlat checks acceptance 1 for a constant ψ (every ratio is 1).
func TestSamplerFlat(t *testing.T) {
	for i, opt := range []Options{
		{Chains: 2, Samples: 20, Move: Exchange, NUp: 4, GlobalFlip: 0.5},
		{Chains: 2, Samples: 20, Move: Local, NUp: Unconstrained, GlobalFlip: 0.5},
	} {
		s, err := NewSampler(newJastrow(8), ising(t, 8, 0), opt)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		var b Batch
		s.Sample(&b, false)
		if b.Acceptance != 1 {
			t.Errorf("case %d: acceptance %v, want 1", i, b.Acceptance)
		}
	}
}

// TestNewSamplerErrors checks that bad options are rejected with an error.
func TestNewSamplerErrors(t *testing.T) {
	psi := newJastrow(6)
	heis := heisenberg(t, 6, true, true)
	tfi := ising(t, 6, 1)
	ok := Options{Chains: 2, Samples: 4, Move: Exchange, NUp: 3}
	tests := []struct {
		name string
		op   hamiltonian.Operator
		edit func(o *Options)
	}{
		{"no chains", heis, func(o *Options) { o.Chains = 0 }},
		{"samples < chains", heis, func(o *Options) { o.Samples = 1 }},
		{"negative sweep", heis, func(o *Options) { o.Sweep = -1 }},
		{"negative burn-in", heis, func(o *Options) { o.BurnIn = -1 }},
		{"negative discard", heis, func(o *Options) { o.Discard = -1 }},
		{"global flip > 1", heis, func(o *Options) { o.GlobalFlip = 1.5 }},
		{"global flip NaN", heis, func(o *Options) { o.GlobalFlip = math.NaN() }},
		{"global flip off half filling", heis, func(o *Options) { o.NUp, o.GlobalFlip = 2, 0.1 }},
		{"exchange unconstrained", heis, func(o *Options) { o.NUp = Unconstrained }},
		{"exchange all up", heis, func(o *Options) { o.NUp = 6 }},
		{"exchange all down", heis, func(o *Options) { o.NUp = 0 }},
		{"NUp too large", heis, func(o *Options) { o.NUp = 7 }},
		{"NUp < -1", heis, func(o *Options) { o.NUp = -2 }},
		{"local in a sector", heis, func(o *Options) { o.Move = Local }},
		{"unknown move", heis, func(o *Options) { o.Move = 7 }},
		{"rule and global flip", heis, func(o *Options) { o.Rule, o.GlobalFlip = Exchange, 0.1 }},
		{"rule that leaves the sector", heis, func(o *Options) { o.Rule = Local }},
		{"sector of a non-conserving operator", tfi, func(o *Options) {}},
		{"site mismatch", heisenberg(t, 8, true, true), func(o *Options) {}},
	}
	if _, err := NewSampler(psi, heis, ok); err != nil {
		t.Fatalf("good options: %v", err)
	}
	for i, tc := range tests {
		o := ok
		tc.edit(&o)
		if _, err := NewSampler(psi, tc.op, o); err == nil {
			t.Errorf("case %d (%s): no error", i, tc.name)
		}
	}
}

// TestSamplerNoAlloc checks that proposals allocate nothing.
func TestSamplerNoAlloc(t *testing.T) {
	tests := []struct {
		psi ansatz.Ansatz
		op  hamiltonian.Operator
		opt Options
	}{
		{randomRBM(10, 1, true, 0.1, 61), heisenberg(t, 10, true, true), Options{Chains: 1, Samples: 1, Move: Exchange, NUp: 5, GlobalFlip: 0.1}},
		{randomJastrow(10, 0.1, 62), ising(t, 10, 1), Options{Chains: 1, Samples: 1, NUp: Unconstrained, GlobalFlip: 0.1}},
	}
	for i, tc := range tests {
		s, err := NewSampler(tc.psi, tc.op, tc.opt)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		c := s.chains[0]
		c.prepare()
		if a := testing.AllocsPerRun(1000, func() { c.step() }); a != 0 {
			t.Errorf("case %d: %v allocations per proposal", i, a)
		}
	}
}

// benchSampler builds the benchmark case: Heisenberg chain (sign rule) of n
// sites, complex RBM with hidden density alpha, exchange moves at S^z = 0,
// one sample per sweep.
func benchSampler(b *testing.B, n, alpha, threads int) (*Sampler, *Batch) {
	psi := randomRBM(n, alpha, true, 0.05, 1)
	op := heisenberg(b, n, true, true)
	s, err := NewSampler(psi, op, Options{Chains: 16, Samples: 1024, BurnIn: 10, Move: Exchange, NUp: n / 2, Seed: 1, Threads: threads})
	if err != nil {
		b.Fatal(err)
	}
	var batch Batch
	s.Sample(&batch, false) // burn in, allocate
	return s, &batch
}

// BenchmarkPropose measures one Metropolis proposal (ns/op) on one chain.
// The "flat" case uses a constant ψ whose cache does nothing but keep x, so
// it measures the sampler's own overhead (random numbers, bookkeeping, the
// acceptance test; every proposal is accepted).
func BenchmarkPropose(b *testing.B) {
	for _, n := range []int{20, 40, 80} {
		b.Run(fmt.Sprintf("N=%d/alpha=1", n), func(b *testing.B) {
			s, _ := benchSampler(b, n, 1, 1)
			c := s.chains[0]
			c.prepare()
			b.ReportAllocs()
			for b.Loop() {
				c.step()
			}
		})
	}
	b.Run("N=40/flat", func(b *testing.B) {
		s, err := NewSampler(flat(40), heisenberg(b, 40, true, true), Options{Chains: 1, Samples: 1, Move: Exchange, NUp: 20})
		if err != nil {
			b.Fatal(err)
		}
		c := s.chains[0]
		c.prepare()
		b.ReportAllocs()
		for b.Loop() {
			c.step()
		}
	})
}

// flat is a constant ψ = 1 with no parameters and a trivial cache.
type flat int

func (f flat) NumSites() int                { return int(f) }
func (flat) NumParams() int                 { return 0 }
func (flat) Holomorphic() bool              { return true }
func (flat) Params([]complex128)            {}
func (flat) SetParams([]complex128)         {}
func (flat) LogPsi([]int8) complex128       { return 0 }
func (flat) NewCache(x []int8) ansatz.Cache { return &flatCache{x: append([]int8(nil), x...)} }

type flatCache struct{ x []int8 }

func (c *flatCache) Reset(x []int8)            { copy(c.x, x) }
func (c *flatCache) Config() []int8            { return c.x }
func (c *flatCache) LogPsi() complex128        { return 0 }
func (c *flatCache) LogRatio([]int) complex128 { return 0 }
func (c *flatCache) LogDeriv([]complex128)     {}
func (c *flatCache) Accept(flips []int) {
	for _, i := range flips {
		c.x[i] = -c.x[i]
	}
}

// BenchmarkLocalEnergy measures one local energy (ns/op).
func BenchmarkLocalEnergy(b *testing.B) {
	for _, n := range []int{20, 40, 80} {
		b.Run(fmt.Sprintf("N=%d/alpha=1", n), func(b *testing.B) {
			s, _ := benchSampler(b, n, 1, 1)
			c := s.chains[0]
			c.prepare()
			var le LocalScratch
			b.ReportAllocs()
			for b.Loop() {
				LocalEnergy(s.op, c.cache, &le)
			}
		})
	}
}

// BenchmarkSample measures a Sample call (1024 samples, 16 chains, one sweep
// per sample, local energies, no derivatives) and reports samples/s and the
// wall time per proposal, local energies included.
func BenchmarkSample(b *testing.B) {
	for _, n := range []int{40} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("N=%d/alpha=1/threads=%d", n, threads), func(b *testing.B) {
				s, batch := benchSampler(b, n, 1, threads)
				b.ReportAllocs()
				for b.Loop() {
					s.Sample(batch, false)
				}
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(float64(batch.Ns)/sec, "samples/s")
				b.ReportMetric(sec*1e9/float64(batch.Ns*n), "ns/proposal")
			})
		}
	}
}

// TestSamplerSetSamples checks that changing the sample count keeps the
// chains: the continuation equals that of a sampler built with the new
// count and the same state.
func TestSamplerSetSamples(t *testing.T) {
	psi := randomJastrow(8, 0.3, 71)
	op := ising(t, 8, 1)
	opt := Options{Chains: 4, Samples: 40, BurnIn: 2, NUp: Unconstrained, Seed: 71}
	a, err := NewSampler(psi, op, opt)
	if err != nil {
		t.Fatal(err)
	}
	var x, y Batch
	a.Sample(&x, false)
	st := a.State()
	if err := a.SetSamples(3); err == nil {
		t.Error("SetSamples accepted fewer samples than chains")
	}
	if err := a.SetSamples(101); err != nil {
		t.Fatal(err)
	}
	a.Sample(&x, false)
	opt.Samples = 101
	b, err := NewSampler(psi, op, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetState(st); err != nil {
		t.Fatal(err)
	}
	b.Sample(&y, false)
	if x.Ns != 104 || x.PerChain != 26 {
		t.Errorf("Ns = %d, PerChain = %d, want 104, 26", x.Ns, x.PerChain)
	}
	if err := sameBatch(&x, &y); err != nil {
		t.Error(err)
	}
}
