package vmc

import (
	"math"
	"math/cmplx"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
)

// Batch holds one iteration's samples: configurations, local energies,
// log-derivatives and (for exact enumeration) weights. Samplers fill the
// configurations, weights and shape through their Sample or SampleWith
// method, and the estimator of the call fills what it estimates (E and O for
// LocalEstimator). Buffers are reused from call to call, so a caller that
// keeps one Batch per sampler allocates only on the first call.
//
// Monte Carlo batches are stored chain-major: sample s = c·PerChain + t is the
// t-th sample of chain c, and W is nil (uniform weights 1/Ns). Exact batches
// have Chains = 1, PerChain = Ns and normalized weights W (Σ_s W_s = 1).
type Batch struct {
	Ns int // number of samples (Chains·PerChain)
	P  int // number of parameters: the row length of O
	N  int // number of sites: the row length of Configs

	// E holds the local energies E_loc(x_s) = Σ_x' H_{x_s x'} ψ(x')/ψ(x_s).
	// It has length zero when no LocalEstimator ran (SampleWith with
	// another estimator or none).
	E []complex128
	// O holds O_k(x_s) = ∂ log ψ(x_s)/∂θ_k, row-major Ns×P. It has length
	// zero when the batch was sampled without derivatives.
	O []complex128
	// W holds the normalized weights |ψ(x_s)|²/Z of an exact batch; nil for
	// Monte Carlo batches, whose samples have equal weight.
	W []float64

	Chains, PerChain int

	// Acceptance is the fraction of accepted Metropolis proposals among those
	// that produced the samples (burn-in and discarded sweeps excluded); 1 for
	// an exact batch.
	Acceptance float64

	// Configs holds the sampled configurations, row-major Ns×N, +1 up and −1
	// down.
	Configs []int8
}

// Config returns the configuration of sample s, a view into Configs.
func (b *Batch) Config(s int) []int8 { return b.Configs[s*b.N : (s+1)*b.N : (s+1)*b.N] }

// ORow returns the log-derivatives of sample s, a view into O. It panics if
// the batch holds no derivatives.
func (b *Batch) ORow(s int) []complex128 {
	if len(b.O) == 0 {
		panic("vmc: Batch.ORow on a batch sampled without derivatives")
	}
	return b.O[s*b.P : (s+1)*b.P : (s+1)*b.P]
}

// Stats returns the statistics of a per-sample series x (one value per
// sample, in the batch's order) with the batch's chains and weights:
//
//	Statistics(x, b.Chains, b.W)
func (b *Batch) Stats(x []float64) Stats {
	if len(x) != b.Ns {
		panic("vmc: Batch.Stats: series length differs from the number of samples")
	}
	return Statistics(x, b.Chains, b.W)
}

// EnergyStats returns the statistics of the local energies. Mean, Error,
// TauCorr and RHat are those of Re E_loc (see Statistics); MeanImag is the
// mean of Im E_loc, which vanishes in expectation for a Hermitian H; Variance
// is the variance of the complex local energy,
//
//	Var = ⟨|E_loc − ⟨E_loc⟩|²⟩ = ⟨H²⟩ − ⟨H⟩²,
//
// the energy variance of ψ, zero exactly when ψ is an eigenstate.
func (b *Batch) EnergyStats() Stats {
	if b.Ns == 0 {
		return Statistics(nil, 1, nil)
	}
	x := make([]float64, 2*b.Ns)
	re, im := x[:b.Ns], x[b.Ns:]
	for s, e := range b.E[:b.Ns] {
		re[s], im[s] = real(e), imag(e)
	}
	st := Statistics(re, b.Chains, b.W)
	mi, vi := meanVar(im, b.W)
	st.MeanImag = mi
	st.Variance += vi
	return st
}

// meanVar returns the (weighted) mean and variance of x with the
// normalization of Statistics: 1/n for uniform weights, Σ w for weights.
// Zero weights are skipped, so a non-finite x_s with w_s = 0 does no harm.
func meanVar(x, w []float64) (mean, variance float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	if w == nil {
		for _, v := range x {
			mean += v
		}
		mean /= float64(len(x))
		for _, v := range x {
			d := v - mean
			variance += d * d
		}
		return mean, variance / float64(len(x))
	}
	var z float64
	for s, v := range x {
		if w[s] != 0 {
			mean += w[s] * v
			z += w[s]
		}
	}
	mean /= z
	for s, v := range x {
		if w[s] != 0 {
			d := v - mean
			variance += w[s] * d * d
		}
	}
	return mean, variance / z
}

// Estimator evaluates per-sample quantities at the samples a sampler keeps,
// from the ansatz cache of the chain that holds the sample, so that nothing
// the cache already knows (log ψ, look-up tables) is recomputed. The
// sampler (Sampler or Exact) fills the configurations, weights and shape
// of a Batch; an Estimator fills what it estimates, typically E and O.
//
// A pass runs on numbered worker slots (the chains of a Sampler, the
// goroutines of an Exact): Estimate calls with different slots run
// concurrently, calls with one slot one after another, so an estimator
// keeps per-slot scratch and writes only the rows of its samples.
type Estimator interface {
	// Begin prepares a pass over dst, whose shape (Ns, N, P, Chains,
	// PerChain) and weights are set, on the given number of worker slots.
	// It is called by one goroutine before any Estimate of the pass, and
	// sizes the estimator's outputs in dst, reusing their buffers.
	Begin(dst *Batch, workers int)
	// Estimate evaluates sample s on worker slot w. The cache c is
	// positioned at the sample's configuration, c.Config() = dst.Config(s);
	// Estimate may call c.LogRatio and c.LogDeriv but must not move it.
	Estimate(dst *Batch, w, s int, c ansatz.Cache)
}

