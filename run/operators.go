package run

import (
	"fmt"
	"strings"

	"github.com/vmc-lattice/vmc/hamiltonian"
)

// NamedOperator is a declared operator of [[observables.operators]]: the
// sum of the entries that share its name, in the units of the Hamiltonian.
type NamedOperator struct {
	Name string
	Op   *hamiltonian.Terms
}

// buildOperators builds the declared operators of p in the order their
// names first appear; each must be Hermitian.
func (p *Problem) buildOperators() ([]NamedOperator, error) {
	entries := p.Config.Observables.Operators
	var names []string
	terms := map[string][]hamiltonian.Term{}
	for k, e := range entries {
		key := fmt.Sprintf("observables.operators[%d]", k)
		if e.Name == "" || strings.ContainsAny(e.Name, "/ \t\n") {
			return nil, keyErr(key+".name", "want a name without spaces or slashes (the operator's dataset in /observables), got %q", e.Name)
		}
		ts, err := expandTerm(key, e.TermConfig, p.Lattice)
		if err != nil {
			return nil, err
		}
		if _, seen := terms[e.Name]; !seen {
			names = append(names, e.Name)
		}
		terms[e.Name] = append(terms[e.Name], ts...)
	}
	var out []NamedOperator
	for _, name := range names {
		op, err := hamiltonian.NewTerms(p.NumSites(), terms[name], p.Units)
		if err != nil {
			return nil, keyErr("observables.operators", "%s: %s", name, strings.TrimPrefix(err.Error(), "hamiltonian: "))
		}
		out = append(out, NamedOperator{name, op})
	}
	return out, nil
}
