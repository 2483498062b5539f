package parallel

import (
	"sync/atomic"
	"testing"
)

func TestForVisitsEachOnce(t *testing.T) {
	for _, threads := range []int{0, 1, 2, 3, 8, 100} {
		for _, n := range []int{0, 1, 5, 64} {
			counts := make([]atomic.Int32, n)
			var badWorker atomic.Bool
			For(threads, n, func(w, i int) {
				if w < 0 || (threads > 1 && w >= threads) || (threads <= 1 && w != 0) {
					badWorker.Store(true)
				}
				counts[i].Add(1)
			})
			for i := range counts {
				if c := counts[i].Load(); c != 1 {
					t.Fatalf("threads %d, n %d: task %d ran %d times", threads, n, i, c)
				}
			}
			if badWorker.Load() {
				t.Fatalf("threads %d, n %d: worker index out of range", threads, n)
			}
		}
	}
}
