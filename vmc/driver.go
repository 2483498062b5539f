package vmc

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/sr"
)

// Optimizer selects the update rule of the driver.
type Optimizer int

// Update rules. For all of them F_k = ⟨O_k* E⟩ − ⟨O_k*⟩⟨E⟩ is the force of
// package sr (Re F_k for real parameters). F is half the gradient of the
// energy: g = 2F = ∂E/∂Re θ + i ∂E/∂Im θ (2 Re F = ∂E/∂θ for real θ); see
// the package sr documentation for the factor 2.
const (
	// SR: θ ← θ − η (S + ε·1)⁻¹ F (stochastic reconfiguration).
	SR Optimizer = iota
	// SGD: θ ← θ − η F (plain gradient descent; Re F for real parameters),
	// that is SR with S replaced by the identity, so that η is the same
	// imaginary-time step as for SR and a step is −(η/2) times the
	// gradient g. This is the convention of Carleo & Troyer (2017) and of
	// the textbook VMC examples; codes that step along g use η/2.
	SGD
	// Adam: Kingma & Ba (2015) on the real components of g, with
	// β1 = 0.9, β2 = 0.999, ε = 1e-8 (invariant to the factor 2 up to ε).
	Adam
)

// ParseOptimizer accepts "sr", "sgd" and "adam".
func ParseOptimizer(s string) (Optimizer, error) {
	switch s {
	case "sr":
		return SR, nil
	case "sgd":
		return SGD, nil
	case "adam":
		return Adam, nil
	}
	return 0, fmt.Errorf("vmc: unknown optimizer %q (want sr, sgd or adam)", s)
}

func (o Optimizer) String() string {
	switch o {
	case SR:
		return "sr"
	case SGD:
		return "sgd"
	case Adam:
		return "adam"
	}
	return fmt.Sprintf("Optimizer(%d)", int(o))
}

// BatchSampler is what the driver needs from a sampler: Sampler and Exact
// implement it.
type BatchSampler interface {
	Sample(dst *Batch, derivs bool)
}

// DriverOptions configures a Driver.
type DriverOptions struct {
	Optimizer    Optimizer
	LearningRate float64 // η > 0
	DiagShift    float64 // ε ≥ 0 (SR)
	Solver       sr.Solver
	Threads      int // goroutines of the SR solve; results do not depend on it
	// MaxRetries bounds how often one iteration is retried after a
	// non-finite energy, gradient or parameter; 0 means 5.
	MaxRetries int
	// LearningRateSchedule and DiagShiftSchedule multiply LearningRate
	// and DiagShift at every iteration by their Factor; the zero values
	// keep them constant.
	LearningRateSchedule, DiagShiftSchedule Schedule
	// Momentum μ ∈ [0, 1) turns SR into SPRING (sr.Options.Momentum): the
	// solve is pulled towards μ times the previous step's direction, kept
	// in DriverState.Spring. 0 is plain SR.
	Momentum float64
}

// IterStats summarizes one optimization step. The energy is that of the
// parameters before the step (the ones that were sampled).
type IterStats struct {
	Iteration  int // 0-based index of the step
	Energy     Stats
	Acceptance float64
	// Solver is the SR solver that ran ("" for SGD and Adam).
	Solver string
	// Retries is the number of rejected attempts before this step.
	Retries int
	Seconds float64
}

// DriverState is the optimizer state a checkpoint must hold besides the
// parameters and the sampler state.
type DriverState struct {
	Iteration int
	// AdamM and AdamV are Adam's moment estimates over the 2P real
	// components (nil for other optimizers); AdamT its step count.
	AdamM, AdamV []float64
	AdamT        int
	// ShiftBoost multiplies DiagShift and divides LearningRate after
	// numerical recoveries (1 when none happened).
	ShiftBoost float64
	// Spring is the previous SR direction δ (before the learning rate)
	// with SPRING momentum; nil before the first step and without it.
	Spring []complex128
}

// ErrNonFinite is returned (wrapped) when an iteration stays non-finite
// after every retry.
var ErrNonFinite = errors.New("vmc: non-finite energy, gradient or parameters")

