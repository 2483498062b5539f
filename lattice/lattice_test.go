package lattice

import (
	"fmt"
	"math"
	"testing"
)

func mustNew(t *testing.T, k Kind, ext []int, pbc ...bool) *Lattice {
	t.Helper()
	l, err := New(k, ext, pbc)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestEdgeCounts(t *testing.T) {
	for i, tc := range []struct {
		kind     Kind
		ext      []int
		pbc      []bool
		n        int
		nn, nnn  int
		bip      bool
		nTransl  int
		describe string
	}{
		{Chain, []int{1}, []bool{true}, 1, 0, 0, true, 1, "single site has no self-bond"},
		{Chain, []int{2}, []bool{true}, 2, 1, 0, true, 2, "2-site ring: one bond, not two"},
		{Chain, []int{3}, []bool{true}, 3, 3, 0, false, 3, "3-ring: next-nearest coincide with nearest"},
		{Chain, []int{4}, []bool{true}, 4, 4, 2, true, 4, "4-ring: each diagonal once"},
		{Chain, []int{8}, []bool{true}, 8, 8, 8, true, 8, ""},
		{Chain, []int{9}, []bool{true}, 9, 9, 9, false, 9, "odd ring is not bipartite"},
		{Chain, []int{9}, []bool{false}, 9, 8, 7, true, 1, "open chain"},
		{Square, []int{2, 2}, []bool{true}, 4, 4, 2, true, 4, "2×2 torus"},
		{Square, []int{4, 4}, []bool{true}, 16, 32, 32, true, 16, ""},
		{Square, []int{3, 3}, []bool{true}, 9, 18, 18, false, 9, "odd torus frustrated"},
		{Square, []int{3, 3}, []bool{false}, 9, 12, 8, true, 1, ""},
		{Square, []int{4, 3}, []bool{true, false}, 12, 4*3 + 4*2, 2 * 4 * 2, true, 4, "cylinder"},
		{Triangular, []int{6, 6}, []bool{true}, 36, 108, 108, false, 36, ""},
		{Triangular, []int{3, 3}, []bool{false}, 9, 16, 8, false, 1, ""},
		{Honeycomb, []int{3, 3}, []bool{true}, 18, 27, 54, true, 9, ""},
		{Honeycomb, []int{4, 4}, []bool{true}, 32, 48, 96, true, 16, ""},
		{Kagome, []int{3, 3}, []bool{true}, 27, 54, 54, false, 9, ""},
		{Kagome, []int{4, 4}, []bool{true}, 48, 96, 96, false, 16, ""},
	} {
		l := mustNew(t, tc.kind, tc.ext, tc.pbc...)
		if l.NumSites() != tc.n {
			t.Errorf("case %d (%v): N = %d, want %d", i, l, l.NumSites(), tc.n)
		}
		nn, nnn := len(l.EdgesOfOrder(1)), len(l.EdgesOfOrder(2))
		if nn != tc.nn || nnn != tc.nnn {
			t.Errorf("case %d (%v, %s): %d NN and %d NNN edges, want %d and %d", i, l, tc.describe, nn, nnn, tc.nn, tc.nnn)
		}
		if _, ok := l.Bipartite(); ok != tc.bip {
			t.Errorf("case %d (%v): bipartite = %v, want %v", i, l, ok, tc.bip)
		}
		if got := len(l.Translations()); got != tc.nTransl {
			t.Errorf("case %d (%v): %d translations, want %d", i, l, got, tc.nTransl)
		}
		checkEdgesDistinct(t, i, l)
	}
}

func checkEdgesDistinct(t *testing.T, i int, l *Lattice) {
	seen := map[[2]int]bool{}
	for _, e := range l.Edges() {
		if e.I >= e.J {
			t.Errorf("case %d: edge %v not ordered I<J", i, e)
		}
		if seen[[2]int{e.I, e.J}] {
			t.Errorf("case %d: duplicate edge %v", i, e)
		}
		seen[[2]int{e.I, e.J}] = true
	}
}

// On clusters large enough to have no wrap-around coincidences every site
// has the coordination numbers of the infinite lattice.
func TestCoordination(t *testing.T) {
	for _, tc := range []struct {
		kind   Kind
		ext    []int
		z1, z2 int
	}{
		{Chain, []int{10}, 2, 2},
		{Square, []int{6, 6}, 4, 4},
		{Triangular, []int{6, 6}, 6, 6},
		{Honeycomb, []int{6, 6}, 3, 6},
		{Kagome, []int{6, 6}, 4, 4},
	} {
		l := mustNew(t, tc.kind, tc.ext, true)
		z := make([][3]int, l.NumSites())
		for _, e := range l.Edges() {
			z[e.I][e.Order]++
			z[e.J][e.Order]++
		}
		for i := range z {
			if z[i][1] != tc.z1 || z[i][2] != tc.z2 {
				t.Fatalf("%v: site %d has %d NN and %d NNN, want %d and %d", l, i, z[i][1], z[i][2], tc.z1, tc.z2)
			}
		}
	}
}

// Edge lengths: order-1 edges have length 1 (minimum image) on every kind.
func TestEdgeLengths(t *testing.T) {
	for _, k := range []Kind{Chain, Square, Triangular, Honeycomb, Kagome} {
		ext := []int{8}
		if k.Dim() == 2 {
			ext = []int{4, 4}
		}
		l := mustNew(t, k, ext, false)
		for _, e := range l.EdgesOfOrder(1) {
			if d := dist(l.Position(e.I), l.Position(e.J)); math.Abs(d-1) > 1e-12 {
				t.Fatalf("%v: edge %v has length %g, want 1", l, e, d)
			}
		}
	}
}

func dist(a, b []float64) float64 {
	var s float64
	for k := range a {
		s += (a[k] - b[k]) * (a[k] - b[k])
	}
	return math.Sqrt(s)
}

// Translations map the edge set onto itself and form a group of
// permutations (checkGroup, automorphism_test.go).
func TestTranslationsPreserveEdges(t *testing.T) {
	for _, l := range []*Lattice{
		mustNew(t, Chain, []int{7}, true),
		mustNew(t, Square, []int{4, 3}, true),
		mustNew(t, Triangular, []int{3, 4}, true),
		mustNew(t, Honeycomb, []int{3, 3}, true),
		mustNew(t, Kagome, []int{2, 3}, true),
		mustNew(t, Square, []int{4, 3}, true, false),
	} {
		checkGroup(t, l.String()+" translations", l, l.Translations())
	}
}

func TestBipartiteSublattices(t *testing.T) {
	l := mustNew(t, Square, []int{4, 4}, true)
	sub, ok := l.Bipartite()
	if !ok {
		t.Fatal("4×4 torus should be bipartite")
	}
	for _, e := range l.EdgesOfOrder(1) {
		if sub[e.I] == sub[e.J] {
			t.Fatalf("edge %v joins equal sublattices", e)
		}
	}
	// Checkerboard: sublattice of (x, y) is (x+y) mod 2.
	for i := 0; i < 16; i++ {
		if int(sub[i]) != (i%4+i/4)%2 {
			t.Fatalf("site %d on sublattice %d", i, sub[i])
		}
	}
}

func TestMomenta(t *testing.T) {
	l := mustNew(t, Square, []int{4, 2}, true)
	ks := l.Momenta()
	if len(ks) != 8 {
		t.Fatalf("%d momenta, want 8", len(ks))
	}
	// e^{i k·R} = 1 for every lattice vector R spanning the torus.
	for _, k := range ks {
		for _, R := range [][]float64{{4, 0}, {0, 2}} {
			ph := k[0]*R[0] + k[1]*R[1]
			if math.Abs(math.Remainder(ph, 2*math.Pi)) > 1e-12 {
				t.Fatalf("k = %v not periodic on %v", k, R)
			}
		}
	}
}

func TestCustom(t *testing.T) {
	l, err := NewCustom(4, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 0}, {0, 2}}, []int{1, 1, 1, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.EdgesOfOrder(1)) != 4 || len(l.EdgesOfOrder(2)) != 1 {
		t.Fatalf("edges %v", l.Edges())
	}
	if _, ok := l.Bipartite(); !ok {
		t.Fatal("4-ring should be bipartite")
	}
	for i, bad := range []struct {
		n      int
		edges  [][2]int
		orders []int
	}{
		{0, nil, nil},
		{3, [][2]int{{0, 3}}, nil},
		{3, [][2]int{{1, 1}}, nil},
		{3, [][2]int{{0, 1}, {1, 0}}, nil},
		{3, [][2]int{{0, 1}}, []int{1, 2}},
		{3, [][2]int{{0, 1}}, []int{0}},
	} {
		if _, err := NewCustom(bad.n, bad.edges, bad.orders); err == nil {
			t.Errorf("case %d: no error for %+v", i, bad)
		}
	}
}

