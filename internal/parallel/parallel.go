// Package parallel runs independent tasks on a bounded number of
// goroutines. It is the one work-sharing loop of vmc: the sampler's chains,
// the SR products and the ED matrix rows all go through For.
//
// Determinism is the caller's side of the contract: tasks are handed out
// dynamically, so a task must write only its own outputs and must not let
// its result depend on the worker that ran it; then results are identical
// for every thread count.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f(worker, i) once for every i in [0, n) on at most threads
// goroutines (threads ≤ 1 runs inline). worker in [0, threads) identifies
// the goroutine, for per-worker scratch memory.
//
// Workers yield between tasks: a goroutine that runs for more than 10 ms
// is preempted by a signal, which is costly on virtual machines (measured
// in package ed: ~20% of a sparse product's time).
func For(threads, n int, f func(worker, i int)) {
	if threads > n {
		threads = n
	}
	if threads <= 1 {
		for i := 0; i < n; i++ {
			f(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < threads; w++ {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(w, i)
				runtime.Gosched()
			}
		})
	}
	wg.Wait()
}
