package sr_test

import (
	"fmt"

	"github.com/vmc-lattice/vmc/sr"
)

// One SR step for two complex parameters from four equally weighted
// samples: the solvers agree, and the update is δθ = −η·dst.
func Example() {
	s := sr.Samples{
		O: []complex128{
			1 + 0.5i, 0.2,
			-1 + 0.5i, 0.1i,
			0.5, -0.3,
			-0.5 - 1i, 0.4 + 0.2i,
		},
		E:  []complex128{-1.2, -0.8 + 0.1i, -1.0, -0.9 - 0.1i},
		Ns: 4, P: 2,
	}
	var ws sr.Workspace
	dst := make([]complex128, s.P)
	for _, solver := range []sr.Solver{sr.Cholesky, sr.MinSR, sr.CG} {
		info, err := ws.Step(dst, s, sr.Options{DiagShift: 0.01, Solver: solver, Holomorphic: true})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-8v (S+εI)⁻¹F = [%.4f %.4f]\n", info.Solver, dst[0], dst[1])
	}
	f := make([]complex128, s.P)
	e := sr.Gradient(f, s, true)
	fmt.Printf("<E> = %.3f, F = [%.4f %.4f]\n", e, f[0], f[1])
	fmt.Println(sr.ChooseSolver(1000, 10200, true), sr.ChooseSolver(2048, 840, true))
	// Output:
	// cholesky (S+εI)⁻¹F = [(-0.0902-0.0026i) (-0.1322-0.2457i)]
	// minsr    (S+εI)⁻¹F = [(-0.0902-0.0026i) (-0.1322-0.2457i)]
	// cg       (S+εI)⁻¹F = [(-0.0902-0.0026i) (-0.1322-0.2457i)]
	// <E> = (-0.975+0.000i), F = [(-0.0750+0.0125i) (-0.0044-0.0181i)]
	// minsr cholesky
}
