package ansatz

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// Checks shared by the FFNN, SymmRBM and Jastrow tests: every ansatz must
// satisfy the same Ansatz/Cache contract, so one set of checks runs over
// all of them.

// initializer is implemented by every ansatz of this package.
type initializer interface {
	Ansatz
	InitRandom(rng *rand.Rand, scale float64)
}

// contractCase is one ansatz under test with the scale of its random
// parameters.
type contractCase struct {
	name  string
	new   func() initializer
	scale float64
}

// admissible reports whether ψ(x) can be nonzero; the checks skip moves to
// other configurations. A GCNN projected onto a non-trivial character
// vanishes exactly on configurations with a stabilizer of another
// character, where log ψ = −Inf.
func admissible(a Ansatz, x []int8) bool {
	if m, ok := a.(*GCNN); ok {
		return gcnnNonzero(m, x)
	}
	return true
}

// checkLogDerivFD compares LogDeriv with central finite differences of
// LogPsi along every parameter (and along i·θ_k for a holomorphic ansatz,
// which must give the same derivative). A real ansatz other than the FFNN
// (whose phase head makes log ψ complex) must report real derivatives.
//
// Tolerance: with h = 1e-5 the
// truncation error h²|∂³ log ψ|/6 is ≲ 1e-9 for the parameter scales used
// (|∂³ log ψ| ≲ 100 even for the deepest networks), the rounding error
// ε|log ψ|/h ≲ 1e-10; fdTol = 1e-7 is far above both and far below any
// real mistake (O_k is O(0.1–10)).
func checkLogDerivFD(t *testing.T, tc contractCase, seed uint64) {
	t.Helper()
	const (
		h     = 1e-5
		fdTol = 1e-7
	)
	rng := rand.New(rand.NewPCG(seed, 31))
	a := tc.new()
	a.InitRandom(rng, tc.scale)
	np, n := a.NumParams(), a.NumSites()
	p := make([]complex128, np)
	a.Params(p)
	q := make([]complex128, np)
	o := make([]complex128, np)
	dirs := []complex128{1}
	if a.Holomorphic() {
		dirs = append(dirs, 1i)
	}
	for trial := range 3 {
		x := randConfig(rng, n)
		for !admissible(a, x) {
			x = randConfig(rng, n)
		}
		a.NewCache(x).LogDeriv(o)
		bad := 0
		for k := range np {
			for _, dir := range dirs {
				copy(q, p)
				q[k] = p[k] + complex(h, 0)*dir
				a.SetParams(q)
				lp := a.LogPsi(x)
				q[k] = p[k] - complex(h, 0)*dir
				a.SetParams(q)
				lm := a.LogPsi(x)
				diff := complex(real(lp)-real(lm), phaseDiff(imag(lp), imag(lm)))
				fd := diff / (complex(2*h, 0) * dir)
				if d := cmplx.Abs(fd - o[k]); !(d <= fdTol*math.Max(1, cmplx.Abs(o[k]))) {
					if bad++; bad <= 5 {
						t.Errorf("%s trial %d: O_%d = %v, finite difference along %v = %v (|diff| %g)",
							tc.name, trial, k, o[k], dir, fd, d)
					}
				}
			}
			if !a.Holomorphic() && !hasPhaseHead(a) && imag(o[k]) != 0 {
				t.Errorf("%s trial %d: real ansatz O_%d = %v has an imaginary part", tc.name, trial, k, o[k])
			}
		}
		a.SetParams(p)
	}
}

