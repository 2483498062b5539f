package hamiltonian

import (
	"fmt"
	"math"
	"math/cmplx"
	"slices"
	"sort"
	"strings"
)

// ComplexOperator is an Operator whose matrix elements may be complex. When
// IsReal reports false, Connected must not be called (it panics); consumers
// (ed, vmc) check once, when they are built, and use ConnectedComplex, so
// that the loops of real operators are untouched.
type ComplexOperator interface {
	Operator
	// IsReal reports whether every matrix element is real, so that
	// Connected can be used.
	IsReal() bool
	// ConnectedComplex is Connected with complex matrix elements ⟨x|H|x'⟩;
	// the same contract otherwise.
	ConnectedComplex(x []int8, visit func(flips []int, mel complex128))
}

// AsComplex returns op as a ComplexOperator when it has complex matrix
// elements, and false for every operator that Connected describes fully.
func AsComplex(op Operator) (ComplexOperator, bool) {
	c, ok := op.(ComplexOperator)
	if !ok || c.IsReal() {
		return nil, false
	}
	return c, true
}

// Term is one product of single-site operators on a tuple of distinct
// sites, times a coupling:
//
//	Coupling · Π_k Op[k]_{Sites[k]}
//
// Op has one letter per site: 'x', 'y', 'z' (Pauli matrices σ, or S = σ/2
// in spin units) and '+', '-' (σ^± = (σ^x ± iσ^y)/2 = S^±, the same in both
// units: σ^+ raises a down spin).
type Term struct {
	Op       string
	Sites    []int
	Coupling complex128
}

// String writes the term as "c·x0 y3".
func (t Term) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "%v·", t.Coupling)
	for k := range t.Op {
		if k > 0 {
			s.WriteByte(' ')
		}
		fmt.Fprintf(&s, "%c%d", t.Op[k], t.Sites[k])
	}
	return s.String()
}

// Terms is a general spin-1/2 Hamiltonian, a sum of Terms. Every term is
// expanded once, at construction, into the operator basis {1, σ^z, σ^+,
// σ^-} on every site, in which strings are linearly independent: equal
// strings are merged, cancellations are exact (σ^xσ^x + σ^yσ^y has no
// σ^+σ^+ part), and Hermiticity, S^z conservation, reality and
// stoquasticity are read off the coefficients. Connected then visits one
// element per flipped site set, ordered by first appearance in the term
// list.
type Terms struct {
	n      int
	units  Units
	terms  []Term
	canon  []pstring      // the expansion, in order of first appearance
	index  map[string]int // canonical key → position in canon
	groups []tgroup       // groups[0] is the diagonal
	real   bool
	sub    []int8 // sublattice of the sign rule applied, or nil
}

// pstring is a string of σ^z, σ^+, σ^- on sorted sites with a coefficient.
type pstring struct {
	sites []int
	ops   []byte // 'z', '+', '-'
	c     complex128
}

func (p *pstring) key() string {
	var s strings.Builder
	for k, i := range p.sites {
		fmt.Fprintf(&s, "%c%d,", p.ops[k], i)
	}
	return s.String()
}

// tgroup holds the strings that flip one site set: rows[b] holds those
// whose ± pattern matches the row configuration with bits b (bit k set when
// site flips[k] is up), as monomials Π σ^z.
type tgroup struct {
	flips []int
	rows  [][]mono
}

type mono struct {
	sites []int
	re    float64
	c     complex128
}

// maxFlips bounds the number of flipped sites of one string: the row
// table of a group has 2^len(flips) entries.
const maxFlips = 16

