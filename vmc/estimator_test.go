package vmc

import (
	"fmt"
	"math"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
)

// logPsiEstimator records log ψ from the cache it is handed, and checks
// that the cache sits at the sample's configuration and that the slot is a
// valid one.
type logPsiEstimator struct {
	psi     ansatz.Ansatz
	logs    []complex128
	workers int
	errs    []error // per slot
}

func (e *logPsiEstimator) Begin(dst *Batch, workers int) {
	e.logs = make([]complex128, dst.Ns)
	e.workers = workers
	e.errs = make([]error, workers)
}

func (e *logPsiEstimator) Estimate(dst *Batch, w, s int, c ansatz.Cache) {
	if w < 0 || w >= e.workers {
		panic(fmt.Sprintf("slot %d of %d", w, e.workers))
	}
	if fmt.Sprint(c.Config()) != fmt.Sprint(dst.Config(s)) && e.errs[w] == nil {
		e.errs[w] = fmt.Errorf("sample %d: cache at %v, batch %v", s, c.Config(), dst.Config(s))
	}
	e.logs[s] = c.LogPsi()
}

// TestEstimator checks the contract of SampleWith for Sampler and Exact: a
// custom estimator sees every sample with the cache at its configuration
// (log ψ from the cache equals psi.LogPsi to rounding: the RBM cache sums
// the same terms in another order, hence the relative tolerance of 1e-12),
// a nil estimator leaves E and O empty, and the configurations (and exact
// weights) do not depend on the estimator.
func TestEstimator(t *testing.T) {
	const tol = 1e-12
	psi := randomRBM(8, 1, true, 0.3, 101)
	op := heisenberg(t, 8, true, true)
	newMC := func() BatchSampler {
		s, err := NewSampler(psi, op, Options{Chains: 3, Samples: 30, BurnIn: 2, Move: Exchange, NUp: 4, GlobalFlip: 0.2, Seed: 101, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	newExact := func() BatchSampler {
		e, err := NewExact(psi, op, 4, 2)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	type withEstimator interface {
		SampleWith(dst *Batch, est Estimator)
	}
	for i, tc := range []struct {
		name string
		new  func() BatchSampler
	}{{"metropolis", newMC}, {"exact", newExact}} {
		a, b, c := tc.new(), tc.new(), tc.new()
		var ref, none, own Batch
		a.Sample(&ref, true)
		b.(withEstimator).SampleWith(&none, nil)
		est := &logPsiEstimator{psi: psi}
		c.(withEstimator).SampleWith(&own, est)
		if len(none.E) != 0 || len(none.O) != 0 || len(own.E) != 0 {
			t.Errorf("case %d (%s): E, O of lengths %d, %d without the local estimator", i, tc.name, len(none.E), len(none.O))
		}
		for _, x := range []*Batch{&none, &own} {
			x.E, x.O = ref.E, ref.O // compare everything else bit for bit
			if err := sameBatch(&ref, x); err != nil {
				t.Errorf("case %d (%s): %v", i, tc.name, err)
			}
		}
		for w, err := range est.errs {
			if err != nil {
				t.Errorf("case %d (%s), slot %d: %v", i, tc.name, w, err)
			}
		}
		for s := range own.Ns {
			want := psi.LogPsi(own.Config(s))
			if d := est.logs[s] - want; math.Hypot(real(d), imag(d)) > tol*math.Max(1, math.Hypot(real(want), imag(want))) {
				t.Errorf("case %d (%s): sample %d: log ψ from the cache %v, direct %v", i, tc.name, s, est.logs[s], want)
			}
		}
	}
}

// TestSamplerWithoutOperator checks that a sampler or enumerator built
// without an operator works through SampleWith and refuses Sample.
func TestSamplerWithoutOperator(t *testing.T) {
	psi := randomJastrow(6, 0.3, 102)
	s, err := NewSampler(psi, nil, Options{Chains: 2, Samples: 10, NUp: 3, Move: Exchange})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := NewExact(psi, nil, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	var b Batch
	for i, smp := range []interface {
		BatchSampler
		SampleWith(*Batch, Estimator)
	}{s, ex} {
		smp.SampleWith(&b, nil)
		if b.Ns == 0 || len(b.Configs) != b.Ns*6 {
			t.Errorf("case %d: %d samples, %d spins", i, b.Ns, len(b.Configs))
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("case %d: Sample without an operator did not panic", i)
				}
			}()
			smp.Sample(&b, false)
		}()
	}
}