// checkSequence runs a long random walk of single and double flips (and
// every tenth move three flips, every fiftieth a global flip), accepting at
// random, and checks at every step that the cached LogRatio equals the
// difference of fresh LogPsi, and after every accepted move that Config
// and the cached LogPsi are those of the walk; every 97 accepted moves the
// cached log-derivatives are compared with those of a fresh cache. The
// moves mix the patterns a sampler and a local-energy evaluation produce:
// LogRatio then Accept of the same move; LogRatio of another move in
// between; Accept of the same sites in another order (which a cache must
// not mistake for the move it priced last unless the result is the same).
//
// Tolerance seqTol (1e-10, see rbm_test.go): the fresh and cached values
// differ by the rounding of the incremental tables (a random walk of ulps,
// reset every refreshEvery moves) propagated through the network.
func checkSequence(t *testing.T, tc contractCase, seed uint64, steps int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 41))
	a := tc.new()
	a.InitRandom(rng, tc.scale)
	n := a.NumSites()
	x := randConfig(rng, n)
	for !admissible(a, x) {
		x = randConfig(rng, n)
	}
	c := a.NewCache(x)
	flips := make([]int, 0, n)
	other := make([]int, 0, n)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	got := make([]complex128, a.NumParams())
	want := make([]complex128, a.NumParams())
	accepted, skipped := 0, 0
	for step := range steps {
		k := 1 + rng.IntN(2)
		if step%10 == 9 {
			k = min(3, n)
		}
		flips = randFlips(rng, flips, n, min(k, n))
		if step%50 == 49 {
			flips = append(flips[:0], all...)
		}
		y := flipped(x, flips)
		if !admissible(a, y) {
			skipped++ // not counted against the acceptance
			continue
		}
		fresh := a.LogPsi(y) - a.LogPsi(x)
		lr := c.LogRatio(flips)
		if d := logDist(lr, fresh); !(d <= seqTol) {
			t.Fatalf("%s step %d: LogRatio(%v) = %v, fresh difference %v (distance %g)", tc.name, step, flips, lr, fresh, d)
		}
		if !a.Holomorphic() && imag(lr) != 0 && !hasPhaseHead(a) {
			t.Fatalf("%s step %d: real ansatz log-ratio %v is not real", tc.name, step, lr)
		}
		switch rng.IntN(4) {
		case 0:
			continue // rejected
		case 1:
			// Another move priced in between (as in a local energy).
			other = randFlips(rng, other, n, 1+rng.IntN(min(2, n)))
			c.LogRatio(other)
		case 2:
			// The same sites in reverse order.
			for i, j := 0, len(flips)-1; i < j; i, j = i+1, j-1 {
				flips[i], flips[j] = flips[j], flips[i]
			}
		}
		c.Accept(flips)
		accepted++
		x = y
		if string(int8sToBytes(c.Config())) != string(int8sToBytes(x)) {
			t.Fatalf("%s step %d: cache config %v, want %v", tc.name, step, c.Config(), x)
		}
		if d := logDist(c.LogPsi(), a.LogPsi(x)); !(d <= seqTol) {
			t.Fatalf("%s step %d: cache LogPsi = %v, fresh %v (distance %g)", tc.name, step, c.LogPsi(), a.LogPsi(x), d)
		}
		if accepted%97 == 0 {
			c.LogDeriv(got)
			a.NewCache(x).LogDeriv(want)
			for k := range got {
				if d := cmplx.Abs(got[k] - want[k]); !(d <= seqTol*math.Max(1, cmplx.Abs(want[k]))) {
					t.Fatalf("%s step %d: O_%d = %v, fresh %v", tc.name, step, k, got[k], want[k])
				}
			}
		}
	}
	if accepted < (steps-skipped)/2 {
		t.Errorf("%s: only %d of %d moves accepted", tc.name, accepted, steps)
	}
	if accepted < refreshEvery {
		t.Errorf("%s: %d accepted moves do not reach a table refresh (%d)", tc.name, accepted, refreshEvery)
	}
}

// hasPhaseHead reports whether a is a real FFNN, or one summed over a
// group, or a real GCNN, whose log-ratios are complex (it has a phase
// head).
func hasPhaseHead(a Ansatz) bool {
	if s, ok := a.(*Symmetrized); ok {
		a = s.Base()
	}
	switch a.(type) {
	case *FFNN, *GCNN:
		return true
	}
	return false
}

// checkParamsRoundTrip sets random complex parameters and reads them back;
// a real ansatz returns the real parts and its LogPsi ignores the
// imaginary parts it was given.
func checkParamsRoundTrip(t *testing.T, tc contractCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(51, 52))
	a := tc.new()
	p := make([]complex128, a.NumParams())
	for k := range p {
		p[k] = complex(tc.scale*rng.NormFloat64(), tc.scale*rng.NormFloat64())
	}
	a.SetParams(p)
	got := make([]complex128, len(p))
	a.Params(got)
	for k := range p {
		want := p[k]
		if !a.Holomorphic() {
			want = complex(real(p[k]), 0)
		}
		if got[k] != want {
			t.Fatalf("%s: Params[%d] = %v, want %v", tc.name, k, got[k], want)
		}
	}
	if a.Holomorphic() {
		return
	}
	x := randConfig(rng, a.NumSites())
	before := a.LogPsi(x)
	for k := range p {
		p[k] = complex(real(p[k]), 100*rng.NormFloat64())
	}
	a.SetParams(p)
	if after := a.LogPsi(x); after != before {
		t.Errorf("%s: LogPsi changed from %v to %v with the imaginary parts of real parameters", tc.name, before, after)
	}
}

