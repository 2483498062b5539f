package lattice

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Edge is a bond between sites I < J with neighbour order Order (1 nearest,
// 2 next-nearest).
type Edge struct {
	I, J  int
	Order int
}

// Kind names a built-in lattice geometry.
type Kind string

// Built-in lattice kinds.
const (
	Chain      Kind = "chain"
	Square     Kind = "square"
	Triangular Kind = "triangular"
	Honeycomb  Kind = "honeycomb"
	Kagome     Kind = "kagome"
	Custom     Kind = "custom"
)

// Kinds lists the accepted values of Kind, in documentation order.
var Kinds = []Kind{Chain, Square, Triangular, Honeycomb, Kagome, Custom}

// Lattice is a finite cluster. It is immutable after construction.
type Lattice struct {
	kind      Kind
	extent    []int
	pbc       []bool
	vectors   [][]float64 // primitive vectors a_d, [dim][dim]
	basis     [][]float64 // basis positions, [nb][dim]
	positions [][]float64 // [N][dim]
	edges     []Edge
	n         int
}

type geometry struct {
	vectors [][]float64
	basis   [][]float64
}

var geometries = map[Kind]geometry{
	Chain:      {vectors: [][]float64{{1}}, basis: [][]float64{{0}}},
	Square:     {vectors: [][]float64{{1, 0}, {0, 1}}, basis: [][]float64{{0, 0}}},
	Triangular: {vectors: [][]float64{{1, 0}, {0.5, math.Sqrt(3) / 2}}, basis: [][]float64{{0, 0}}},
	Honeycomb: {
		vectors: [][]float64{{math.Sqrt(3), 0}, {math.Sqrt(3) / 2, 1.5}},
		basis:   [][]float64{{0, 0}, {math.Sqrt(3) / 2, 0.5}},
	},
	Kagome: {
		vectors: [][]float64{{2, 0}, {1, math.Sqrt(3)}},
		basis:   [][]float64{{0, 0}, {1, 0}, {0.5, math.Sqrt(3) / 2}},
	},
}

// Dim returns the spatial dimension of a built-in kind, or 0 for custom and
// unknown kinds.
func (k Kind) Dim() int {
	g, ok := geometries[k]
	if !ok {
		return 0
	}
	return len(g.vectors)
}

// shellTol is the tolerance for grouping distances into neighbour shells;
// positions are O(1) numbers computed from exact expressions, so 1e-8 is far
// above rounding and far below any shell spacing.
const shellTol = 1e-8

// maxOrder is the largest neighbour order generated for built-in lattices.
const maxOrder = 2

// New builds a built-in lattice of the given kind with extent[d] unit cells
// along direction d and periodic boundaries where pbc[d] is true. A pbc of
// length 1 applies to every direction.
func New(kind Kind, extent []int, pbc []bool) (*Lattice, error) {
	g, ok := geometries[kind]
	if !ok {
		return nil, fmt.Errorf("lattice: unknown kind %q (want one of chain, square, triangular, honeycomb, kagome)", kind)
	}
	dim := len(g.vectors)
	if len(extent) != dim {
		return nil, fmt.Errorf("lattice: %s needs %d extent value(s), got %d", kind, dim, len(extent))
	}
	for d, l := range extent {
		if l < 1 {
			return nil, fmt.Errorf("lattice: extent[%d] = %d, want a positive number of unit cells", d, l)
		}
	}
	switch len(pbc) {
	case dim:
	case 1:
		p := make([]bool, dim)
		for d := range p {
			p[d] = pbc[0]
		}
		pbc = p
	default:
		return nil, fmt.Errorf("lattice: %s needs 1 or %d pbc value(s), got %d", kind, dim, len(pbc))
	}
	ncell := 1
	for _, l := range extent {
		ncell *= l
	}
	nb := len(g.basis)
	n := ncell * nb
	const maxSites = 1 << 20
	if ncell > maxSites/nb {
		return nil, fmt.Errorf("lattice: %d unit cells of %d sites is too large", ncell, nb)
	}
	l := &Lattice{
		kind:    kind,
		extent:  append([]int(nil), extent...),
		pbc:     append([]bool(nil), pbc...),
		vectors: g.vectors,
		basis:   g.basis,
		n:       n,
	}
	l.positions = make([][]float64, n)
	cell := make([]int, dim)
	for c := 0; c < ncell; c++ {
		l.cellCoords(c, cell)
		for b := 0; b < nb; b++ {
			r := make([]float64, dim)
			for k := 0; k < dim; k++ {
				r[k] = g.basis[b][k]
				for d := 0; d < dim; d++ {
					r[k] += float64(cell[d]) * g.vectors[d][k]
				}
			}
			l.positions[c*nb+b] = r
		}
	}
	l.edges = l.buildEdges()
	return l, nil
}

// NewCustom builds a lattice of n sites from an explicit edge list. orders
// gives each edge's neighbour order (nil means all 1). Positions, used only
// for output, place the sites on a line. Duplicate pairs and self-loops are
// errors.
func NewCustom(n int, edges [][2]int, orders []int) (*Lattice, error) {
	if n < 1 {
		return nil, fmt.Errorf("lattice: custom lattice needs sites >= 1, got %d", n)
	}
	if orders != nil && len(orders) != len(edges) {
		return nil, fmt.Errorf("lattice: custom lattice has %d edges but %d orders", len(edges), len(orders))
	}
	seen := make(map[[2]int]bool, len(edges))
	l := &Lattice{kind: Custom, n: n}
	for k, e := range edges {
		i, j := e[0], e[1]
		if i < 0 || i >= n || j < 0 || j >= n {
			return nil, fmt.Errorf("lattice: edges[%d] = [%d, %d] has a site outside 0..%d", k, i, j, n-1)
		}
		if i == j {
			return nil, fmt.Errorf("lattice: edges[%d] = [%d, %d] joins a site to itself", k, i, j)
		}
		if i > j {
			i, j = j, i
		}
		if seen[[2]int{i, j}] {
			return nil, fmt.Errorf("lattice: edges[%d] = [%d, %d] repeats an earlier edge", k, e[0], e[1])
		}
		seen[[2]int{i, j}] = true
		o := 1
		if orders != nil {
			o = orders[k]
			if o < 1 {
				return nil, fmt.Errorf("lattice: orders[%d] = %d, want >= 1", k, o)
			}
		}
		l.edges = append(l.edges, Edge{I: i, J: j, Order: o})
	}
	sortEdges(l.edges)
	l.positions = make([][]float64, n)
	for i := range l.positions {
		l.positions[i] = []float64{float64(i)}
	}
	return l, nil
}

func sortEdges(e []Edge) {
	sort.Slice(e, func(a, b int) bool {
		if e[a].Order != e[b].Order {
			return e[a].Order < e[b].Order
		}
		if e[a].I != e[b].I {
			return e[a].I < e[b].I
		}
		return e[a].J < e[b].J
	})
}

// cellCoords writes the integer coordinates of cell index c into dst.
func (l *Lattice) cellCoords(c int, dst []int) {
	for d, L := range l.extent {
		dst[d] = c % L
		c /= L
	}
}

// cellIndex returns the index of the cell with coordinates n, wrapping
// periodic directions, or -1 when n leaves an open direction.
func (l *Lattice) cellIndex(n []int) int {
	c, stride := 0, 1
	for d, L := range l.extent {
		v := n[d]
		if v < 0 || v >= L {
			if !l.pbc[d] {
				return -1
			}
			v = ((v % L) + L) % L
		}
		c += v * stride
		stride *= L
	}
	return c
}

// displacement is a bond of the infinite lattice from basis site b to basis
// site b2 in the cell shifted by dc.
type displacement struct {
	b, b2 int
	dc    []int
	order int
}

// shells returns the bond displacements of the infinite lattice up to
// maxOrder, found by scanning cells within ±2 of the origin (enough for the
// second shell of every built-in kind).
func (l *Lattice) shells() []displacement {
	dim := len(l.vectors)
	nb := len(l.basis)
	const reach = 2
	var cands []displacement
	var dists []float64
	offsets := cartesian(dim, -reach, reach)
	for b := 0; b < nb; b++ {
		for b2 := 0; b2 < nb; b2++ {
			for _, dc := range offsets {
				var s float64
				for k := 0; k < dim; k++ {
					x := l.basis[b2][k] - l.basis[b][k]
					for d := 0; d < dim; d++ {
						x += float64(dc[d]) * l.vectors[d][k]
					}
					s += x * x
				}
				r := math.Sqrt(s)
				if r < shellTol {
					continue
				}
				cands = append(cands, displacement{b: b, b2: b2, dc: dc})
				dists = append(dists, r)
			}
		}
	}
	uniq := append([]float64(nil), dists...)
	sort.Float64s(uniq)
	var shell []float64
	for _, r := range uniq {
		if len(shell) == 0 || r-shell[len(shell)-1] > shellTol {
			shell = append(shell, r)
		}
		if len(shell) > maxOrder {
			break
		}
	}
	var out []displacement
	for k, c := range cands {
		for o := 0; o < maxOrder && o < len(shell); o++ {
			if math.Abs(dists[k]-shell[o]) <= shellTol {
				c.order = o + 1
				out = append(out, c)
			}
		}
	}
	return out
}

func (l *Lattice) buildEdges() []Edge {
	dim := len(l.vectors)
	nb := len(l.basis)
	disps := l.shells()
	best := make(map[[2]int]int)
	cell := make([]int, dim)
	tgt := make([]int, dim)
	ncell := l.n / nb
	for c := 0; c < ncell; c++ {
		l.cellCoords(c, cell)
		for _, dp := range disps {
			for d := range tgt {
				tgt[d] = cell[d] + dp.dc[d]
			}
			c2 := l.cellIndex(tgt)
			if c2 < 0 {
				continue
			}
			i, j := c*nb+dp.b, c2*nb+dp.b2
			if i == j {
				continue
			}
			if i > j {
				i, j = j, i
			}
			key := [2]int{i, j}
			if o, ok := best[key]; !ok || dp.order < o {
				best[key] = dp.order
			}
		}
	}
	edges := make([]Edge, 0, len(best))
	for k, o := range best {
		edges = append(edges, Edge{I: k[0], J: k[1], Order: o})
	}
	sortEdges(edges)
	return edges
}

// cartesian returns all integer vectors of length dim with entries in
// [lo, hi], in lexicographic order.
func cartesian(dim, lo, hi int) [][]int {
	out := [][]int{{}}
	for d := 0; d < dim; d++ {
		var next [][]int
		for _, p := range out {
			for v := lo; v <= hi; v++ {
				q := append(append([]int(nil), p...), v)
				next = append(next, q)
			}
		}
		out = next
	}
	return out
}

// Kind returns the lattice kind.
func (l *Lattice) Kind() Kind { return l.kind }

// NumSites returns the number of sites N.
func (l *Lattice) NumSites() int { return l.n }

// Dim returns the spatial dimension (1 for custom lattices).
func (l *Lattice) Dim() int {
	if l.kind == Custom {
		return 1
	}
	return len(l.vectors)
}

// Extent returns the number of unit cells per direction (nil for custom).
func (l *Lattice) Extent() []int { return append([]int(nil), l.extent...) }

// PBC returns the boundary condition per direction (nil for custom).
func (l *Lattice) PBC() []bool { return append([]bool(nil), l.pbc...) }

// Position returns the position of site i. The caller must not modify it.
func (l *Lattice) Position(i int) []float64 { return l.positions[i] }

// Edges returns all edges sorted by order, then by sites. The caller must
// not modify the result.
func (l *Lattice) Edges() []Edge { return l.edges }

// EdgesOfOrder returns the edges of the given neighbour order.
func (l *Lattice) EdgesOfOrder(order int) []Edge {
	var out []Edge
	for _, e := range l.edges {
		if e.Order == order {
			out = append(out, e)
		}
	}
	return out
}

// MaxOrder returns the largest edge order present (0 without edges).
func (l *Lattice) MaxOrder() int {
	m := 0
	for _, e := range l.edges {
		if e.Order > m {
			m = e.Order
		}
	}
	return m
}

// Bipartite reports whether the graph of order-1 edges is two-colourable and,
// if so, returns the sublattice (0 or 1) of every site; site 0 of every
// connected component is on sublattice 0.
func (l *Lattice) Bipartite() (sub []int8, ok bool) {
	adj := make([][]int, l.n)
	for _, e := range l.edges {
		if e.Order != 1 {
			continue
		}
		adj[e.I] = append(adj[e.I], e.J)
		adj[e.J] = append(adj[e.J], e.I)
	}
	sub = make([]int8, l.n)
	seen := make([]bool, l.n)
	queue := make([]int, 0, l.n)
	for s := 0; s < l.n; s++ {
		if seen[s] {
			continue
		}
		seen[s] = true
		queue = append(queue[:0], s)
		for len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			for _, j := range adj[i] {
				if !seen[j] {
					seen[j] = true
					sub[j] = 1 - sub[i]
					queue = append(queue, j)
				} else if sub[j] == sub[i] {
					return nil, false
				}
			}
		}
	}
	return sub, true
}