// LocalEstimator is the estimator of a Hamiltonian: it fills Batch.E with
// the local energies of Op,
//
//	E_loc(x_s) = Σ_x' ⟨x_s|Op|x'⟩ exp(log ψ(x') − log ψ(x_s)),
//
// (see LocalEnergy) and, when Derivs is true, Batch.O with the
// log-derivatives O_k(x_s) = ∂ log ψ(x_s)/∂θ_k; otherwise O is empty. Its
// per-slot scratch is created on first use and kept, so that later passes
// allocate nothing. A LocalEstimator must not be used by two passes at the
// same time.
//
// An operator with complex elements (hamiltonian.AsComplex) is recognized
// once per pass, in Begin, and evaluated with LocalEnergyComplex; real
// operators go through LocalEnergy untouched.
type LocalEstimator struct {
	Op     hamiltonian.Operator
	Derivs bool

	slots []localSlot
	cop   hamiltonian.ComplexOperator // Op when it has complex elements, else nil
}

// localSlot is a padded LocalScratch: the scratch is written at every
// connected element, and slots of different goroutines must not share a
// cache line.
type localSlot struct {
	_  [cacheLine]byte
	le LocalScratch
	_  [cacheLine]byte
}

// Begin sizes E (and O when Derivs is set) for dst.Ns samples and makes
// sure there is a scratch per worker slot.
func (e *LocalEstimator) Begin(dst *Batch, workers int) {
	dst.E = grow(dst.E, dst.Ns)
	if e.Derivs {
		dst.O = grow(dst.O, dst.Ns*dst.P)
	} else {
		dst.O = dst.O[:0]
	}
	if len(e.slots) < workers {
		// Fresh slots, not copies: a used LocalScratch holds a callback
		// bound to its own address.
		e.slots = make([]localSlot, workers)
	}
	e.cop, _ = hamiltonian.AsComplex(e.Op)
}

// Estimate writes E_loc(x_s) and, with Derivs, O_k(x_s) for sample s.
func (e *LocalEstimator) Estimate(dst *Batch, w, s int, c ansatz.Cache) {
	if e.cop != nil {
		dst.E[s] = LocalEnergyComplex(e.cop, c, &e.slots[w].le)
	} else {
		dst.E[s] = LocalEnergy(e.Op, c, &e.slots[w].le)
	}
	if e.Derivs {
		p := dst.P
		c.LogDeriv(dst.O[s*p : (s+1)*p])
	}
}

// LocalScratch is the per-goroutine state of LocalEnergy: the callback handed
// to Operator.Connected is bound once, on first use, so that later calls do
// not allocate. The zero value is ready to use. A LocalScratch must not be
// used by two goroutines at the same time.
type LocalScratch struct {
	cache  ansatz.Cache
	sum    complex128
	visit  func(flips []int, mel float64)
	cvisit func(flips []int, mel complex128)
}

func (s *LocalScratch) addComplex(flips []int, mel complex128) {
	if len(flips) == 0 {
		s.sum += mel
		return
	}
	if mel == 0 {
		return
	}
	s.sum += mel * cmplx.Exp(s.cache.LogRatio(flips))
}

// LocalEnergyComplex is LocalEnergy for an operator with complex matrix
// elements, visited through op.ConnectedComplex:
//
//	E_loc(x) = Σ_x' ⟨x|H|x'⟩ exp(log ψ(x') − log ψ(x)),   ⟨x|H|x'⟩ ∈ ℂ.
//
// It allocates nothing once s has been used.
func LocalEnergyComplex(op hamiltonian.ComplexOperator, c ansatz.Cache, s *LocalScratch) complex128 {
	if s.cvisit == nil {
		s.cvisit = s.addComplex
	}
	s.cache, s.sum = c, 0
	op.ConnectedComplex(c.Config(), s.cvisit)
	return s.sum
}

func (s *LocalScratch) add(flips []int, mel float64) {
	if len(flips) == 0 {
		s.sum += complex(mel, 0)
		return
	}
	if mel == 0 {
		return
	}
	r := cmplx.Exp(s.cache.LogRatio(flips))
	s.sum += complex(mel*real(r), mel*imag(r))
}

// LocalEnergy returns the local energy of the configuration at which c is
// positioned,
//
//	E_loc(x) = Σ_x' ⟨x|H|x'⟩ exp(log ψ(x') − log ψ(x)),
//
// summed in the order in which op.Connected visits the connected
// configurations, with the log-ratios from c.LogRatio. It allocates nothing
// once s has been used. op must have real elements: for an operator with
// complex elements (hamiltonian.AsComplex) use LocalEnergyComplex, which
// LocalEstimator chooses by itself.
func LocalEnergy(op hamiltonian.Operator, c ansatz.Cache, s *LocalScratch) complex128 {
	if s.visit == nil {
		s.visit = s.add
	}
	s.cache, s.sum = c, 0
	op.Connected(c.Config(), s.visit)
	return s.sum
}

// resize shapes b for ns samples of n sites and p parameters, keeping its
// buffers when they are large enough. E and O are left empty for the
// estimator of the pass to fill (see Estimator).
func (b *Batch) resize(ns, n, p, chains, perChain int, weights bool) {
	b.Ns, b.N, b.P, b.Chains, b.PerChain = ns, n, p, chains, perChain
	b.E = b.E[:0]
	b.O = b.O[:0]
	b.Configs = grow(b.Configs, ns*n)
	if weights {
		b.W = grow(b.W, ns)
	} else {
		b.W = nil
	}
}

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