// Driver runs the optimization loop: sample, estimate, update. It is the
// whole VMC algorithm in one place:
//
//	for each step: draw Ns samples of |ψ_θ|² with E_loc and O_k,
//	               compute F (and S), θ ← θ + δθ.
type Driver struct {
	psi   ansatz.Ansatz
	smp   BatchSampler
	opt   DriverOptions
	ws    sr.Workspace
	batch Batch
	// spring holds the current attempt's SR direction until it is accepted.
	spring []complex128

	params, good, dir []complex128
	state             DriverState

	// testHook, when set, may corrupt the batch before the update (tests
	// force the recovery path through it).
	testHook func(iter, attempt int, b *Batch)
}

// NewDriver returns a driver at iteration 0. It panics on invalid options
// (a programming error: the config layer validates user input).
func NewDriver(psi ansatz.Ansatz, smp BatchSampler, opt DriverOptions) *Driver {
	if !(opt.LearningRate > 0) || opt.DiagShift < 0 || !opt.LearningRateSchedule.valid() || !opt.DiagShiftSchedule.valid() || !(opt.Momentum >= 0 && opt.Momentum < 1) {
		panic(fmt.Sprintf("vmc: invalid driver options %+v", opt))
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = 5
	}
	p := psi.NumParams()
	d := &Driver{
		psi: psi, smp: smp, opt: opt,
		params: make([]complex128, p),
		good:   make([]complex128, p),
		dir:    make([]complex128, p),
	}
	d.state.ShiftBoost = 1
	if opt.Optimizer == Adam {
		d.state.AdamM = make([]float64, 2*p)
		d.state.AdamV = make([]float64, 2*p)
	}
	return d
}

// SetBatchHook installs f, called with every freshly sampled batch before
// the update (iteration, attempt, batch). It exists for fault-injection
// tests of the recovery path and of callers (a hook may, say, put a NaN into
// the local energies); production code leaves it nil.
func (d *Driver) SetBatchHook(f func(iter, attempt int, b *Batch)) { d.testHook = f }

// Iteration returns the number of completed steps.
func (d *Driver) Iteration() int { return d.state.Iteration }

// State returns a copy of the optimizer state for a checkpoint.
func (d *Driver) State() DriverState {
	s := d.state
	s.AdamM = append([]float64(nil), s.AdamM...)
	s.AdamV = append([]float64(nil), s.AdamV...)
	if s.Spring != nil {
		s.Spring = append([]complex128(nil), s.Spring...)
	}
	return s
}

// SetState restores a state returned by State.
func (d *Driver) SetState(s DriverState) error {
	if d.opt.Optimizer == Adam && (len(s.AdamM) != 2*len(d.params) || len(s.AdamV) != 2*len(d.params)) {
		return fmt.Errorf("vmc: checkpoint has %d Adam moments, want %d", len(s.AdamM), 2*len(d.params))
	}
	if s.Spring != nil && len(s.Spring) != len(d.params) {
		return fmt.Errorf("vmc: checkpoint has a SPRING direction of %d parameters, want %d", len(s.Spring), len(d.params))
	}
	if !(s.ShiftBoost >= 1) {
		s.ShiftBoost = 1
	}
	d.state = s
	d.state.AdamM = append([]float64(nil), s.AdamM...)
	d.state.AdamV = append([]float64(nil), s.AdamV...)
	if s.Spring != nil {
		d.state.Spring = append([]complex128(nil), s.Spring...)
	}
	return nil
}

// Batch returns the samples of the last step (valid until the next call).
func (d *Driver) Batch() *Batch { return &d.batch }

// Step performs one optimization step. If the energy, the update or the new
// parameters are not finite it restores the parameters, raises the diagonal
// shift and lowers the learning rate (both by a factor 10 per retry, kept for
// later steps), resamples and tries again, at most MaxRetries times, then
// returns an error wrapping ErrNonFinite with the parameters unchanged.
func (d *Driver) Step() (IterStats, error) {
	start := time.Now()
	d.psi.Params(d.good)
	var lastErr error
	for attempt := 0; attempt <= d.opt.MaxRetries; attempt++ {
		st, err := d.try(attempt)
		if err == nil {
			st.Retries = attempt
			st.Seconds = time.Since(start).Seconds()
			d.state.Iteration++
			return st, nil
		}
		lastErr = err
		d.psi.SetParams(d.good)
		d.state.ShiftBoost *= 10
	}
	return IterStats{}, fmt.Errorf("%w at iteration %d after %d retries: %v", ErrNonFinite, d.state.Iteration, d.opt.MaxRetries, lastErr)
}

