package run

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/lattice"
)

// buildTermsOp builds the operator of kind = "terms" and resolves its sign
// rule: true is refused unless the lattice is bipartite, the elements real
// and the rotated terms stoquastic (the rule exact); "auto" applies it
// exactly then, when the terms are not stoquastic already.
func buildTermsOp(c *config.Config, l *lattice.Lattice) (op *hamiltonian.Terms, sign bool, units hamiltonian.Units, err error) {
	h := c.Hamiltonian
	units = hamiltonian.Pauli
	if h.Units != "" {
		if units, err = hamiltonian.ParseUnits(h.Units); err != nil {
			return nil, false, "", keyErr("hamiltonian.units", "want \"spin\" or \"pauli\", got %q", h.Units)
		}
	}
	for _, k := range []struct {
		key   string
		set   bool
		value float64
	}{{"J", h.J != 1, h.J}, {"J2", h.J2 != 0, h.J2}, {"delta", h.Delta != 1, h.Delta}, {"h", h.H != 0, h.H}} {
		if k.set {
			return nil, false, "", keyErr("hamiltonian."+k.key, "applies to ising and heisenberg; with kind = \"terms\" write every coupling as a [[hamiltonian.terms]] entry")
		}
	}
	if len(h.Terms) == 0 {
		return nil, false, "", keyErr("hamiltonian.terms", "kind = \"terms\" needs at least one [[hamiltonian.terms]] entry")
	}
	var terms []hamiltonian.Term
	for k, tc := range h.Terms {
		ts, err := expandTerm(fmt.Sprintf("hamiltonian.terms[%d]", k), tc, l)
		if err != nil {
			return nil, false, "", err
		}
		terms = append(terms, ts...)
	}
	op, err = hamiltonian.NewTerms(l.NumSites(), terms, units)
	if err != nil {
		return nil, false, "", keyErr("hamiltonian.terms", "%s", strings.TrimPrefix(err.Error(), "hamiltonian: "))
	}
	sub, bip := l.Bipartite()
	switch v := h.SignRule.(type) {
	case bool:
		if !v {
			return op, false, units, nil
		}
		switch {
		case !bip:
			return nil, false, "", keyErr("hamiltonian.sign_rule", "the Marshall sign rule needs a bipartite lattice; %v is not (use \"auto\" or false)", l)
		case !op.IsReal():
			return nil, false, "", keyErr("hamiltonian.sign_rule", "the terms have complex matrix elements: a sign rule cannot make them stoquastic (use false)")
		case !op.SignRotated(sub).Stoquastic():
			return nil, false, "", keyErr("hamiltonian.sign_rule", "the Marshall sign rule does not make these terms stoquastic (an off-diagonal element stays positive), so it is not exact here (use \"auto\" or false)")
		}
		return op.SignRotated(sub), true, units, nil
	case string:
		if v != "auto" {
			return nil, false, "", keyErr("hamiltonian.sign_rule", "want \"auto\", true or false, got %q", v)
		}
		if bip && op.IsReal() && !op.Stoquastic() && op.SignRotated(sub).Stoquastic() {
			return op.SignRotated(sub), true, units, nil
		}
		return op, false, units, nil
	default:
		return nil, false, "", keyErr("hamiltonian.sign_rule", "want \"auto\", true or false, got %v", v)
	}
}

