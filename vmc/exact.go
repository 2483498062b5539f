package vmc

import (
	"fmt"
	"math"
	"runtime"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/hilbert"
	"github.com/vmc-lattice/vmc/internal/parallel"
)

// MaxExactDim bounds the number of configurations NewExact accepts.
const MaxExactDim = 1 << 26

// Exact replaces sampling by a sum over every configuration of the Hilbert
// space or of one S^z sector, for systems small enough to enumerate. Its
// Sample fills a Batch with all configurations and their weights
//
//	W_s = |ψ(x_s)|² / Σ_s' |ψ(x_s')|²,
//
// so that every estimate computed from the batch is exact (up to rounding)
// for the current parameters. The configurations are those of a
// hilbert.Space, in its order. An Exact must not be used by several
// goroutines at the same time.
type Exact struct {
	psi     ansatz.Ansatz
	op      hamiltonian.Operator // nil: SampleWith only
	n       int
	space   hilbert.Space
	basis   []uint64 // the states of space: bit i set ⟺ x_i = +1, increasing
	threads int
	workers []*exactWorker
	logw    []float64 // 2 Re log ψ(x_s)
	local   LocalEstimator
	// Orbit sums (NewExactOrbits): basis holds the orbit representatives
	// of group and mult their orbit sizes; nil for a plain enumeration.
	group [][]int
	mult  []float64
}

type exactWorker struct {
	_     [cacheLine]byte
	x     []int8
	cache ansatz.Cache
	_     [cacheLine]byte
}

// NewExact returns an exact enumerator of the configurations with nUp up
// spins (all 2^N configurations if nUp is Unconstrained), in increasing
// order of the bit pattern Σ_{i: x_i=+1} 2^i (hilbert.Space.All). Sample
// splits the configurations over threads goroutines (≤ 0:
// runtime.GOMAXPROCS(0)); results do not depend on threads. The operator is
// what Sample estimates; it may be nil for an Exact used only through
// SampleWith. NewExact returns an error if nUp is out of range, if op does
// not conserve S^z but nUp is fixed, if op and psi have different numbers of
// sites, or if there are more than MaxExactDim configurations.
func NewExact(psi ansatz.Ansatz, op hamiltonian.Operator, nUp int, threads int) (*Exact, error) {
	return newExact(psi, op, nUp, threads, nil)
}

// newExact is NewExact, over the orbit representatives of group when it is
// not nil.
func newExact(psi ansatz.Ansatz, op hamiltonian.Operator, nUp int, threads int, group [][]int) (*Exact, error) {
	if err := checkOperator(psi, op, nUp); err != nil {
		return nil, err
	}
	n := psi.NumSites()
	space, err := hilbert.NewSpace(n, nUp)
	if err != nil {
		return nil, fmt.Errorf("vmc: exact enumeration: %w", err)
	}
	if space.Dim() > MaxExactDim {
		return nil, fmt.Errorf("vmc: exact enumeration of %d configurations of %d sites exceeds the limit of %d", space.Dim(), n, MaxExactDim)
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	e := &Exact{psi: psi, op: op, n: n, space: space, threads: threads}
	e.local.Op = op
	if group == nil {
		e.basis = make([]uint64, 0, space.Dim())
		for _, v := range space.All() {
			e.basis = append(e.basis, v)
		}
	} else {
		orbits, err := space.Orbits(group)
		if err != nil {
			return nil, fmt.Errorf("vmc: orbit sums: %w", err)
		}
		e.group = group
		e.basis = make([]uint64, 0, space.Dim()/int64(len(group)))
		e.mult = make([]float64, 0, cap(e.basis))
		for v, size := range orbits {
			e.basis = append(e.basis, v)
			e.mult = append(e.mult, float64(size))
		}
	}
	e.threads = min(e.threads, len(e.basis))
	e.logw = make([]float64, len(e.basis))
	return e, nil
}

// Dim returns the number of configurations enumerated (of orbit
// representatives, with NewExactOrbits).
func (e *Exact) Dim() int { return len(e.basis) }

// Space returns the space whose configurations are enumerated.
func (e *Exact) Space() hilbert.Space { return e.space }

// Sample fills dst with every configuration, its local energy, its weight
// W_s and, when derivs is true, its log-derivatives O_k. The batch has
// Chains = 1, PerChain = Ns = Dim() and Acceptance = 1. Weights are
// normalized with the log-sum-exp shift
//
//	W_s = exp(2 Re log ψ_s − L) / Σ_s' exp(2 Re log ψ_s' − L),   L = max_s 2 Re log ψ_s,
//
// and summed in basis order, so the batch is bit-identical for any number of
// threads. Configurations with ψ = 0 get W_s = 0 (their E_loc may be
// non-finite; Statistics skips zero weights). It is SampleWith with the
// LocalEstimator of the operator, and panics if the Exact has none.
func (e *Exact) Sample(dst *Batch, derivs bool) {
	if e.op == nil {
		panic("vmc: Exact.Sample on an enumerator without an operator; use SampleWith")
	}
	e.local.Derivs = derivs
	e.SampleWith(dst, &e.local)
}

// SampleWith fills dst with every configuration and its weight W_s (see
// Sample), handing each, with a cache positioned at it, to est (see
// Estimator; nil: configurations and weights only). The worker slots are the
// goroutines, each with a contiguous range of configurations.
func (e *Exact) SampleWith(dst *Batch, est Estimator) {
	ns, n := len(e.basis), e.n
	dst.resize(ns, n, e.psi.NumParams(), 1, ns, true)
	dst.Acceptance = 1
	if e.workers == nil {
		e.workers = make([]*exactWorker, e.threads)
		for w := range e.workers {
			x := padded[int8](n)
			hilbert.StateToConfig(e.basis[0], x)
			e.workers[w] = &exactWorker{x: x, cache: e.psi.NewCache(x)}
		}
	}
	T := len(e.workers)
	if est != nil {
		est.Begin(dst, T)
	}
	parallel.For(T, T, func(_, w int) {
		wk := e.workers[w]
		for s := w * ns / T; s < (w+1)*ns/T; s++ {
			hilbert.StateToConfig(e.basis[s], wk.x)
			wk.cache.Reset(wk.x)
			copy(dst.Configs[s*n:(s+1)*n], wk.x)
			e.logw[s] = 2 * real(wk.cache.LogPsi())
			if est != nil {
				est.Estimate(dst, w, s, wk.cache)
			}
		}
	})
	l := math.Inf(-1)
	for _, v := range e.logw {
		l = max(l, v)
	}
	var z float64
	for s, v := range e.logw {
		dst.W[s] = math.Exp(v - l)
		if e.mult != nil {
			dst.W[s] *= e.mult[s]
		}
		z += dst.W[s]
	}
	for s := range dst.W {
		dst.W[s] /= z
	}
}
