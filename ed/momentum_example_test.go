package ed_test

import (
	"fmt"
	"log"

	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

// The Heisenberg ring of 12 spins in its two real translation sectors,
// k = 0 and k = π: the ground state (N/2 = 6 even) lies at k = 0.
func ExampleSolve_momentum() {
	l, err := lattice.New(lattice.Chain, []int{12}, []bool{true})
	if err != nil {
		log.Fatal(err)
	}
	op, err := hamiltonian.NewHeisenberg(l, hamiltonian.HeisenbergParams{J: 1, Delta: 1})
	if err != nil {
		log.Fatal(err)
	}
	perms := l.Translations() // perms[g]: shift by g sites
	for _, k := range []string{"0", "π"} {
		chars := make([]int8, len(perms))
		for g := range chars {
			chars[g] = 1
			if k == "π" && g%2 == 1 {
				chars[g] = -1 // e^{iπg}
			}
		}
		res, err := ed.Solve(op, 6, ed.Options{Symmetry: &ed.Symmetry{Perms: perms, Chars: chars}})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("k = %s: dimension %d, E = %.10f\n", k, res.Dimension, res.Energies[0])
	}
	// Output:
	// k = 0: dimension 80, E = -5.3873909174
	// k = π: dimension 80, E = -5.0315434037
}
