package hilbert

import (
	"fmt"
	"math/bits"
	"testing"
)

func mustBasis(t testing.TB, n, nUp int) *Basis {
	t.Helper()
	b, err := NewBasis(n, nUp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSpaceAllMatchesBasis checks that the stored, ranked basis and the
// enumeration of its Space list the same states in the same order, for
// every sector of N ≤ 12.
func TestSpaceAllMatchesBasis(t *testing.T) {
	for n := 1; n <= 12; n++ {
		for nUp := Unconstrained; nUp <= n; nUp++ {
			b := mustBasis(t, n, nUp)
			sp := b.Space()
			if sp.Dim() != int64(b.Dim()) || sp.NumSites() != n || sp.NumUp() != nUp {
				t.Fatalf("N=%d nUp=%d: space %v, basis %v", n, nUp, sp, b)
			}
			count := 0
			for k, v := range sp.All() {
				if v != b.State(k) {
					t.Fatalf("N=%d nUp=%d: Space.All yields %b at %d, basis %b", n, nUp, v, k, b.State(k))
				}
				if !sp.Contains(v) {
					t.Fatalf("N=%d nUp=%d: Contains(%b) = false", n, nUp, v)
				}
				count++
			}
			if count != b.Dim() {
				t.Fatalf("N=%d nUp=%d: Space.All yielded %d states, want %d", n, nUp, count, b.Dim())
			}
		}
	}
}

// TestSpaceGosperLargeN enumerates small sectors of many sites, beyond what a
// Basis can rank: increasing states with the right popcount, C(N, nUp) of
// them, and an iteration that stops when asked.
func TestSpaceGosperLargeN(t *testing.T) {
	for i, tc := range []struct {
		n, nUp int
		dim    int64
	}{{62, 0, 1}, {62, 1, 62}, {62, 2, 1891}, {62, 61, 62}, {62, 62, 1}, {45, 3, 14190}, {20, Unconstrained, 1 << 20}} {
		sp, err := NewSpace(tc.n, tc.nUp)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if sp.Dim() != tc.dim {
			t.Fatalf("case %d: Dim = %d, want %d", i, sp.Dim(), tc.dim)
		}
		var prev uint64
		count := int64(0)
		for k, v := range sp.All() {
			if k > 0 && v <= prev {
				t.Fatalf("case %d: state %d = %b not above %b", i, k, v, prev)
			}
			if v>>uint(tc.n) != 0 || (tc.nUp >= 0 && bits.OnesCount64(v) != tc.nUp) {
				t.Fatalf("case %d: state %b outside the sector", i, v)
			}
			prev = v
			count++
		}
		if count != tc.dim {
			t.Errorf("case %d: %d states, want %d", i, count, tc.dim)
		}
		stopped := 0
		for range sp.All() {
			stopped++
			break
		}
		if stopped != 1 {
			t.Errorf("case %d: the iteration did not stop", i)
		}
	}
	for i, tc := range [][2]int{{0, 0}, {63, 1}, {4, 5}, {4, -2}} {
		if _, err := NewSpace(tc[0], tc[1]); err == nil {
			t.Errorf("case %d: NewSpace(%d, %d) gave no error", i, tc[0], tc[1])
		}
	}
}

func TestSpaceTotalSz(t *testing.T) {
	for i, tc := range []struct {
		n, nUp int
		sz     float64
		ok     bool
		name   string
	}{
		{4, 2, 0, true, "N=4 nUp=2 (S^z=0), dimension 6"},
		{5, 4, 1.5, true, "N=5 nUp=4 (S^z=1.5), dimension 5"},
		{3, Unconstrained, 0, false, "N=3 full space, dimension 8"},
	} {
		sp, err := NewSpace(tc.n, tc.nUp)
		if err != nil {
			t.Fatal(err)
		}
		sz, ok := sp.TotalSz()
		if sz != tc.sz || ok != tc.ok || sp.String() != tc.name {
			t.Errorf("case %d: TotalSz = %g, %v, String %q", i, sz, ok, sp)
		}
		nUp, err := NumUp(tc.n, map[bool]*float64{true: &tc.sz, false: nil}[tc.ok])
		if err != nil || nUp != tc.nUp {
			t.Errorf("case %d: NumUp = %d, %v, want %d", i, nUp, err, tc.nUp)
		}
	}
}

// BenchmarkIndex measures one O(1) ranking on the largest sectors in the ed
// benchmarks (Heisenberg chains at S^z = 0).
func BenchmarkIndex(b *testing.B) {
	for _, n := range []int{16, 20, 24} {
		bs := mustBasis(b, n, n/2)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			k, sink := 0, 0
			for b.Loop() {
				sink += bs.Index(bs.State(k))
				if k++; k == bs.Dim() {
					k = 0
				}
			}
			if sink < 0 {
				b.Fatal(sink)
			}
		})
	}
}