func (d *Driver) try(attempt int) (IterStats, error) {
	it := d.state.Iteration
	d.smp.Sample(&d.batch, true)
	if d.testHook != nil {
		d.testHook(it, attempt, &d.batch)
	}
	st := IterStats{Iteration: it, Energy: d.batch.EnergyStats(), Acceptance: d.batch.Acceptance}
	if !finite(st.Energy.Mean) || !finite(st.Energy.Variance) {
		return st, fmt.Errorf("energy %v, variance %v", st.Energy.Mean, st.Energy.Variance)
	}
	eta := d.opt.LearningRate * d.opt.LearningRateSchedule.Factor(it) / d.state.ShiftBoost
	samples := sr.Samples{O: d.batch.O, E: d.batch.E, W: d.batch.W, Ns: d.batch.Ns, P: d.batch.P}
	holo := d.psi.Holomorphic()
	switch d.opt.Optimizer {
	case SR:
		info, err := d.ws.Step(d.dir, samples, sr.Options{
			DiagShift: d.opt.DiagShift * d.opt.DiagShiftSchedule.Factor(it) * d.state.ShiftBoost, Solver: d.opt.Solver,
			Holomorphic: holo, Threads: d.opt.Threads, Momentum: d.opt.Momentum, Prior: d.state.Spring,
		})
		if err != nil {
			return st, err
		}
		st.Solver = info.Solver.String()
		if d.opt.Momentum > 0 {
			d.spring = append(d.spring[:0], d.dir...)
		}
		for k := range d.dir {
			d.dir[k] *= complex(-eta, 0)
		}
	case SGD:
		sr.Gradient(d.dir, samples, holo)
		for k := range d.dir {
			d.dir[k] *= complex(-eta, 0)
		}
	case Adam:
		sr.Gradient(d.dir, samples, holo)
		d.adam(eta)
	}
	d.psi.Params(d.params)
	for k, v := range d.dir {
		d.params[k] += v
		if !finite(real(d.params[k])) || !finite(imag(d.params[k])) {
			return st, fmt.Errorf("parameter %d became %v", k, d.params[k])
		}
	}
	d.psi.SetParams(d.params)
	if d.opt.Momentum > 0 && d.opt.Optimizer == SR {
		// Kept only once the step is accepted: a retried attempt starts
		// from the same prior.
		d.state.Spring = append(d.state.Spring[:0], d.spring...)
	}
	return st, nil
}

// adam turns the force in d.dir into Adam's step (in place).
func (d *Driver) adam(eta float64) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	s := &d.state
	s.AdamT++
	c1 := 1 - math.Pow(b1, float64(s.AdamT))
	c2 := 1 - math.Pow(b2, float64(s.AdamT))
	step := func(i int, g float64) float64 {
		s.AdamM[i] = b1*s.AdamM[i] + (1-b1)*g
		s.AdamV[i] = b2*s.AdamV[i] + (1-b2)*g*g
		return -eta * (s.AdamM[i] / c1) / (math.Sqrt(s.AdamV[i]/c2) + eps)
	}
	holo := d.psi.Holomorphic()
	for k, f := range d.dir {
		re := step(2*k, 2*real(f))
		im := 0.0
		if holo {
			im = step(2*k+1, 2*imag(f))
		}
		d.dir[k] = complex(re, im)
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Evaluate draws a fresh batch without log-derivatives and returns its energy
// statistics and the wall time it took.
func Evaluate(smp BatchSampler, dst *Batch) (Stats, time.Duration) {
	start := time.Now()
	smp.Sample(dst, false)
	return dst.EnergyStats(), time.Since(start)
}
