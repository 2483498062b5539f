package hamiltonian

import (
	"fmt"
	"strings"

	"github.com/vmc-lattice/vmc/lattice"
)

// Units selects the operator normalization: Pauli matrices σ or spin-1/2
// operators S = σ/2.
type Units string

// Accepted units.
const (
	Pauli Units = "pauli"
	Spin  Units = "spin"
)

// ParseUnits accepts "pauli" and "spin".
func ParseUnits(s string) (Units, error) {
	switch Units(s) {
	case Pauli, Spin:
		return Units(s), nil
	}
	return "", fmt.Errorf("unknown units %q (want \"spin\" or \"pauli\")", s)
}

// SzConserver is implemented by operators that may commute with the total
// magnetization S^z_tot.
type SzConserver interface {
	ConservesSz() bool
}

// Ising is the transverse-field Ising model on the order-1 bonds of a lattice.
//
//	H = -J Σ_<ij> σ^z_i σ^z_j - h Σ_i σ^x_i   (Pauli units)
type Ising struct {
	n      int
	bonds  [][2]int
	zz     float64 // coefficient of x_i x_j in the diagonal element
	field  float64 // off-diagonal element of a single flip
	flips  [][]int
	params IsingParams
}

// IsingParams are the couplings of the transverse-field Ising model.
type IsingParams struct {
	J, H  float64
	Units Units // default Pauli
}

// NewIsing returns the transverse-field Ising model on l.
func NewIsing(l *lattice.Lattice, p IsingParams) (*Ising, error) {
	if p.Units == "" {
		p.Units = Pauli
	}
	if _, err := ParseUnits(string(p.Units)); err != nil {
		return nil, fmt.Errorf("hamiltonian: %w", err)
	}
	m := &Ising{n: l.NumSites(), params: p, zz: -p.J, field: -p.H}
	if p.Units == Spin {
		m.zz, m.field = -p.J/4, -p.H/2
	}
	for _, e := range l.EdgesOfOrder(1) {
		m.bonds = append(m.bonds, [2]int{e.I, e.J})
	}
	m.flips = make([][]int, m.n)
	for i := range m.flips {
		m.flips[i] = []int{i}
	}
	return m, nil
}

// NumSites returns N.
func (m *Ising) NumSites() int { return m.n }

// MaxConnected returns N + 1 (one diagonal element, N single flips).
func (m *Ising) MaxConnected() int { return m.n + 1 }

// ConservesSz reports whether h = 0.
func (m *Ising) ConservesSz() bool { return m.field == 0 }

// Units returns the operator normalization.
func (m *Ising) Units() Units { return m.params.Units }

// Connected implements Operator.
func (m *Ising) Connected(x []int8, visit func(flips []int, mel float64)) {
	var s int
	for _, b := range m.bonds {
		s += int(x[b[0]] * x[b[1]])
	}
	visit(nil, m.zz*float64(s))
	if m.field != 0 {
		for i := range m.flips {
			visit(m.flips[i], m.field)
		}
	}
}

// Stoquastic reports whether every off-diagonal element is ≤ 0 in the σ^z
// basis up to a site-independent gauge, so that the ground state is
// positive and, on a connected lattice, unique (Perron–Frobenius). Always
// true: the elements are −h, and for h < 0 the gauge ∏_i σ^z_i makes them
// −|h|; it multiplies amplitudes by (−1)^(number of down spins), a sign that
// every site permutation keeps, so a symmetric ansatz in the trivial
// representation can represent the ground state either way.
func (m *Ising) Stoquastic() bool { return true }

// String describes the model with its units.
func (m *Ising) String() string {
	return fmt.Sprintf("transverse-field Ising J=%g h=%g (%s units)", m.params.J, m.params.H, m.params.Units)
}

// HeisenbergParams are the couplings of the Heisenberg/XXZ J1-J2 model.
type HeisenbergParams struct {
	J, J2    float64
	Delta    float64 // XXZ anisotropy; 1 is isotropic
	Units    Units   // default Spin
	SignRule bool    // apply the Marshall rotation (needs a bipartite J1 graph)
}

// Heisenberg is the J1-J2 XXZ model on a lattice; see the package doc.
type Heisenberg struct {
	n      int
	bonds  []hbond
	params HeisenbergParams
}

type hbond struct {
	flips []int   // the pair {i, j}
	zz    float64 // diagonal coefficient of x_i x_j
	xy    float64 // exchange matrix element (sign rule included)
}

