package vmc

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/hilbert"
)

// ErrNotInvariant is returned (wrapped) by NewExactOrbits and
// CheckInvariant when the ansatz or an operator is not invariant under the
// symmetry group, so that sums over orbit representatives would be wrong.
var ErrNotInvariant = errors.New("not invariant under the symmetry group")

// invariantChecks is the number of random configurations on which
// CheckInvariant compares the rows of an operator.
const invariantChecks = 32

// NewExactOrbits is NewExact summed over the orbits of the symmetry group
// G of psi (ansatz.Invariant) instead of over every configuration. Since
// ψ(x∘g) = χ(g) ψ(x) with |χ(g)| = 1, the weights |ψ|², the
// log-derivatives O_k and the local estimate of any operator that commutes
// with G are the same at every configuration of an orbit, so every
// weighted average over the sector equals the average over one
// representative per orbit with the weight
//
//	W_r = m_r |ψ(x_r)|² / Σ_r' m_r' |ψ(x_r')|²,   m_r = the size of the orbit of x_r,
//
// at a cost |G| times smaller (up to the orbits with a non-trivial
// stabilizer). The representatives are the smallest states of their
// orbits (hilbert.Space.Orbits), in increasing order; Sample fills the
// batch with them, so Batch.Configs holds representatives only, and any
// quantity computed from the batch must itself be invariant: energies,
// log-derivatives and the S matrix and force built from them, and the
// local estimates of operators checked with CheckOperator.
//
// NewExactOrbits returns the errors of NewExact, an error wrapping
// ErrNotInvariant if psi is not an ansatz.Invariant, if |ψ| is found to
// differ between a configuration and its image on a few random
// configurations (a sanity check of the declared group at the current
// parameters), or if op does not commute with G (CheckInvariant), and an
// error if the group does not act on the sites of psi.
func NewExactOrbits(psi ansatz.Ansatz, op hamiltonian.Operator, nUp int, threads int) (*Exact, error) {
	inv, ok := psi.(ansatz.Invariant)
	if !ok {
		return nil, fmt.Errorf("vmc: orbit sums need an ansatz with a symmetry group (a symmetric RBM, a GCNN, or an ansatz summed over ansatz.symmetries); %T is %w", psi, ErrNotInvariant)
	}
	group := inv.InvarianceGroup()
	e, err := newExact(psi, op, nUp, threads, group)
	if err != nil {
		return nil, err
	}
	if err := checkAmplitudes(psi, group, nUp); err != nil {
		return nil, err
	}
	if op != nil {
		if err := CheckInvariant(op, group, nUp); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Orbits reports whether the enumerator sums over orbit representatives
// (NewExactOrbits).
func (e *Exact) Orbits() bool { return e.mult != nil }

// Multiplicity returns the number of configurations that sample s of a
// batch stands for: the size of its orbit with NewExactOrbits, 1
// otherwise.
func (e *Exact) Multiplicity(s int) int {
	if e.mult == nil {
		return 1
	}
	return int(e.mult[s])
}

// CheckOperator returns nil if the local estimates of op may be averaged
// over the batches of e: always for a plain Exact, and for one of
// NewExactOrbits when op commutes with its group (CheckInvariant).
func (e *Exact) CheckOperator(op hamiltonian.Operator) error {
	if e.mult == nil {
		return nil
	}
	if op.NumSites() != e.n {
		return fmt.Errorf("vmc: the operator acts on %d sites but the ansatz has %d", op.NumSites(), e.n)
	}
	return CheckInvariant(op, e.group, e.space.NumUp())
}

// CheckInvariant returns an error wrapping ErrNotInvariant unless
//
//	⟨x∘g|A|x'∘g⟩ = ⟨x|A|x'⟩
//
// for every element g of the group (site permutations, group[g][i] = g(i))
// and every connected pair of a fixed set of random configurations x of
// the sector with nUp up spins (Unconstrained: any), to 1e-12 relative to
// the largest matrix element. It is a check on samples, not a proof: an
// operator that differs from an invariant one only on a few rows may pass.
// Operators with complex matrix elements (hamiltonian.ComplexOperator)
// are compared in full.
func CheckInvariant(op hamiltonian.Operator, group [][]int, nUp int) error {
	n := op.NumSites()
	if n > 64 {
		return fmt.Errorf("vmc: invariance check of an operator on %d sites (at most 64)", n)
	}
	for g, p := range group {
		if len(p) != n {
			return fmt.Errorf("vmc: group element %d permutes %d sites, the operator acts on %d", g, len(p), n)
		}
	}
	co, complexOp := hamiltonian.AsComplex(op)
	row := func(x []int8) map[uint64]complex128 {
		v := hilbert.ConfigToState(x)
		out := map[uint64]complex128{}
		add := func(flips []int, mel complex128) {
			u := v
			for _, i := range flips {
				u ^= 1 << uint(i)
			}
			out[u] += mel
		}
		if complexOp {
			co.ConnectedComplex(x, add)
		} else {
			op.Connected(x, func(flips []int, mel float64) { add(flips, complex(mel, 0)) })
		}
		return out
	}
	rng := rand.New(rand.NewPCG(0x6f72626974, 0x636865636b))
	x, y := make([]int8, n), make([]int8, n)
	perm := make([]int, n)
	for range invariantChecks {
		randomSectorConfig(rng, x, nUp, perm)
		rx := row(x)
		for g, p := range group {
			for i := range y {
				y[i] = x[p[i]]
			}
			ry := row(y)
			want := make(map[uint64]complex128, len(rx))
			var scale float64
			for u, mel := range rx {
				want[hilbert.Permute(u, p)] += mel
				scale = max(scale, cmplx.Abs(mel))
			}
			for _, mel := range ry {
				scale = max(scale, cmplx.Abs(mel))
			}
			tol := 1e-12 * max(scale, 1e-300)
			for u, mel := range ry {
				if cmplx.Abs(mel-want[u]) > tol {
					return fmt.Errorf("vmc: operator %w: element %d of the group maps ⟨x|A|x'⟩ = %v to %v", ErrNotInvariant, g, want[u], mel)
				}
			}
			for u, mel := range want {
				if _, ok := ry[u]; !ok && cmplx.Abs(mel) > tol {
					return fmt.Errorf("vmc: operator %w: element %d of the group maps ⟨x|A|x'⟩ = %v to 0", ErrNotInvariant, g, mel)
				}
			}
		}
	}
	return nil
}

// checkAmplitudes compares |ψ(x∘g)| with |ψ(x)| on a few random
// configurations.
func checkAmplitudes(psi ansatz.Ansatz, group [][]int, nUp int) error {
	n := psi.NumSites()
	rng := rand.New(rand.NewPCG(0x616d706c, 0x6974756465))
	x, y := make([]int8, n), make([]int8, n)
	perm := make([]int, n)
	for range 4 {
		randomSectorConfig(rng, x, nUp, perm)
		l := real(psi.LogPsi(x))
		for g, p := range group {
			for i := range y {
				y[i] = x[p[i]]
			}
			m := real(psi.LogPsi(y))
			if math.IsInf(l, -1) && math.IsInf(m, -1) {
				continue
			}
			if !(math.Abs(m-l) <= 1e-9*max(1, math.Abs(l))) {
				return fmt.Errorf("vmc: ansatz %w: log|ψ(x∘g)| − log|ψ(x)| = %.3g for group element %d", ErrNotInvariant, m-l, g)
			}
		}
	}
	return nil
}

// randomSectorConfig fills x with a uniformly random configuration with
// nUp up spins (Unconstrained: any), using perm as scratch.
func randomSectorConfig(rng *rand.Rand, x []int8, nUp int, perm []int) {
	if nUp == Unconstrained {
		for i := range x {
			x[i] = int8(2*rng.IntN(2) - 1)
		}
		return
	}
	for i := range perm {
		perm[i] = i
	}
	rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	for k, i := range perm {
		x[i] = -1
		if k < nUp {
			x[i] = 1
		}
	}
}
