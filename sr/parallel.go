package sr

import (
	"sync"
	"sync/atomic"
)

// parallelFor calls f(worker, i) once for every i in [0, n) using at most
// threads goroutines; worker in [0, threads) identifies the goroutine so
// that f can use per-worker scratch memory. Tasks are handed out
// dynamically, so callers must make every task write its own outputs and
// must not let the result of a task depend on the worker that ran it:
// then results are identical for every thread count.
func parallelFor(threads, n int, f func(worker, i int)) {
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
			}
		})
	}
	wg.Wait()
}