// checkNoAllocs checks that LogRatio, Accept (after a LogRatio of the same
// move and without) and LogDeriv allocate nothing.
func checkNoAllocs(t *testing.T, tc contractCase) {
	t.Helper()
	a := tc.new()
	a.InitRandom(rand.New(rand.NewPCG(1, 1)), tc.scale)
	n := a.NumSites()
	c := a.NewCache(randConfig(rand.New(rand.NewPCG(2, 2)), n))
	o := make([]complex128, a.NumParams())
	moves := [][]int{{n / 2}, {0, n - 1}, {0, n / 2, n - 1}}[:min(n, 3)] // distinct sites
	for _, flips := range moves {
		if a := testing.AllocsPerRun(50, func() { c.LogRatio(flips) }); a != 0 {
			t.Errorf("%s: LogRatio(%v) allocates %v times", tc.name, flips, a)
		}
		if a := testing.AllocsPerRun(50, func() { c.Accept(flips) }); a != 0 {
			t.Errorf("%s: Accept(%v) allocates %v times", tc.name, flips, a)
		}
		if a := testing.AllocsPerRun(50, func() { c.LogRatio(flips); c.Accept(flips) }); a != 0 {
			t.Errorf("%s: LogRatio+Accept(%v) allocates %v times", tc.name, flips, a)
		}
	}
	if a := testing.AllocsPerRun(50, func() { c.LogDeriv(o) }); a != 0 {
		t.Errorf("%s: LogDeriv allocates %v times", tc.name, a)
	}
}

// checkConcurrent moves several caches of one ansatz from several
// goroutines; run with -race. Tolerance seqTol as in checkSequence.
func checkConcurrent(t *testing.T, tc contractCase) {
	t.Helper()
	const workers = 4
	a := tc.new()
	a.InitRandom(rand.New(rand.NewPCG(21, 22)), tc.scale)
	n := a.NumSites()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 23))
			x := randConfig(rng, n)
			for !admissible(a, x) {
				x = randConfig(rng, n)
			}
			c := a.NewCache(x)
			flips := make([]int, 0, 2)
			for step := range 300 {
				flips = randFlips(rng, flips, n, 1+step%min(2, n))
				if !admissible(a, flipped(c.Config(), flips)) {
					continue
				}
				want := a.LogPsi(flipped(c.Config(), flips)) - c.LogPsi()
				if got := c.LogRatio(flips); logDist(got, want) > seqTol {
					errs[w] = fmt.Errorf("worker %d step %d: LogRatio %v, want %v", w, step, got, want)
					return
				}
				c.Accept(flips)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// checkPanics runs each function and checks that it panics with a message
// starting with "ansatz: ".
func checkPanics(t *testing.T, fs ...func()) {
	t.Helper()
	for k, f := range fs {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "ansatz: ") {
					t.Errorf("%d: panic %q, want a panic starting with \"ansatz: \"", k, msg)
				}
			}()
			f()
		}()
	}
}

// runContract runs every contract check on every case.
func runContract(t *testing.T, cases []contractCase) {
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("LogDerivFD", func(t *testing.T) { checkLogDerivFD(t, tc, uint64(ci)) })
			t.Run("Sequence", func(t *testing.T) { checkSequence(t, tc, uint64(ci), 3000) })
			t.Run("ParamsRoundTrip", func(t *testing.T) { checkParamsRoundTrip(t, tc) })
			t.Run("NoAllocs", func(t *testing.T) { checkNoAllocs(t, tc) })
			t.Run("Concurrent", func(t *testing.T) { checkConcurrent(t, tc) })
		})
	}
}

// benchCache runs op on a cache of a with parameters of the given scale,
// over 1024 precomputed random moves of nflips sites.
func benchCache(b *testing.B, a initializer, scale float64, nflips int, op func(c Cache, flips []int)) {
	rng := rand.New(rand.NewPCG(1, 2))
	a.InitRandom(rng, scale)
	n := a.NumSites()
	c := a.NewCache(randConfig(rng, n))
	const nmoves = 1024
	moves := make([][]int, nmoves)
	for k := range moves {
		moves[k] = randFlips(rng, make([]int, 0, nflips), n, nflips)
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		op(c, moves[k%nmoves])
		k++
	}
}

// benchOps runs the standard cache benchmarks on the ansatz built by mk:
// LogRatio of one and two flips, Accept of one flip without a preceding
// LogRatio, a Metropolis step (LogRatio then Accept of the same flip) and
// LogDeriv.
func benchOps(b *testing.B, mk func() initializer, scale float64) {
	b.Run("LogRatio/flips=1", func(b *testing.B) {
		benchCache(b, mk(), scale, 1, func(c Cache, f []int) { sinkRatio = c.LogRatio(f) })
	})
	b.Run("LogRatio/flips=2", func(b *testing.B) {
		benchCache(b, mk(), scale, 2, func(c Cache, f []int) { sinkRatio = c.LogRatio(f) })
	})
	b.Run("Accept", func(b *testing.B) {
		benchCache(b, mk(), scale, 1, func(c Cache, f []int) { c.Accept(f) })
	})
	b.Run("LogRatio+Accept", func(b *testing.B) {
		benchCache(b, mk(), scale, 1, func(c Cache, f []int) { sinkRatio = c.LogRatio(f); c.Accept(f) })
	})
	b.Run("LogDeriv", func(b *testing.B) {
		a := mk()
		o := make([]complex128, a.NumParams())
		benchCache(b, a, scale, 1, func(c Cache, _ []int) { c.LogDeriv(o) })
	})
}