// Translations returns the translation group of the cluster as site
// permutations: t[g][i] is the image of site i under translation g. The
// identity comes first. Only periodic directions contribute translations;
// custom lattices have the identity only.
func (l *Lattice) Translations() [][]int {
	id := make([]int, l.n)
	for i := range id {
		id[i] = i
	}
	if l.kind == Custom {
		return [][]int{id}
	}
	dim := len(l.extent)
	nb := len(l.basis)
	ncell := l.n / nb
	var shifts [][]int
	shifts = [][]int{{}}
	for d := 0; d < dim; d++ {
		var next [][]int
		m := 1
		if l.pbc[d] {
			m = l.extent[d]
		}
		for _, s := range shifts {
			for v := 0; v < m; v++ {
				next = append(next, append(append([]int(nil), s...), v))
			}
		}
		shifts = next
	}
	// Order shifts with the first direction fastest, matching cell order.
	sort.SliceStable(shifts, func(a, b int) bool {
		for d := dim - 1; d >= 0; d-- {
			if shifts[a][d] != shifts[b][d] {
				return shifts[a][d] < shifts[b][d]
			}
		}
		return false
	})
	out := make([][]int, 0, len(shifts))
	cell := make([]int, dim)
	tgt := make([]int, dim)
	for _, s := range shifts {
		p := make([]int, l.n)
		for c := 0; c < ncell; c++ {
			l.cellCoords(c, cell)
			for d := range tgt {
				tgt[d] = cell[d] + s[d]
			}
			c2 := l.cellIndex(tgt)
			for b := 0; b < nb; b++ {
				p[c*nb+b] = c2*nb + b
			}
		}
		out = append(out, p)
	}
	return out
}

