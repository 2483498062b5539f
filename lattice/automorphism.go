package lattice

import (
	"errors"
	"fmt"
	"sort"
)

// MaxAutomorphisms bounds the size of the group Automorphisms returns: a
// symmetric ansatz keeps |G| hidden units per filter, and larger groups
// (e.g. the N! permutations of a complete graph) are of no use to it.
const MaxAutomorphisms = 1 << 14

// ErrTooManyAutomorphisms is returned (wrapped) when the automorphism group
// has more than MaxAutomorphisms elements.
var ErrTooManyAutomorphisms = errors.New("lattice: automorphism group too large")

// Automorphisms returns the automorphism group of the cluster's coloured
// bond graph: every permutation g of the sites such that (i, j) is an edge
// of order o exactly when (g(i), g(j)) is. It contains the translations
// and, where the cluster has them, the point-group operations (reflections,
// rotations), and on small tori sometimes more: the 4×4 square torus with
// nearest and next-nearest bonds has 128 = 16·8 elements. Any Hamiltonian
// built from the edges by order (Ising, Heisenberg, J1-J2) commutes with
// every element. t[g][i] is the image of site i; the identity comes first
// and the rest are in lexicographic order of their images.
//
// The search is a backtracking over the sites in breadth-first order; each
// site's image must be a like-coloured neighbour of its parent's image, so
// a lattice costs O(|G|·N·degree). It fails with ErrTooManyAutomorphisms
// beyond MaxAutomorphisms elements, or when the search exceeds its budget
// (2^26 candidate images, about a second).
func (l *Lattice) Automorphisms() ([][]int, error) {
	return l.AutomorphismsUpTo(MaxAutomorphisms)
}

// AutomorphismsUpTo is Automorphisms with a smaller bound on the group
// size: it fails with ErrTooManyAutomorphisms as soon as the search finds
// more than limit elements (limit is capped at MaxAutomorphisms), so that a
// caller with a memory budget of limit·N sites never holds more.
func (l *Lattice) AutomorphismsUpTo(limit int) ([][]int, error) {
	limit = min(limit, MaxAutomorphisms)
	n := l.n
	nb := make([][]nbr, n)
	for _, e := range l.edges {
		nb[e.I] = append(nb[e.I], nbr{e.J, e.Order})
		nb[e.J] = append(nb[e.J], nbr{e.I, e.Order})
	}
	sig := make([]string, n) // degree by order: a site can only map to a site of the same signature
	for i := range nb {
		sort.Slice(nb[i], func(a, b int) bool { return nb[i][a].j < nb[i][b].j })
		count := map[int]int{}
		for _, x := range nb[i] {
			count[x.order]++
		}
		sig[i] = fmt.Sprint(count)
	}
	// Breadth-first order; parent[v] is the site through which v was
	// reached (−1 for the first site of a component).
	order := make([]int, 0, n)
	parent := make([]int, n)
	seen := make([]bool, n)
	for s := 0; s < n; s++ {
		if seen[s] {
			continue
		}
		seen[s], parent[s] = true, -1
		order = append(order, s)
		for q := len(order) - 1; q < len(order); q++ {
			for _, x := range nb[order[q]] {
				if !seen[x.j] {
					seen[x.j], parent[x.j] = true, order[q]
					order = append(order, x.j)
				}
			}
		}
	}
	img := make([]int, n) // img[v] = g(v), −1 if not assigned
	pre := make([]int, n) // pre[w] = g⁻¹(w), −1 if w is not an image yet
	for i := range img {
		img[i], pre[i] = -1, -1
	}
	var out [][]int
	// fits reports whether v → w keeps every bond between v and the sites
	// assigned so far, in both directions and with its order.
	fits := func(v, w int) bool {
		if pre[w] >= 0 || sig[v] != sig[w] {
			return false
		}
		for _, x := range nb[v] {
			if img[x.j] >= 0 && orderOf(nb[w], img[x.j]) != x.order {
				return false
			}
		}
		for _, y := range nb[w] {
			if pre[y.j] >= 0 && orderOf(nb[v], pre[y.j]) != y.order {
				return false
			}
		}
		return true
	}
	// A budget on the candidate images tried: lattices need about
	// |G|·N·degree; a graph built to defeat the search gets an error, not
	// an endless run.
	budget := 1 << 26
	var search func(k int) error
	search = func(k int) error {
		if k == n {
			if len(out) >= limit {
				return fmt.Errorf("%w: more than %d elements", ErrTooManyAutomorphisms, limit)
			}
			out = append(out, append([]int(nil), img...))
			return nil
		}
		v := order[k]
		try := func(w int) error {
			if budget--; budget < 0 {
				return fmt.Errorf("%w: the search gave up after 2^26 candidate images", ErrTooManyAutomorphisms)
			}
			if !fits(v, w) {
				return nil
			}
			img[v], pre[w] = w, v
			err := search(k + 1)
			img[v], pre[w] = -1, -1
			return err
		}
		if p := parent[v]; p >= 0 {
			for _, y := range nb[img[p]] {
				if err := try(y.j); err != nil {
					return err
				}
			}
			return nil
		}
		for w := 0; w < n; w++ {
			if err := try(w); err != nil {
				return err
			}
		}
		return nil
	}
	if err := search(0); err != nil {
		return nil, err
	}
	sort.Slice(out, func(a, b int) bool {
		for i := range out[a] {
			if out[a][i] != out[b][i] {
				return out[a][i] < out[b][i]
			}
		}
		return false
	})
	return out, nil
}

type nbr struct{ j, order int }

// orderOf returns the order of the edge to j in the sorted list s, or 0.
func orderOf(s []nbr, j int) int {
	k := sort.Search(len(s), func(k int) bool { return s[k].j >= j })
	if k < len(s) && s[k].j == j {
		return s[k].order
	}
	return 0
}
