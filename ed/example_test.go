package ed_test

import (
	"fmt"
	"log"

	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

// The ground state of the antiferromagnetic Heisenberg ring of 8 spins in the
// S^z = 0 sector, and its nearest-neighbour spin correlation from the vector.
func ExampleSolve() {
	l, err := lattice.New(lattice.Chain, []int{8}, []bool{true})
	if err != nil {
		log.Fatal(err)
	}
	op, err := hamiltonian.NewHeisenberg(l, hamiltonian.HeisenbergParams{J: 1, Delta: 1})
	if err != nil {
		log.Fatal(err)
	}
	sz := 0.0
	nUp, err := ed.NumUp(op.NumSites(), &sz)
	if err != nil {
		log.Fatal(err)
	}
	res, err := ed.Solve(op, nUp, ed.Options{K: 2, Vector: true})
	if err != nil {
		log.Fatal(err)
	}
	// ⟨S^z_0 S^z_1⟩ = Σ_k |ψ_k|² x_0 x_1 / 4.
	x := make([]int8, op.NumSites())
	var zz float64
	for k, s := range res.Basis.All() {
		res.Basis.ToConfig(s, x)
		zz += res.Vector[k] * res.Vector[k] * float64(x[0]*x[1]) / 4
	}
	fmt.Printf("dimension %d (%s)\n", res.Dimension, res.Method)
	fmt.Printf("E0 = %.10f, E1 = %.10f\n", res.Energies[0], res.Energies[1])
	fmt.Printf("<Sz0 Sz1> = %.10f = E0/(3N)\n", zz)
	// Output:
	// dimension 70 (dense)
	// E0 = -3.6510934089, E1 = -3.1284190638
	// <Sz0 Sz1> = -0.1521288920 = E0/(3N)
}

// Basis states are bit strings, bit i set meaning site i is up; Index ranks
// them in O(1) and returns -1 outside the sector.
func ExampleBasis() {
	b, err := ed.NewBasis(4, 2) // 4 sites, 2 up: S^z = 0
	if err != nil {
		log.Fatal(err)
	}
	x := make([]int8, 4)
	for k, s := range b.All() {
		fmt.Printf("%d %04b %v\n", k, s, b.ToConfig(s, x))
	}
	fmt.Println(b.Index(0b0110), b.Index(0b0111))
	// Output:
	// 0 0011 [1 1 -1 -1]
	// 1 0101 [1 -1 1 -1]
	// 2 0110 [-1 1 1 -1]
	// 3 1001 [1 -1 -1 1]
	// 4 1010 [-1 1 -1 1]
	// 5 1100 [-1 -1 1 1]
	// 2 -1
}