// Momenta returns the allowed wave vectors of the cluster, k = Σ_d (m_d/L_d) b_d
// with reciprocal vectors a_d·b_e = 2π δ_de and m_d = 0..L_d-1 along periodic
// directions (m_d = 0 along open ones). Custom lattices return k = 0 only.
func (l *Lattice) Momenta() [][]float64 {
	if l.kind == Custom {
		return [][]float64{{0}}
	}
	dim := len(l.vectors)
	rec := reciprocal(l.vectors)
	ms := [][]int{{}}
	for d := 0; d < dim; d++ {
		m := 1
		if l.pbc[d] {
			m = l.extent[d]
		}
		var next [][]int
		for _, p := range ms {
			for v := 0; v < m; v++ {
				next = append(next, append(append([]int(nil), p...), v))
			}
		}
		ms = next
	}
	out := make([][]float64, len(ms))
	for a, m := range ms {
		k := make([]float64, dim)
		for d := 0; d < dim; d++ {
			f := float64(m[d]) / float64(l.extent[d])
			for c := 0; c < dim; c++ {
				k[c] += f * rec[d][c]
			}
		}
		out[a] = k
	}
	return out
}

// reciprocal returns b_d with a_d·b_e = 2π δ_de for dim 1 or 2.
func reciprocal(a [][]float64) [][]float64 {
	switch len(a) {
	case 1:
		return [][]float64{{2 * math.Pi / a[0][0]}}
	case 2:
		det := a[0][0]*a[1][1] - a[0][1]*a[1][0]
		f := 2 * math.Pi / det
		return [][]float64{{f * a[1][1], -f * a[1][0]}, {-f * a[0][1], f * a[0][0]}}
	}
	panic("lattice: reciprocal vectors only for dimension 1 and 2")
}

