package run

import (
	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/tdvp"
	"github.com/vmc-lattice/vmc/vmc"
)

// newOrbitSampler returns the exact sampler over the orbits of the
// ansatz's symmetry group (sampler.orbits), after checking that every
// operator it will average commutes with the group: the preparation
// Hamiltonian, the evolution Hamiltonian and the observables.
func (ev *Evolution) newOrbitSampler(psi ansatz.Ansatz, threads int) (tdvp.Sampler, error) {
	p := ev.Problem
	ex, err := vmc.NewExactOrbits(psi, nil, p.NUp, threads)
	if err != nil {
		return nil, &config.Error{File: ev.Name, Key: "sampler.orbits", Msg: err.Error()}
	}
	check := func(what string, op hamiltonian.Operator) error {
		if err := ex.CheckOperator(op); err != nil {
			return &config.Error{File: ev.Name, Key: "sampler.orbits", Msg: what + ": " + err.Error()}
		}
		return nil
	}
	if err := check("[hamiltonian]", p.Op); err != nil {
		return nil, err
	}
	if err := check("[dynamics.hamiltonian]", ev.Evolve.Op); err != nil {
		return nil, err
	}
	ops, names := ev.observableOps()
	for a, op := range ops {
		if err := check("observable "+names[a], op); err != nil {
			return nil, err
		}
	}
	return ex, nil
}