// NewTerms returns the sum of terms on n sites in the given units (Pauli
// when empty). It returns an error for a malformed term (unknown letter,
// site out of range or repeated in a tuple, length mismatch, non-finite
// coupling) and when the sum is not Hermitian, naming the offending
// string and its adjoint.
func NewTerms(n int, terms []Term, units Units) (*Terms, error) {
	if units == "" {
		units = Pauli
	}
	if _, err := ParseUnits(string(units)); err != nil {
		return nil, fmt.Errorf("hamiltonian: %w", err)
	}
	m := &Terms{n: n, units: units, index: map[string]int{}}
	scale := 1.0
	if units == Spin {
		scale = 0.5
	}
	for k, t := range terms {
		if err := checkTerm(n, t); err != nil {
			return nil, fmt.Errorf("hamiltonian: term %d (%v): %w", k, t, err)
		}
		if t.Coupling == 0 {
			continue
		}
		m.terms = append(m.terms, Term{Op: t.Op, Sites: slices.Clone(t.Sites), Coupling: t.Coupling})
		m.expand(t, scale)
	}
	var maxAbs float64
	for _, p := range m.canon {
		maxAbs = math.Max(maxAbs, cmplx.Abs(p.c))
	}
	tol := 1e-13 * maxAbs
	for k := range m.canon {
		p := &m.canon[k]
		if cmplx.Abs(p.c) <= tol {
			p.c = 0
		}
	}
	for k := range m.canon {
		p := &m.canon[k]
		if p.c == 0 {
			continue
		}
		adj := pstring{sites: p.sites, ops: adjointOps(p.ops)}
		var ca complex128
		if j, ok := m.index[adj.key()]; ok {
			ca = m.canon[j].c
		}
		if cmplx.Abs(p.c-cmplx.Conj(ca)) > 1e-12*maxAbs {
			return nil, fmt.Errorf("hamiltonian: the terms are not Hermitian: %s has coefficient %v but its adjoint %s has %v; add the Hermitian conjugate term",
				p.describe(), p.c, adj.describe(), ca)
		}
	}
	m.real = true
	for _, p := range m.canon {
		if imag(p.c) != 0 {
			// The expansion of a Hermitian sum may leave rounding in the
			// imaginary parts of real elements; they are real when tiny.
			if math.Abs(imag(p.c)) > 1e-13*maxAbs {
				m.real = false
			}
		}
	}
	if m.real {
		for k := range m.canon {
			m.canon[k].c = complex(real(m.canon[k].c), 0)
		}
	}
	m.build()
	return m, nil
}

func checkTerm(n int, t Term) error {
	if len(t.Op) == 0 {
		return fmt.Errorf("empty operator string")
	}
	if len(t.Op) != len(t.Sites) {
		return fmt.Errorf("operator %q has %d letters for %d sites", t.Op, len(t.Op), len(t.Sites))
	}
	for k := range t.Op {
		if !strings.ContainsRune("xyz+-", rune(t.Op[k])) {
			return fmt.Errorf("unknown operator %q in %q (want x, y, z, + or -)", t.Op[k], t.Op)
		}
	}
	seen := map[int]bool{}
	for _, i := range t.Sites {
		if i < 0 || i >= n {
			return fmt.Errorf("site %d outside 0..%d", i, n-1)
		}
		if seen[i] {
			return fmt.Errorf("site %d appears twice", i)
		}
		seen[i] = true
	}
	if c := t.Coupling; math.IsNaN(real(c)) || math.IsNaN(imag(c)) || math.IsInf(real(c), 0) || math.IsInf(imag(c), 0) {
		return fmt.Errorf("coupling %v is not finite", c)
	}
	return nil
}

func adjointOps(ops []byte) []byte {
	out := make([]byte, len(ops))
	for k, o := range ops {
		switch o {
		case '+':
			o = '-'
		case '-':
			o = '+'
		}
		out[k] = o
	}
	return out
}

func (p *pstring) describe() string {
	if len(p.sites) == 0 {
		return "the constant"
	}
	var s strings.Builder
	for k, i := range p.sites {
		if k > 0 {
			s.WriteByte(' ')
		}
		fmt.Fprintf(&s, "σ%c_%d", p.ops[k], i)
	}
	return s.String()
}

// expand adds the {z, +, -} expansion of t, with x, y, z scaled by scale:
//
//	σ^x = σ^+ + σ^-,   σ^y = −i σ^+ + i σ^-.
func (m *Terms) expand(t Term, scale float64) {
	type factor struct {
		site int
		ops  []byte
		cs   []complex128
	}
	fs := make([]factor, len(t.Op))
	c0 := t.Coupling
	for k := range t.Op {
		f := factor{site: t.Sites[k]}
		switch t.Op[k] {
		case 'x':
			f.ops, f.cs = []byte{'+', '-'}, []complex128{complex(scale, 0), complex(scale, 0)}
		case 'y':
			f.ops, f.cs = []byte{'+', '-'}, []complex128{complex(0, -scale), complex(0, scale)}
		case 'z':
			f.ops, f.cs = []byte{'z'}, []complex128{complex(scale, 0)}
		default:
			f.ops, f.cs = []byte{t.Op[k]}, []complex128{1}
		}
		fs[k] = f
	}
	sort.Slice(fs, func(a, b int) bool { return fs[a].site < fs[b].site })
	sites := make([]int, len(fs))
	for k := range fs {
		sites[k] = fs[k].site
	}
	choice := make([]int, len(fs))
	for {
		ops := make([]byte, len(fs))
		c := c0
		for k := range fs {
			ops[k] = fs[k].ops[choice[k]]
			c *= fs[k].cs[choice[k]]
		}
		m.add(pstring{sites: sites, ops: ops, c: c})
		k := 0
		for ; k < len(fs); k++ {
			choice[k]++
			if choice[k] < len(fs[k].ops) {
				break
			}
			choice[k] = 0
		}
		if k == len(fs) {
			return
		}
	}
}

