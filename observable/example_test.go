package observable_test

import (
	"fmt"

	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/observable"
)

// Correlations and entanglement of the exact ground state of the 8-site
// Heisenberg ring. With the sign rule the ED vector is the rotated state;
// Spec.SignRule undoes the rotation, so C^xx = C^zz as SU(2) demands.
func ExampleExact() {
	l, _ := lattice.New(lattice.Chain, []int{8}, []bool{true})
	op, _ := hamiltonian.NewHeisenberg(l, hamiltonian.HeisenbergParams{J: 1, Delta: 1, SignRule: true})
	res, _ := ed.Solve(op, 4, ed.Options{Vector: true})
	spec := observable.Spec{ZZ: true, XX: true, ByDistance: true, SignRule: true}
	entries, _ := observable.Exact(res, l, spec)
	zz := observable.Find(entries, observable.NameZZDistance)
	xx := observable.Find(entries, observable.NameXXDistance)
	for c, d := range zz.Labels {
		fmt.Printf("r = %g: zz %+.6f  xx %+.6f\n", d[0], zz.Stats[c].Mean, xx.Stats[c].Mean)
	}
	s2, _ := observable.Renyi2Exact(res.Vector, res.Basis, []int{0, 1, 2, 3})
	fmt.Printf("S2(half ring) = %.6f\n", s2)
	// Output:
	// r = 0: zz +0.250000  xx +0.250000
	// r = 1: zz -0.152129  xx -0.152129
	// r = 2: zz +0.065259  xx +0.065259
	// r = 3: zz -0.062984  xx -0.062984
	// r = 4: zz +0.049708  xx +0.049708
	// S2(half ring) = 0.737014
}
