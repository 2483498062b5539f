package hilbert

import (
	"testing"
)

// ring returns the translations (and, with reflections, the dihedral
// group) of a ring of n sites.
func ring(n int, reflections bool) [][]int {
	var g [][]int
	for t := range n {
		p := make([]int, n)
		for i := range p {
			p[i] = (i + t) % n
		}
		g = append(g, p)
		if reflections {
			q := make([]int, n)
			for i := range q {
				q[i] = (n - i + t) % n
			}
			g = append(g, q)
		}
	}
	return g
}

// TestOrbits compares Orbits with a brute-force partition of the states.
func TestOrbits(t *testing.T) {
	for _, tc := range []struct {
		n, nUp int
		refl   bool
	}{{8, Unconstrained, false}, {8, Unconstrained, true}, {9, 4, true}, {10, 5, false}, {6, 0, true}, {1, Unconstrained, false}} {
		s, err := NewSpace(tc.n, tc.nUp)
		if err != nil {
			t.Fatal(err)
		}
		group := ring(tc.n, tc.refl)
		// Brute force: the minimum of every state's images.
		rep := map[uint64]uint64{}
		for _, v := range s.All() {
			m := v
			for _, g := range group {
				m = min(m, Permute(v, g))
			}
			rep[v] = m
		}
		count := map[uint64]int{}
		for _, m := range rep {
			count[m]++
		}
		orbits, err := s.Orbits(group)
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		prev, first, n := uint64(0), true, 0
		for v, size := range orbits {
			if !first && v <= prev {
				t.Errorf("%+v: representatives not increasing: %d after %d", tc, v, prev)
			}
			first, prev = false, v
			if rep[v] != v {
				t.Errorf("%+v: %b is not the minimum of its orbit", tc, v)
			}
			if count[v] != size {
				t.Errorf("%+v: orbit of %b has %d states, Orbits says %d", tc, v, count[v], size)
			}
			total += int64(size)
			n++
		}
		if total != s.Dim() || n != len(count) {
			t.Errorf("%+v: %d orbits of %d states in all, want %d orbits of %d", tc, n, total, len(count), s.Dim())
		}
	}
}

func TestOrbitsErrors(t *testing.T) {
	s, _ := NewSpace(4, Unconstrained)
	for _, group := range [][][]int{
		nil,
		{{1, 2, 3, 0}},               // no identity
		{{0, 1, 2}},                  // wrong length
		{{0, 1, 2, 3}, {0, 0, 1, 2}}, // not a permutation
	} {
		if _, err := s.Orbits(group); err == nil {
			t.Errorf("Orbits(%v): no error", group)
		}
	}
}

func TestPermuteTable(t *testing.T) {
	g := []int{3, 9, 0, 1, 2, 4, 5, 6, 7, 8}
	tab := newPermTable(g)
	for v := uint64(0); v < 1<<10; v++ {
		if a, b := Permute(v, g), tab.apply(v); a != b {
			t.Fatalf("v = %b: Permute %b, table %b", v, a, b)
		}
	}
}

func BenchmarkOrbitsRing20(b *testing.B) {
	s, _ := NewSpace(20, Unconstrained)
	group := ring(20, true)
	for b.Loop() {
		orbits, _ := s.Orbits(group)
		n := 0
		for range orbits {
			n++
		}
		if n == 0 {
			b.Fatal("no orbits")
		}
	}
}
