package run_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vmc-lattice/vmc/run"
	"github.com/vmc-lattice/vmc/vmc"
)

// A Heisenberg ring of 8 spins, summed exactly over the S^z = 0 sector:
// the engine steps the optimization without writing anything.
func ExampleNewEngine() {
	const toml = `
[lattice]
kind = "chain"
extent = [8]
[hamiltonian]
kind = "heisenberg"
[sampler]
exact = true
[optimizer]
iterations = 150
learning_rate = 0.1
`
	p, err := run.Parse("ring8.toml", []byte(toml), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := run.NewEngine(p, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := e.Optimize(); err != nil {
		fmt.Println(err)
		return
	}
	res, _ := p.SolveED(context.Background(), 1, 1, false)
	var b vmc.Batch
	st, _, _ := e.Evaluate(&b)
	fmt.Printf("%s, %d parameters\n", p.Model, e.Ansatz.NumParams())
	fmt.Printf("E0 = %.6f, relative error below 1e-3: %v\n", res.Energies[0], (st.Mean-res.Energies[0])/-res.Energies[0] < 1e-3)
	// Output:
	// Heisenberg J=1 (spin-1/2 units, S=σ/2, Marshall sign rule), 152 parameters
	// E0 = -3.651093, relative error below 1e-3: true
}

// A Job is what `vmc run` does: ED, optimization, evaluation, the run file.
func ExampleJob_Run() {
	dir, _ := os.MkdirTemp("", "vmc-example")
	defer os.RemoveAll(dir)
	p, err := run.Parse("ring8.toml", []byte("[lattice]\nkind = \"chain\"\nextent = [8]\n[hamiltonian]\nkind = \"heisenberg\"\n[optimizer]\niterations = 50\n"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := run.New(p, filepath.Join(dir, "run.h5"), run.Options{Threads: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := job.Run(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d iterations, E0 = %.6f, relative error below 1e-2: %v\n", sum.Iterations, *sum.EDEnergy, *sum.RelativeError < 1e-2)
	// Output:
	// 50 iterations, E0 = -3.651093, relative error below 1e-2: true
}
