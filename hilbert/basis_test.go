package hilbert

import (
	"math/bits"
	"strings"
	"testing"
)

func TestSectorDim(t *testing.T) {
	for i, tc := range []struct {
		n, nUp int
		want   int64
	}{
		{4, 2, 6}, {4, Unconstrained, 16}, {24, 12, 2704156}, {26, 13, 10400600},
		{28, 14, 40116600}, {40, 20, 137846528820}, {62, Unconstrained, 1 << 62}, {1, 0, 1}, {1, 1, 1},
	} {
		got, err := SectorDim(tc.n, tc.nUp)
		if err != nil || got != tc.want {
			t.Errorf("case %d: SectorDim(%d, %d) = %d, %v; want %d", i, tc.n, tc.nUp, got, err, tc.want)
		}
	}
	for i, tc := range [][2]int{{0, 0}, {63, 1}, {4, 5}, {4, -2}} {
		if _, err := SectorDim(tc[0], tc[1]); err == nil {
			t.Errorf("case %d: SectorDim(%d, %d) gave no error", i, tc[0], tc[1])
		}
	}
}

func TestNumUp(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for i, tc := range []struct {
		n    int
		sz   *float64
		want int
		ok   bool
	}{
		{4, nil, Unconstrained, true},
		{4, f(0), 2, true},
		{4, f(1), 3, true},
		{4, f(-2), 0, true},
		{5, f(0.5), 3, true},
		{5, f(-2.5), 0, true},
		{5, f(0), 0, false},   // half-integer needed on odd N
		{4, f(0.5), 0, false}, // integer needed on even N
		{4, f(3), 0, false},   // beyond N/2
		{4, f(0.25), 0, false},
	} {
		got, err := NumUp(tc.n, tc.sz)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("case %d: NumUp(%d, %v) = %d, %v; want %d (ok %v)", i, tc.n, tc.sz, got, err, tc.want, tc.ok)
		}
	}
}

// TestBasisRoundTrip checks every state of every sector for N ≤ 12: states
// ascending with the right number of up spins, Index(State(k)) = k, Index of
// every other bit string is -1, and the configuration round trip.
func TestBasisRoundTrip(t *testing.T) {
	for n := 1; n <= 12; n++ {
		for nUp := -1; nUp <= n; nUp++ {
			b := mustBasis(t, n, nUp)
			want, _ := SectorDim(n, nUp)
			if int64(b.Dim()) != want {
				t.Fatalf("N=%d nUp=%d: Dim = %d, want %d", n, nUp, b.Dim(), want)
			}
			x := make([]int8, n)
			count := 0
			for k, s := range b.All() {
				if k > 0 && s <= b.State(k-1) {
					t.Fatalf("N=%d nUp=%d: states not ascending at %d", n, nUp, k)
				}
				if nUp >= 0 && bits.OnesCount64(s) != nUp {
					t.Fatalf("N=%d nUp=%d: state %b has the wrong number of up spins", n, nUp, s)
				}
				if got := b.Index(s); got != k {
					t.Fatalf("N=%d nUp=%d: Index(State(%d)) = %d", n, nUp, k, got)
				}
				b.ToConfig(s, x)
				sz := 0
				for i, v := range x {
					if (v == 1) != (s>>uint(i)&1 == 1) || (v != 1 && v != -1) {
						t.Fatalf("N=%d: ToConfig(%b) = %v", n, s, x)
					}
					sz += int(v)
				}
				if nUp >= 0 && sz != 2*nUp-n {
					t.Fatalf("N=%d nUp=%d: config %v has Σx = %d", n, nUp, x, sz)
				}
				if got := b.FromConfig(x); got != s {
					t.Fatalf("N=%d: FromConfig(ToConfig(%b)) = %b", n, s, got)
				}
				count++
			}
			if count != b.Dim() {
				t.Fatalf("N=%d nUp=%d: All yielded %d states, want %d", n, nUp, count, b.Dim())
			}
			inSector := 0
			for s := uint64(0); s < 1<<uint(n+1); s++ { // includes states with bit N set
				k := b.Index(s)
				in := s < 1<<uint(n) && (nUp < 0 || bits.OnesCount64(s) == nUp)
				if in != (k >= 0) {
					t.Fatalf("N=%d nUp=%d: Index(%b) = %d", n, nUp, s, k)
				}
				if in {
					inSector++
				}
			}
			if inSector != b.Dim() {
				t.Fatalf("N=%d nUp=%d: %d states in the sector, Dim %d", n, nUp, inSector, b.Dim())
			}
		}
	}
}

// TestBasisLargeN checks small sectors of many sites, where the ranking
// tables are large and the states sparse, and the dimension limit.
func TestBasisLargeN(t *testing.T) {
	for _, tc := range [][2]int{{40, 2}, {40, 38}, {39, 3}, {33, 1}, {22, 11}} {
		b := mustBasis(t, tc[0], tc[1])
		for k, s := range b.All() {
			if b.Index(s) != k {
				t.Fatalf("N=%d nUp=%d: Index(State(%d)) = %d", tc[0], tc[1], k, b.Index(s))
			}
			if b.Index(s^1<<uint(tc[0]-1)^1) != -1 && bits.OnesCount64(s^1<<uint(tc[0]-1)^1) != tc[1] {
				t.Fatalf("N=%d: Index accepted a state of the wrong sector", tc[0])
			}
		}
		if b.Index(1<<uint(tc[0])|b.State(0)) != -1 {
			t.Errorf("N=%d: a state with bit N set has an index", tc[0])
		}
	}
	for i, tc := range []struct {
		n, nUp int
		msg    string
	}{
		{41, 1, "1 ≤ N ≤ 40"},
		{40, 20, "above the limit"},
		{34, 17, "above the limit"},
		{40, Unconstrained, "above the limit"},
		{8, 9, "nUp"},
		{0, 0, "sites"},
	} {
		_, err := NewBasis(tc.n, tc.nUp)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("case %d: NewBasis(%d, %d) error = %v, want one mentioning %q", i, tc.n, tc.nUp, err, tc.msg)
		}
	}
}

func TestIndexOutsideSector(t *testing.T) {
	b := mustBasis(t, 6, 3)
	for _, s := range []uint64{0, 0b1, 0b1111, 0b111111, 0b1000111, 1 << 63} {
		if k := b.Index(s); k != -1 {
			t.Errorf("Index(%b) = %d, want -1", s, k)
		}
	}
	if sz, ok := b.TotalSz(); !ok || sz != 0 {
		t.Errorf("TotalSz = %g, %v", sz, ok)
	}
	full := mustBasis(t, 5, Unconstrained)
	if _, ok := full.TotalSz(); ok {
		t.Error("full space reports a total S^z")
	}
	if full.Index(31) != 31 || full.Index(32) != -1 || full.State(7) != 7 {
		t.Error("full-space ranking is not the identity")
	}
}
