package mpi

import (
	"bytes"
	"sync"
	"testing"
)

func TestBlock(t *testing.T) {
	for i, tc := range []struct{ n, size int }{{16, 1}, {16, 2}, {16, 3}, {5, 7}, {0, 2}, {1000, 64}} {
		next := 0
		for r := range tc.size {
			lo, hi := Block(tc.n, r, tc.size)
			if lo != next || hi < lo || hi-lo > tc.n/tc.size+1 {
				t.Fatalf("case %d: rank %d of %d owns [%d, %d), want it to start at %d", i, r, tc.size, lo, hi, next)
			}
			next = hi
		}
		if next != tc.n {
			t.Errorf("case %d: blocks end at %d, want %d", i, next, tc.n)
		}
	}
}

// TestLocal gathers per-rank parts of various sizes (empty ones included)
// on goroutine ranks and checks every rank ends with the full, ordered
// buffer; Any must see a flag set on one rank only.
func TestLocal(t *testing.T) {
	for _, size := range []int{1, 2, 3, 5} {
		comms := NewLocal(size)
		const n = 7
		want := make([]float64, 3*n)
		for i := range want {
			want[i] = float64(i) + 0.5
		}
		counts := Counts(n, size, 3)
		var wg sync.WaitGroup
		errs := make([]string, size)
		for r, c := range comms {
			wg.Go(func() {
				buf := make([]float64, 3*n)
				lo, hi := Block(n, r, size)
				copy(buf[3*lo:3*hi], want[3*lo:3*hi])
				for range 3 { // buffers are reused from call to call
					AllgatherOf(c, buf, counts)
				}
				if !bytes.Equal(Bytes(buf), Bytes(want)) {
					errs[r] = "gathered buffer differs"
				}
				if !c.Any(r == size-1) || c.Any(false) {
					errs[r] = "Any is wrong"
				}
				c.Barrier()
			})
		}
		wg.Wait()
		for r, e := range errs {
			if e != "" {
				t.Errorf("%d ranks, rank %d: %s", size, r, e)
			}
		}
	}
}

func TestSelf(t *testing.T) {
	var c Comm = Self{}
	buf := []int64{1, 2, 3}
	AllgatherOf(c, buf, []int{3})
	if c.Rank() != 0 || c.Size() != 1 || buf[2] != 3 || !c.Any(true) || c.Any(false) {
		t.Fatal("Self is not one rank")
	}
}
