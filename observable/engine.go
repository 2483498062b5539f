package observable

import (
	"math/cmplx"
	"runtime"
	"sync"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hilbert"
	"github.com/vmc-lattice/vmc/vmc"
)

// seriesBudget bounds the number of per-sample values held at once
// (32 MiB of float64): observables are evaluated in chunks of
// ⌊seriesBudget/Ns⌋ series, each sample being revisited once per chunk.
// A variable so that tests can force small chunks.
var seriesBudget = 1 << 22

// walker is positioned at one sample at a time and returns amplitude
// ratios ψ(x')/ψ(x) for configurations x' near it. Each goroutine owns one.
type walker interface {
	// at positions the walker at sample s and returns its configuration,
	// valid until the next call.
	at(s int) []int8
	// pair returns ψ(x^{ij})/ψ(x), x^{ij} being x with sites i ≠ j flipped.
	pair(i, j int) complex128
}

// source is a set of samples with their weights (nil: uniform, Monte
// Carlo, chain-major in chains chains) and a walker factory.
type source struct {
	n, ns, chains int
	w             []float64
	newWalker     func() walker
}

// kernel evaluates size per-sample series; newEval returns a per-goroutine
// evaluation function that writes series lo..hi−1 for sample x into out.
type kernel struct {
	size    int
	newEval func() func(w walker, x []int8, lo, hi int, out []float64)
}

// run evaluates every series of k over the samples of src and returns their
// statistics. The result does not depend on threads: every value is
// computed by one goroutine in a fixed order, and every series is reduced
// by vmc.Statistics sequentially.
func run(src *source, k kernel, threads int) []vmc.Stats {
	stats := make([]vmc.Stats, k.size)
	if k.size == 0 {
		return stats
	}
	ns := src.ns
	chunk := min(k.size, max(1, seriesBudget/max(ns, 1)))
	vals := make([]float64, chunk*ns)
	threads = min(threads, max(ns, 1))
	walkers := make([]walker, threads)
	evals := make([]func(walker, []int8, int, int, []float64), threads)
	outs := make([][]float64, threads)
	for t := range walkers {
		walkers[t] = src.newWalker()
		evals[t] = k.newEval()
		outs[t] = make([]float64, chunk)
	}
	for lo := 0; lo < k.size; lo += chunk {
		hi := min(lo+chunk, k.size)
		m := hi - lo
		parallel(threads, threads, func(t int) {
			w, eval, out := walkers[t], evals[t], outs[t][:m]
			for s := t * ns / threads; s < (t+1)*ns/threads; s++ {
				eval(w, w.at(s), lo, hi, out)
				for o, v := range out {
					vals[o*ns+s] = v
				}
			}
		})
		parallel(threads, m, func(o int) {
			stats[lo+o] = vmc.Statistics(vals[o*ns:(o+1)*ns], src.chains, src.w)
		})
	}
	return stats
}

// parallel calls f(i) for i in [0, n) on up to threads goroutines, with
// i handed out in blocks.
func parallel(threads, n int, f func(i int)) {
	if threads <= 1 || n <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	threads = min(threads, n)
	var wg sync.WaitGroup
	for t := range threads {
		wg.Go(func() {
			for i := t * n / threads; i < (t+1)*n/threads; i++ {
				f(i)
			}
		})
	}
	wg.Wait()
}

func defaultThreads(t int) int {
	if t <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return t
}

// batchWalker walks a vmc.Batch; ratios come from an ansatz cache that is
// reset lazily, only when a ratio is asked for at a new sample.
type batchWalker struct {
	b     *vmc.Batch
	psi   ansatz.Ansatz
	cache ansatz.Cache
	s     int
	stale bool
	flips [2]int
}

func (w *batchWalker) at(s int) []int8 {
	w.s, w.stale = s, true
	return w.b.Config(s)
}

func (w *batchWalker) pair(i, j int) complex128 {
	if w.stale {
		x := w.b.Config(w.s)
		if w.cache == nil {
			w.cache = w.psi.NewCache(x)
		} else {
			w.cache.Reset(x)
		}
		w.stale = false
	}
	w.flips = [2]int{i, j}
	return cmplx.Exp(w.cache.LogRatio(w.flips[:]))
}

func batchSource(b *vmc.Batch, psi ansatz.Ansatz) *source {
	return &source{
		n: b.N, ns: b.Ns, chains: b.Chains, w: b.W,
		newWalker: func() walker { return &batchWalker{b: b, psi: psi} },
	}
}

// vectorWalker walks the basis of an ED vector; ratios are read off the
// vector (0 outside the sector).
type vectorWalker struct {
	basis *ed.Basis
	vec   []float64
	x     []int8
	s     int
	state uint64
}

func (w *vectorWalker) at(s int) []int8 {
	w.s, w.state = s, w.basis.State(s)
	hilbert.StateToConfig(w.state, w.x)
	return w.x
}

func (w *vectorWalker) pair(i, j int) complex128 {
	v := w.vec[w.s]
	if v == 0 {
		return 0 // weight 0: the sample does not count
	}
	k := w.basis.Index(w.state ^ (1<<uint(i) | 1<<uint(j)))
	if k < 0 {
		return 0
	}
	return complex(w.vec[k]/v, 0)
}

func vectorSource(vec []float64, basis *ed.Basis) *source {
	w := make([]float64, len(vec))
	var z float64
	for k, v := range vec {
		w[k] = v * v
		z += w[k]
	}
	for k := range w {
		w[k] /= z
	}
	n := basis.NumSites()
	return &source{
		n: n, ns: len(vec), chains: 1, w: w,
		newWalker: func() walker {
			return &vectorWalker{basis: basis, vec: vec, x: make([]int8, n)}
		},
	}
}
