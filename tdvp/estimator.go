package tdvp

import (
	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/vmc"
)

// Estimator is the vmc.Estimator of a time step: the local energies of H
// (Batch.E), with Derivs the log-derivatives (Batch.O), and the local
// values of every operator in Ops,
//
//	A_loc(x) = Σ_x' ⟨x|A|x'⟩ ψ(x')/ψ(x),
//
// into Values[a][s], whose weighted mean over the batch is ⟨A⟩ (the real
// part, for a Hermitian A). Each operator is seen through the one
// hamiltonian.Operator contract, the same definition that ed.Expect uses
// for the exact curves.
type Estimator struct {
	H      hamiltonian.Operator
	Derivs bool
	Ops    []hamiltonian.Operator
	Values [][]float64

	slots [][]vmc.LocalScratch
}

// Begin sizes the outputs for dst.
func (e *Estimator) Begin(dst *vmc.Batch, workers int) {
	dst.E = grow(dst.E, dst.Ns)
	if e.Derivs {
		dst.O = grow(dst.O, dst.Ns*dst.P)
	} else {
		dst.O = dst.O[:0]
	}
	if len(e.Values) != len(e.Ops) {
		e.Values = make([][]float64, len(e.Ops))
	}
	for a := range e.Values {
		e.Values[a] = grow(e.Values[a], dst.Ns)
	}
	if len(e.slots) < workers {
		e.slots = make([][]vmc.LocalScratch, workers)
		for w := range e.slots {
			e.slots[w] = make([]vmc.LocalScratch, 1+len(e.Ops))
		}
	}
}

// Estimate evaluates sample s.
func (e *Estimator) Estimate(dst *vmc.Batch, w, s int, c ansatz.Cache) {
	sc := e.slots[w]
	dst.E[s] = vmc.LocalEnergy(e.H, c, &sc[0])
	for a, op := range e.Ops {
		e.Values[a][s] = real(vmc.LocalEnergy(op, c, &sc[1+a]))
	}
	if e.Derivs {
		p := dst.P
		c.LogDeriv(dst.O[s*p : (s+1)*p])
	}
}

// Measure samples the current state of psi once with smp and returns the
// energy of h and the statistics of every operator (mean and error bar
// with the batch's chains and weights).
func Measure(smp Sampler, h hamiltonian.Operator, ops []hamiltonian.Operator, b *vmc.Batch) (vmc.Stats, []vmc.Stats) {
	est := &Estimator{H: h, Ops: ops}
	smp.SampleWith(b, est)
	out := make([]vmc.Stats, len(ops))
	for a := range ops {
		out[a] = b.Stats(est.Values[a])
	}
	return b.EnergyStats(), out
}