// String describes the lattice in one line, e.g. "square 4×4 PBC (16 sites, 32 edges)".
func (l *Lattice) String() string {
	if l.kind == Custom {
		return fmt.Sprintf("custom (%d sites, %d edges)", l.n, len(l.edges))
	}
	s := string(l.kind) + " "
	for d, e := range l.extent {
		if d > 0 {
			s += "×"
		}
		s += fmt.Sprint(e)
	}
	bc := ""
	for d, p := range l.pbc {
		if d > 0 {
			bc += ","
		}
		if p {
			bc += "PBC"
		} else {
			bc += "OBC"
		}
	}
	return fmt.Sprintf("%s %s (%d sites, %d edges)", s, bc, l.n, len(l.edges))
}

// PiCharacters returns the characters of the k = π representation of the
// translation group, aligned with Translations(): a translation by m_d
// cells along direction d has the character (−1)^(Σ_d m_d). It is an error
// unless every periodic direction has an even number of cells (k = π is
// then an allowed momentum along each of them). The characters of k = 0
// are all +1.
func (l *Lattice) PiCharacters() ([]int8, error) {
	if l.kind == Custom {
		return nil, errors.New("lattice: a custom lattice has no translations")
	}
	for d, e := range l.extent {
		if l.pbc[d] && e%2 != 0 && e > 1 {
			return nil, fmt.Errorf("lattice: k = π needs an even number of cells along periodic direction %d, got %d", d, e)
		}
	}
	perms := l.Translations()
	chars := make([]int8, len(perms))
	nb := len(l.basis)
	cell := make([]int, len(l.extent))
	for g, perm := range perms {
		// The image of site 0 is the first site of the cell the
		// translation moves the origin to; its coordinates are the shift.
		l.cellCoords(perm[0]/nb, cell)
		parity := 0
		for _, m := range cell {
			parity += m
		}
		chars[g] = 1
		if parity%2 == 1 {
			chars[g] = -1
		}
	}
	return chars, nil
}

// BondVector returns the displacement from site i to site j, r_j − r_i,
// taken at its shortest over the periodic images of the cluster (the
// minimum image; among equal lengths the first found). For a custom lattice
// it returns nil: its sites have no positions in space.
func (l *Lattice) BondVector(i, j int) []float64 {
	if l.kind == Custom {
		return nil
	}
	dim := len(l.vectors)
	best := make([]float64, dim)
	bestLen := math.Inf(1)
	shift := make([]int, dim)
	var try func(d int)
	try = func(d int) {
		if d == dim {
			v := make([]float64, dim)
			var s float64
			for k := range v {
				v[k] = l.positions[j][k] - l.positions[i][k]
				for e := range shift {
					v[k] += float64(shift[e]*l.extent[e]) * l.vectors[e][k]
				}
				s += v[k] * v[k]
			}
			if s < bestLen-shellTol {
				bestLen, best = s, v
			}
			return
		}
		lo, hi := 0, 0
		if l.pbc[d] {
			lo, hi = -1, 1
		}
		for v := lo; v <= hi; v++ {
			shift[d] = v
			try(d + 1)
		}
	}
	try(0)
	return best
}