func TestNewErrors(t *testing.T) {
	for i, tc := range []struct {
		kind Kind
		ext  []int
		pbc  []bool
	}{
		{"cubic", []int{2}, []bool{true}},
		{Square, []int{4}, []bool{true}},
		{Square, []int{4, 0}, []bool{true}},
		{Chain, []int{-3}, []bool{true}},
		{Square, []int{4, 4}, []bool{true, true, true}},
	} {
		if _, err := New(tc.kind, tc.ext, tc.pbc); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}

func ExampleNew() {
	l, _ := New(Square, []int{4, 4}, []bool{true})
	fmt.Println(l)
	fmt.Println(len(l.EdgesOfOrder(1)), "nearest-neighbour bonds")
	// Output:
	// square 4×4 PBC,PBC (16 sites, 64 edges)
	// 32 nearest-neighbour bonds
}

// PiCharacters: (−1)^(Σ shift) for each translation, a one-dimensional
// representation (χ(g)χ(h) = χ(gh)); refused with an odd periodic extent.
func TestPiCharacters(t *testing.T) {
	l, err := New(Square, []int{4, 2}, []bool{true, true})
	if err != nil {
		t.Fatal(err)
	}
	ts := l.Translations()
	chi, err := l.PiCharacters()
	if err != nil || len(chi) != len(ts) || chi[0] != 1 {
		t.Fatalf("characters %v, %v", chi, err)
	}
	index := map[string]int{}
	for g, p := range ts {
		index[fmt.Sprint(p)] = g
	}
	comp := make([]int, l.NumSites())
	for g := range ts {
		for h := range ts {
			for i := range comp {
				comp[i] = ts[g][ts[h][i]]
			}
			gh, ok := index[fmt.Sprint(comp)]
			if !ok {
				t.Fatal("translations are not a group")
			}
			if chi[g]*chi[h] != chi[gh] {
				t.Errorf("χ(%d)χ(%d) = %d ≠ χ(gh) = %d", g, h, chi[g]*chi[h], chi[gh])
			}
		}
	}
	// The unit translation along x has character −1.
	if chi[1] != -1 {
		t.Errorf("χ(unit x translation) = %d, want -1", chi[1])
	}
	odd, _ := New(Chain, []int{5}, []bool{true})
	if _, err := odd.PiCharacters(); err == nil {
		t.Error("odd ring: no error")
	}
}