func (m *Terms) add(p pstring) {
	key := p.key()
	if j, ok := m.index[key]; ok {
		m.canon[j].c += p.c
		return
	}
	m.index[key] = len(m.canon)
	m.canon = append(m.canon, p)
}

// build groups the strings by flipped site set into the tables of
// Connected.
func (m *Terms) build() {
	m.groups = []tgroup{{rows: make([][]mono, 1)}}
	where := map[string]int{"": 0}
	for k := range m.canon {
		p := &m.canon[k]
		if p.c == 0 {
			continue
		}
		var flips, zs []int
		bits := 0
		for j, i := range p.sites {
			switch p.ops[j] {
			case 'z':
				zs = append(zs, i)
			case '+': // ⟨x|σ^+|x'⟩ ≠ 0 needs x_i up
				bits |= 1 << len(flips)
				flips = append(flips, i)
			default:
				flips = append(flips, i)
			}
		}
		if len(flips) > maxFlips {
			panic(fmt.Sprintf("hamiltonian: a term flips %d sites, more than %d", len(flips), maxFlips))
		}
		key := fmt.Sprint(flips)
		if len(flips) == 0 {
			key = ""
		}
		g, ok := where[key]
		if !ok {
			g = len(m.groups)
			where[key] = g
			m.groups = append(m.groups, tgroup{flips: flips, rows: make([][]mono, 1<<len(flips))})
		}
		m.groups[g].rows[bits] = append(m.groups[g].rows[bits], mono{sites: zs, re: real(p.c), c: p.c})
	}
}

// NumSites returns N.
func (m *Terms) NumSites() int { return m.n }

// MaxConnected returns 1 + the number of distinct flipped site sets.
func (m *Terms) MaxConnected() int { return len(m.groups) }

// Units returns the normalization of x, y, z.
func (m *Terms) Units() Units { return m.units }

// IsReal reports whether every matrix element is real.
func (m *Terms) IsReal() bool { return m.real }

// List returns the terms as given (zero couplings dropped). The caller
// must not modify them.
func (m *Terms) List() []Term { return m.terms }

// Connected implements Operator. It panics when the operator has complex
// elements (see IsReal and ConnectedComplex).
func (m *Terms) Connected(x []int8, visit func(flips []int, mel float64)) {
	if !m.real {
		panic("hamiltonian: Connected on an operator with complex matrix elements; use ConnectedComplex")
	}
	for gi := range m.groups {
		g := &m.groups[gi]
		b := 0
		for k, i := range g.flips {
			if x[i] > 0 {
				b |= 1 << k
			}
		}
		var v float64
		for _, t := range g.rows[b] {
			s := int8(1)
			for _, i := range t.sites {
				s *= x[i]
			}
			v += t.re * float64(s)
		}
		if gi == 0 {
			visit(nil, v)
		} else if v != 0 {
			visit(g.flips, v)
		}
	}
}

// ConnectedComplex implements ComplexOperator.
func (m *Terms) ConnectedComplex(x []int8, visit func(flips []int, mel complex128)) {
	for gi := range m.groups {
		g := &m.groups[gi]
		b := 0
		for k, i := range g.flips {
			if x[i] > 0 {
				b |= 1 << k
			}
		}
		var v complex128
		for _, t := range g.rows[b] {
			s := int8(1)
			for _, i := range t.sites {
				s *= x[i]
			}
			if s > 0 {
				v += t.c
			} else {
				v -= t.c
			}
		}
		if gi == 0 {
			visit(nil, v)
		} else if v != 0 {
			visit(g.flips, v)
		}
	}
}

// ConservesSz reports whether every string raises as many spins as it
// lowers, so that H commutes with S^z_tot.
func (m *Terms) ConservesSz() bool {
	for _, p := range m.canon {
		if p.c == 0 {
			continue
		}
		d := 0
		for _, o := range p.ops {
			switch o {
			case '+':
				d++
			case '-':
				d--
			}
		}
		if d != 0 {
			return false
		}
	}
	return true
}