// expandTerm turns one [[hamiltonian.terms]] table into terms on site
// tuples.
func expandTerm(key string, tc config.TermConfig, l *lattice.Lattice) ([]hamiltonian.Term, error) {
	n := l.NumSites()
	op := tc.Op
	if op == "" {
		return nil, keyErr(key+".op", "required: one letter per site, from x, y, z, + and - (e.g. \"zz\", \"+-\", \"zxz\")")
	}
	for _, r := range op {
		if !strings.ContainsRune("xyz+-", r) {
			return nil, keyErr(key+".op", "unknown letter %q in %q: want x, y, z, + or -", r, op)
		}
	}
	coupling, err := parseCoupling(key+".coupling", tc.Coupling)
	if err != nil {
		return nil, err
	}
	where := 0
	for _, set := range []bool{tc.Bonds != 0, len(tc.Sites) > 0, tc.Plaquettes != ""} {
		if set {
			where++
		}
	}
	if where > 1 {
		return nil, keyErr(key, "give one of bonds, sites and plaquettes, not several")
	}
	if len(tc.Direction) > 0 && tc.Bonds == 0 {
		return nil, keyErr(key+".direction", "applies to bonds only")
	}
	if tc.Translate && len(tc.Sites) == 0 {
		return nil, keyErr(key+".translate", "applies to sites only")
	}
	var tuples [][]int
	switch {
	case tc.Bonds != 0:
		if len(op) != 2 {
			return nil, keyErr(key+".op", "bonds need an operator on two sites, got %q", op)
		}
		if tc.Bonds < 0 {
			return nil, keyErr(key+".bonds", "want a neighbour order (1, 2, ...), got %d", tc.Bonds)
		}
		edges := l.EdgesOfOrder(tc.Bonds)
		if len(edges) == 0 {
			return nil, keyErr(key+".bonds", "%v has no bonds of order %d", l, tc.Bonds)
		}
		if len(tc.Direction) > 0 && l.Kind() == lattice.Custom {
			return nil, keyErr(key+".direction", "a custom lattice has no positions; list the bonds with sites")
		}
		if len(tc.Direction) > 0 && len(tc.Direction) != l.Dim() {
			return nil, keyErr(key+".direction", "want a vector with %d component(s), one per lattice direction, got %v", l.Dim(), tc.Direction)
		}
		for _, e := range edges {
			t := []int{e.I, e.J}
			if len(tc.Direction) > 0 {
				cos := cosine(l.BondVector(e.I, e.J), tc.Direction)
				if math.Abs(cos) < 1-1e-6 {
					continue
				}
				if cos < 0 { // orient the tuple along the direction
					t[0], t[1] = t[1], t[0]
				}
			}
			tuples = append(tuples, t)
		}
		if len(tuples) == 0 {
			return nil, keyErr(key+".direction", "no bond of order %d of %v is parallel to %v", tc.Bonds, l, tc.Direction)
		}
	case len(tc.Sites) > 0:
		for k, t := range tc.Sites {
			if len(t) != len(op) {
				return nil, keyErr(key+".sites", "tuple %d has %d sites for the %d letters of %q", k, len(t), len(op), op)
			}
			for _, i := range t {
				if i < 0 || i >= n {
					return nil, keyErr(key+".sites", "site %d of tuple %d is outside 0..%d", i, k, n-1)
				}
			}
			for a := range t {
				if slices.Contains(t[a+1:], t[a]) {
					return nil, keyErr(key+".sites", "tuple %d lists site %d twice", k, t[a])
				}
			}
		}
		tuples = tc.Sites
		if tc.Translate {
			if l.Kind() == lattice.Custom {
				return nil, keyErr(key+".translate", "a custom lattice has no translations; list every tuple")
			}
			tuples = translated(tc.Sites, op, l.Translations())
		}
	case tc.Plaquettes != "":
		if len(op) != 4 {
			return nil, keyErr(key+".op", "plaquettes need an operator on four sites, got %q", op)
		}
		var err error
		if tuples, err = plaquettes(key+".plaquettes", tc.Plaquettes, l); err != nil {
			return nil, err
		}
	default:
		if len(op) != 1 {
			return nil, keyErr(key, "say where %q acts: bonds, sites or plaquettes (only a one-letter operator acts on every site by default)", op)
		}
		for i := range n {
			tuples = append(tuples, []int{i})
		}
	}
	if tc.Sublattice != nil {
		if l.Kind() == lattice.Custom {
			return nil, keyErr(key+".sublattice", "a custom lattice has no unit cell; list the tuples with sites")
		}
		cells := 1
		for _, e := range l.Extent() {
			cells *= e
		}
		nb := n / cells
		s := *tc.Sublattice
		if s < 0 || s >= nb {
			return nil, keyErr(key+".sublattice", "want a site of the unit cell, 0..%d, got %d", nb-1, s)
		}
		var keep [][]int
		for _, t := range tuples {
			if t[0]%nb == s {
				keep = append(keep, t)
			}
		}
		tuples = keep
	}
	var sub []int8
	if tc.Staggered {
		var ok bool
		if sub, ok = l.Bipartite(); !ok {
			return nil, keyErr(key+".staggered", "needs a bipartite lattice; %v is not", l)
		}
	}
	out := make([]hamiltonian.Term, 0, len(tuples))
	for _, t := range tuples {
		c := coupling
		if sub != nil && sub[t[0]] == 1 {
			c = -c
		}
		out = append(out, hamiltonian.Term{Op: op, Sites: t, Coupling: c})
	}
	return out, nil
}

