package run

import (
	"context"
	"fmt"
	"testing"
)

func mustParse(t *testing.T, text string) *Problem {
	t.Helper()
	p, err := Parse("x.toml", []byte(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The Heisenberg chain written as terms: the sign rule is chosen by
// "auto", and ED gives the energy of kind = "heisenberg" bit for bit (the
// same elements in the same order).
func TestTermsHeisenbergThroughConfig(t *testing.T) {
	heis := mustParse(t, "[lattice]\nkind = \"chain\"\nextent = [10]\n[hamiltonian]\nkind = \"heisenberg\"\ntotal_sz = 0\n")
	terms := mustParse(t, `[lattice]
kind = "chain"
extent = [10]
[hamiltonian]
kind = "terms"
units = "spin"
total_sz = 0
[[hamiltonian.terms]]
op = "xx"
bonds = 1
coupling = 1.0
[[hamiltonian.terms]]
op = "yy"
bonds = 1
coupling = 1
[[hamiltonian.terms]]
op = "zz"
bonds = 1
coupling = [1.0, 0.0]
`)
	if !terms.SignRule || terms.NUp != 5 || terms.Move != "exchange" {
		t.Fatalf("terms problem: sign rule %v, NUp %d, move %s", terms.SignRule, terms.NUp, terms.Move)
	}
	a, err := heis.SolveED(context.Background(), 2, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := terms.SolveED(context.Background(), 2, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	for k := range a.Energies {
		if a.Energies[k] != b.Energies[k] {
			t.Errorf("E_%d: heisenberg %.17g, terms %.17g", k, a.Energies[k], b.Energies[k])
		}
	}
}

// Symmetric ansätze keep only the permutations that map every term onto a
// term with the same coupling.
func TestTermsSymmetryGroup(t *testing.T) {
	base := "[lattice]\nkind = \"chain\"\nextent = [6]\n[ansatz]\nkind = \"rbm-symm\"\nalpha = 1\nsymmetries = \"%s\"\n[hamiltonian]\nkind = \"terms\"\n"
	for _, tc := range []struct {
		symm, terms string
		want        int
	}{
		{"translations", "[[hamiltonian.terms]]\nop = \"zxz\"\nsites = [[0, 1, 2]]\ntranslate = true\ncoupling = -1.0\n", 6},
		{"automorphisms", "[[hamiltonian.terms]]\nop = \"zxz\"\nsites = [[0, 1, 2]]\ntranslate = true\ncoupling = -1.0\n", 12},
		{"translations", "[[hamiltonian.terms]]\nop = \"zz\"\nbonds = 1\ncoupling = -1.0\n[[hamiltonian.terms]]\nop = \"z\"\nstaggered = true\ncoupling = 0.5\n", 3},
		{"automorphisms", "[[hamiltonian.terms]]\nop = \"zz\"\nsites = [[0, 1], [2, 3], [4, 5]]\ncoupling = -1.0\n[[hamiltonian.terms]]\nop = \"x\"\ncoupling = -1\n", 6},
	} {
		p := mustParse(t, fmt.Sprintf(base, tc.symm)+tc.terms)
		g, err := p.SymmetryGroup()
		if err != nil {
			t.Fatal(err)
		}
		if len(g) != tc.want {
			t.Errorf("%s %q: %d permutations, want %d", tc.symm, tc.terms, len(g), tc.want)
		}
		op := p.Op.(interface{ Invariant([]int) bool })
		for _, perm := range g {
			if !op.Invariant(perm) {
				t.Errorf("%q: permutation %v breaks the terms", tc.terms, perm)
			}
		}
	}
}
