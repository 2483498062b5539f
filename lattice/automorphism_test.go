package lattice

import (
	"errors"
	"fmt"
	"testing"
)

// The automorphism groups of the coloured (order-1 and order-2) bond graphs:
// translations × point group where the torus has the full point group of
// the lattice (|G| = cells · 2 for a ring, · 8 for the square lattice, · 12
// for the triangular and kagome lattices), the point group of a rectangle
// for a 4×6 torus, and of the square for an open 4×4 cluster.
func TestAutomorphisms(t *testing.T) {
	for _, tc := range []struct {
		kind   Kind
		extent []int
		pbc    []bool
		want   int
	}{
		{Chain, []int{8}, []bool{true}, 16},
		{Chain, []int{20}, []bool{true}, 40},
		{Chain, []int{8}, []bool{false}, 2},
		{Square, []int{4, 4}, []bool{true, true}, 128},
		{Square, []int{6, 6}, []bool{true, true}, 288},
		{Square, []int{10, 10}, []bool{true, true}, 800},
		{Square, []int{4, 6}, []bool{true, true}, 96},
		{Square, []int{4, 4}, []bool{false, false}, 8},
		{Triangular, []int{6, 6}, []bool{true, true}, 432},
		{Kagome, []int{2, 2}, []bool{true, true}, 48},
		{Kagome, []int{3, 3}, []bool{true, true}, 108},
		{Honeycomb, []int{3, 3}, []bool{true, true}, 216}, // 9·12 space group, doubled by an accidental symmetry of this small torus
	} {
		name := fmt.Sprint(tc.kind, tc.extent, tc.pbc)
		l, err := New(tc.kind, tc.extent, tc.pbc)
		if err != nil {
			t.Fatal(err)
		}
		g, err := l.Automorphisms()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(g) != tc.want {
			t.Errorf("%s: |G| = %d, want %d", name, len(g), tc.want)
		}
		checkGroup(t, name, l, g)
	}
}

// checkGroup verifies that g is a group of permutations, with the identity
// first, that keeps every edge with its order and contains the
// translations.
func checkGroup(t *testing.T, name string, l *Lattice, g [][]int) {
	t.Helper()
	n := l.NumSites()
	buf := make([]byte, 2*n)
	key := func(p []int) string {
		for i, v := range p {
			buf[2*i], buf[2*i+1] = byte(v), byte(v>>8)
		}
		return string(buf)
	}
	set := map[string]bool{}
	for _, p := range g {
		set[key(p)] = true
	}
	if len(set) != len(g) {
		t.Errorf("%s: repeated elements", name)
	}
	for i, v := range g[0] {
		if v != i {
			t.Fatalf("%s: first element is not the identity", name)
		}
	}
	edges := map[[2]int]int{}
	for _, e := range l.Edges() {
		edges[[2]int{e.I, e.J}] = e.Order
	}
	for _, p := range g {
		seen := make([]bool, n)
		for _, v := range p {
			if v < 0 || v >= n || seen[v] {
				t.Fatalf("%s: %v is not a permutation", name, p)
			}
			seen[v] = true
		}
		for _, e := range l.Edges() {
			i, j := p[e.I], p[e.J]
			if i > j {
				i, j = j, i
			}
			if edges[[2]int{i, j}] != e.Order {
				t.Fatalf("%s: %v maps edge %v to (%d, %d) of order %d", name, p, e, i, j, edges[[2]int{i, j}])
			}
		}
	}
	// Closure under composition (a finite set of permutations closed under
	// composition is a group); for large groups, products with the first
	// 50 elements.
	comp := make([]int, n)
	for k, a := range g {
		if k == 50 {
			break
		}
		for _, b := range g {
			for i := range comp {
				comp[i] = a[b[i]]
			}
			if !set[key(comp)] {
				t.Fatalf("%s: not closed under composition", name)
			}
		}
	}
	for _, tr := range l.Translations() {
		if !set[key(tr)] {
			t.Fatalf("%s: translation %v missing", name, tr)
		}
	}
}

// Custom graphs: a two-leg ladder with rungs (order 1) has the symmetries
// of a prism; a complete graph has N! automorphisms, more than the bound.
func TestAutomorphismsCustom(t *testing.T) {
	// Ladder of 2×4 sites, periodic along the legs: legs 0-1-2-3-0 and
	// 4-5-6-7-4, rungs i–i+4, all order 1. Its graph is the cube Q3 (48
	// automorphisms).
	var edges [][2]int
	for i := 0; i < 4; i++ {
		edges = append(edges, [2]int{i, (i + 1) % 4}, [2]int{4 + i, 4 + (i+1)%4}, [2]int{i, i + 4})
	}
	l, err := NewCustom(8, edges, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := l.Automorphisms()
	if err != nil || len(g) != 48 {
		t.Fatalf("ladder: |G| = %d, %v; want 48", len(g), err)
	}
	checkGroup(t, "ladder", l, g)
	// Rungs of order 2: legs can no longer be exchanged with rungs; the
	// group is D4 × Z2 (16).
	orders := make([]int, len(edges))
	for k := range orders {
		orders[k] = 1
		if k%3 == 2 {
			orders[k] = 2
		}
	}
	l, err = NewCustom(8, edges, orders)
	if err != nil {
		t.Fatal(err)
	}
	if g, err = l.Automorphisms(); err != nil || len(g) != 16 {
		t.Fatalf("ladder with order-2 rungs: |G| = %d, %v; want 16", len(g), err)
	}
	checkGroup(t, "ladder with order-2 rungs", l, g)

	edges = nil
	for i := 0; i < 8; i++ {
		for j := i + 1; j < 8; j++ {
			edges = append(edges, [2]int{i, j})
		}
	}
	l, err = NewCustom(8, edges, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Automorphisms(); !errors.Is(err, ErrTooManyAutomorphisms) {
		t.Errorf("complete graph K8 (8! = 40320 automorphisms): got %v, want ErrTooManyAutomorphisms", err)
	}
}

func BenchmarkAutomorphisms10x10(b *testing.B) {
	l, _ := New(Square, []int{10, 10}, []bool{true, true})
	for b.Loop() {
		if _, err := l.Automorphisms(); err != nil {
			b.Fatal(err)
		}
	}
}