// AutoSignRule reports whether the Marshall sign rule is exact for the
// Heisenberg model with couplings J, J2 on l: the J1 graph is bipartite,
// J > 0 and J2 = 0.
func AutoSignRule(l *lattice.Lattice, J, J2 float64) bool {
	_, bip := l.Bipartite()
	return bip && J > 0 && J2 == 0
}

// NewHeisenberg returns the Heisenberg model on l. Edges of order 1 carry J,
// order 2 carry J2; higher orders are ignored. It returns an error if the sign
// rule is requested on a lattice whose J1 graph is not bipartite.
func NewHeisenberg(l *lattice.Lattice, p HeisenbergParams) (*Heisenberg, error) {
	if p.Units == "" {
		p.Units = Spin
	}
	if _, err := ParseUnits(string(p.Units)); err != nil {
		return nil, fmt.Errorf("hamiltonian: %w", err)
	}
	var sub []int8
	if p.SignRule {
		var ok bool
		sub, ok = l.Bipartite()
		if !ok {
			return nil, fmt.Errorf("hamiltonian: the Marshall sign rule needs a bipartite lattice, and %v is not", l)
		}
	}
	scale := 1.0
	if p.Units == Pauli {
		scale = 4
	}
	m := &Heisenberg{n: l.NumSites(), params: p}
	for _, e := range l.Edges() {
		var jd float64
		switch e.Order {
		case 1:
			jd = p.J
		case 2:
			jd = p.J2
		}
		if jd == 0 {
			continue
		}
		b := hbond{flips: []int{e.I, e.J}, zz: scale * jd * p.Delta / 4, xy: scale * jd / 2}
		if p.SignRule && sub[e.I] != sub[e.J] {
			b.xy = -b.xy
		}
		m.bonds = append(m.bonds, b)
	}
	return m, nil
}

// NumSites returns N.
func (m *Heisenberg) NumSites() int { return m.n }

// MaxConnected returns 1 + the number of bonds.
func (m *Heisenberg) MaxConnected() int { return 1 + len(m.bonds) }

// ConservesSz returns true: the XXZ model commutes with S^z_tot.
func (m *Heisenberg) ConservesSz() bool { return true }

// Units returns the operator normalization.
func (m *Heisenberg) Units() Units { return m.params.Units }

// SignRule reports whether the Marshall rotation is applied.
func (m *Heisenberg) SignRule() bool { return m.params.SignRule }

// Stoquastic reports whether every off-diagonal element is ≤ 0 in the
// (possibly sign-rotated) σ^z basis: every exchange element −|J_d|/2 after
// the sign rule. Then the ground state can be chosen positive (Perron–
// Frobenius) and a symmetric ansatz in the trivial representation can
// represent it.
func (m *Heisenberg) Stoquastic() bool {
	for k := range m.bonds {
		if m.bonds[k].xy > 0 {
			return false
		}
	}
	return true
}

// SignRuleExact reports whether the applied sign rule makes the model
// stoquastic; false when no sign rule is applied.
func (m *Heisenberg) SignRuleExact() bool { return m.params.SignRule && m.Stoquastic() }

// Connected implements Operator.
func (m *Heisenberg) Connected(x []int8, visit func(flips []int, mel float64)) {
	var diag float64
	for k := range m.bonds {
		b := &m.bonds[k]
		diag += b.zz * float64(x[b.flips[0]]*x[b.flips[1]])
	}
	visit(nil, diag)
	for k := range m.bonds {
		b := &m.bonds[k]
		if x[b.flips[0]] != x[b.flips[1]] {
			visit(b.flips, b.xy)
		}
	}
}

// String describes the model with its units and sign convention.
func (m *Heisenberg) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "Heisenberg J=%g", m.params.J)
	if m.params.J2 != 0 {
		fmt.Fprintf(&s, " J2=%g", m.params.J2)
	}
	if m.params.Delta != 1 {
		fmt.Fprintf(&s, " Δ=%g", m.params.Delta)
	}
	if m.params.Units == Spin {
		s.WriteString(" (spin-1/2 units, S=σ/2")
	} else {
		s.WriteString(" (Pauli units")
	}
	if m.params.SignRule {
		s.WriteString(", Marshall sign rule)")
	} else {
		s.WriteString(", no sign rule)")
	}
	return s.String()
}