func parseCoupling(key string, v any) (complex128, error) {
	num := func(x any) (float64, bool) {
		switch y := x.(type) {
		case float64:
			return y, true
		case int64:
			return float64(y), true
		}
		return 0, false
	}
	var c complex128
	switch y := v.(type) {
	case nil:
		return 0, keyErr(key, "required: a number, or [re, im] for a complex coupling")
	case []any:
		re, ok1 := 0.0, false
		im, ok2 := 0.0, false
		if len(y) == 2 {
			re, ok1 = num(y[0])
			im, ok2 = num(y[1])
		}
		if !ok1 || !ok2 {
			return 0, keyErr(key, "want a number or [re, im], got %v", v)
		}
		c = complex(re, im)
	default:
		re, ok := num(v)
		if !ok {
			return 0, keyErr(key, "want a number or [re, im], got %v", v)
		}
		c = complex(re, 0)
	}
	if math.IsNaN(real(c)) || math.IsInf(real(c), 0) || math.IsNaN(imag(c)) || math.IsInf(imag(c), 0) {
		return 0, keyErr(key, "want a finite number, got %v", v)
	}
	return c, nil
}

func cosine(a, b []float64) float64 {
	var ab, aa, bb float64
	for k := range a {
		ab += a[k] * b[k]
		aa += a[k] * a[k]
		bb += b[k] * b[k]
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// translated returns every image of the tuples under the translations,
// once each: two images are the same when they put the same letters on
// the same sites.
func translated(tuples [][]int, op string, perms [][]int) [][]int {
	seen := map[string]bool{}
	var out [][]int
	for _, t := range tuples {
		for _, g := range perms {
			u := make([]int, len(t))
			pairs := make([]string, len(t))
			for k, i := range t {
				u[k] = g[i]
				pairs[k] = fmt.Sprintf("%d%c", u[k], op[k])
			}
			slices.Sort(pairs)
			key := strings.Join(pairs, ",")
			if !seen[key] {
				seen[key] = true
				out = append(out, u)
			}
		}
	}
	return out
}

// plaquettes returns the unit squares of a square lattice, each as its
// corners (x,y), (x+1,y), (x+1,y+1), (x,y+1), counter-clockwise: all of
// them, or those with x+y even or odd (a checkerboard).
func plaquettes(key, which string, l *lattice.Lattice) ([][]int, error) {
	if err := config.OneOf(key, which, "all", "even", "odd"); err != nil {
		return nil, err
	}
	if l.Kind() != lattice.Square {
		return nil, keyErr(key, "needs a square lattice, got %v", l)
	}
	ext, pbc := l.Extent(), l.PBC()
	if len(pbc) == 1 {
		pbc = []bool{pbc[0], pbc[0]}
	}
	lx, ly := ext[0], ext[1]
	if lx < 2 || ly < 2 {
		return nil, keyErr(key, "needs at least 2×2 cells, got %d×%d", lx, ly)
	}
	if which != "all" && ((pbc[0] && lx%2 == 1) || (pbc[1] && ly%2 == 1)) {
		return nil, keyErr(key, "%q needs even periodic extents (a checkerboard), got %d×%d", which, lx, ly)
	}
	site := func(x, y int) int { return x%lx + (y%ly)*lx }
	var out [][]int
	for y := range ly {
		for x := range lx {
			if (!pbc[0] && x == lx-1) || (!pbc[1] && y == ly-1) {
				continue
			}
			if (which == "even" && (x+y)%2 != 0) || (which == "odd" && (x+y)%2 != 1) {
				continue
			}
			t := []int{site(x, y), site(x+1, y), site(x+1, y+1), site(x, y+1)}
			if slices.Contains(t[1:], t[0]) {
				continue
			}
			out = append(out, t)
		}
	}
	return out, nil
}