// Stoquastic reports whether every off-diagonal element is real and ≤ 0
// in the σ^z basis (after the sign rule, if applied). Each element is a
// polynomial in the σ^z of the sites its strings touch; it is checked on
// every configuration of those sites when they are at most 16, and by the
// sufficient bound c_0 + Σ|c_m| ≤ 0 otherwise (which may answer false for
// a stoquastic operator).
func (m *Terms) Stoquastic() bool {
	if !m.real {
		return false
	}
	for _, g := range m.groups[1:] {
		for _, row := range g.rows {
			if !nonPositive(row) {
				return false
			}
		}
	}
	return true
}

func nonPositive(row []mono) bool {
	var sites []int
	for _, t := range row {
		for _, i := range t.sites {
			if !slices.Contains(sites, i) {
				sites = append(sites, i)
			}
		}
	}
	if len(sites) > 16 {
		var b float64
		for _, t := range row {
			if len(t.sites) == 0 {
				b += t.re
			} else {
				b += math.Abs(t.re)
			}
		}
		return b <= 0
	}
	x := map[int]int8{}
	for v := 0; v < 1<<len(sites); v++ {
		for k, i := range sites {
			x[i] = int8(2*(v>>k&1) - 1)
		}
		var e float64
		for _, t := range row {
			s := 1.0
			for _, i := range t.sites {
				s *= float64(x[i])
			}
			e += t.re * s
		}
		if e > 0 {
			return false
		}
	}
	return true
}

// SignRotated returns the operator conjugated by the sign rule U = Π_{i: sub_i = 1} σ^z_i:
// every element that flips an odd number of sites with sub = 1 changes
// sign. The spectrum is unchanged.
func (m *Terms) SignRotated(sub []int8) *Terms {
	if len(sub) != m.n {
		panic("hamiltonian: SignRotated: sublattice length differs from the number of sites")
	}
	r := *m
	r.sub = slices.Clone(sub)
	r.groups = make([]tgroup, len(m.groups))
	for gi, g := range m.groups {
		odd := false
		for _, i := range g.flips {
			if sub[i] == 1 {
				odd = !odd
			}
		}
		ng := tgroup{flips: g.flips, rows: make([][]mono, len(g.rows))}
		for b, row := range g.rows {
			for _, t := range row {
				if odd {
					t.re, t.c = -t.re, -t.c
				}
				ng.rows[b] = append(ng.rows[b], t)
			}
		}
		r.groups[gi] = ng
	}
	return &r
}

// SignRule reports whether a sign rule is applied (see SignRotated).
func (m *Terms) SignRule() bool { return m.sub != nil }

// Invariant reports whether the site permutation perm (site i → perm[i])
// maps the operator onto itself: every string onto a string with the same
// coefficient (to 1e-12 relative), with the sign rule included when one is
// applied (the coefficients compared are those of the rotated operator).
func (m *Terms) Invariant(perm []int) bool {
	if len(perm) != m.n {
		panic("hamiltonian: Invariant: permutation length differs from the number of sites")
	}
	sign := func(p *pstring) complex128 {
		if m.sub == nil {
			return 1
		}
		odd := false
		for k, i := range p.sites {
			if p.ops[k] != 'z' && m.sub[i] == 1 {
				odd = !odd
			}
		}
		if odd {
			return -1
		}
		return 1
	}
	var maxAbs float64
	for _, p := range m.canon {
		maxAbs = math.Max(maxAbs, cmplx.Abs(p.c))
	}
	for _, p := range m.canon {
		if p.c == 0 {
			continue
		}
		q := pstring{sites: make([]int, len(p.sites)), ops: make([]byte, len(p.ops))}
		idx := make([]int, len(p.sites))
		for k := range idx {
			idx[k] = k
		}
		sort.Slice(idx, func(a, b int) bool { return perm[p.sites[idx[a]]] < perm[p.sites[idx[b]]] })
		for k, j := range idx {
			q.sites[k], q.ops[k] = perm[p.sites[j]], p.ops[j]
		}
		var c complex128
		if j, ok := m.index[q.key()]; ok {
			c = m.canon[j].c * sign(&q)
		}
		if cmplx.Abs(c-p.c*sign(&p)) > 1e-12*maxAbs {
			return false
		}
	}
	return true
}

// String describes the operator.
func (m *Terms) String() string {
	kind := "real"
	if !m.real {
		kind = "complex"
	}
	s := fmt.Sprintf("%d terms, %s elements (%s units", len(m.terms), kind, m.units)
	if m.sub != nil {
		return s + ", sign rule)"
	}
	return s + ")"
}
