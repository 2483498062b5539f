package vmc

import (
	"github.com/vmc-lattice/vmc/internal/parallel"

	"fmt"
	"math"
	"math/big"
	"math/bits"
	"runtime"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
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
// for the current parameters. An Exact must not be used by several
// goroutines at the same time.
type Exact struct {
	psi     ansatz.Ansatz
	op      hamiltonian.Operator
	n       int
	basis   []uint64 // bit i set ⟺ x_i = +1, in increasing order
	threads int
	workers []*exactWorker
	logw    []float64 // 2 Re log ψ(x_s)
}

type exactWorker struct {
	_     [cacheLine]byte
	x     []int8
	cache ansatz.Cache
	le    LocalScratch
	_     [cacheLine]byte
}

// NewExact returns an exact enumerator of the configurations with nUp up
// spins (all 2^N configurations if nUp is Unconstrained), in increasing
// order of the bit pattern Σ_{i: x_i=+1} 2^i. Sample splits the
// configurations over threads goroutines (≤ 0: runtime.GOMAXPROCS(0));
// results do not depend on threads. It returns an error if nUp is out of
// range, if op does not conserve S^z but nUp is fixed, if op and psi have
// different numbers of sites, or if there are more than MaxExactDim
// configurations.
func NewExact(psi ansatz.Ansatz, op hamiltonian.Operator, nUp int, threads int) (*Exact, error) {
	if err := checkOperator(psi, op, nUp); err != nil {
		return nil, err
	}
	n := psi.NumSites()
	dim := new(big.Int).Lsh(big.NewInt(1), uint(n))
	if nUp != Unconstrained {
		dim.Binomial(int64(n), int64(nUp))
	}
	if n > 63 || dim.Cmp(big.NewInt(MaxExactDim)) > 0 {
		return nil, fmt.Errorf("vmc: exact enumeration of %v configurations of %d sites exceeds the limit of %d", dim, n, MaxExactDim)
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	e := &Exact{psi: psi, op: op, n: n, threads: threads}
	e.basis = make([]uint64, 0, dim.Int64())
	if nUp == Unconstrained {
		for v := range uint64(1) << n {
			e.basis = append(e.basis, v)
		}
	} else {
		// Gosper's hack: the next larger integer with the same popcount.
		v := uint64(1)<<nUp - 1
		for range dim.Int64() {
			e.basis = append(e.basis, v)
			if v == 0 {
				break
			}
			t := v | (v - 1)
			v = (t + 1) | (((^t & -^t) - 1) >> (bits.TrailingZeros64(v) + 1))
		}
	}
	e.threads = min(e.threads, len(e.basis))
	e.logw = make([]float64, len(e.basis))
	return e, nil
}

// Dim returns the number of configurations enumerated.
func (e *Exact) Dim() int { return len(e.basis) }

// Sample fills dst with every configuration, its local energy, its weight
// W_s and, when derivs is true, its log-derivatives O_k. The batch has
// Chains = 1, PerChain = Ns = Dim() and Acceptance = 1. Weights are
// normalized with the log-sum-exp shift
//
//	W_s = exp(2 Re log ψ_s − L) / Σ_s' exp(2 Re log ψ_s' − L),   L = max_s 2 Re log ψ_s,
//
// and summed in basis order, so the batch is bit-identical for any number of
// threads. Configurations with ψ = 0 get W_s = 0 (their E_loc may be
// non-finite; Statistics skips zero weights).
func (e *Exact) Sample(dst *Batch, derivs bool) {
	ns, n := len(e.basis), e.n
	dst.resize(ns, n, e.psi.NumParams(), 1, ns, derivs, true)
	dst.Acceptance = 1
	if e.workers == nil {
		e.workers = make([]*exactWorker, e.threads)
		for w := range e.workers {
			x := padded[int8](n)
			setBits(x, e.basis[0])
			e.workers[w] = &exactWorker{x: x, cache: e.psi.NewCache(x)}
		}
	}
	T := len(e.workers)
	parallel.For(T, T, func(_, w int) {
		wk := e.workers[w]
		p := dst.P
		for s := w * ns / T; s < (w+1)*ns/T; s++ {
			setBits(wk.x, e.basis[s])
			wk.cache.Reset(wk.x)
			copy(dst.Configs[s*n:(s+1)*n], wk.x)
			e.logw[s] = 2 * real(wk.cache.LogPsi())
			dst.E[s] = LocalEnergy(e.op, wk.cache, &wk.le)
			if derivs {
				wk.cache.LogDeriv(dst.O[s*p : (s+1)*p])
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
		z += dst.W[s]
	}
	for s := range dst.W {
		dst.W[s] /= z
	}
}

// setBits writes the configuration with bit i of v set ⟺ x_i = +1.
func setBits(x []int8, v uint64) {
	for i := range x {
		x[i] = int8(2*(v>>i&1)) - 1
	}
}
