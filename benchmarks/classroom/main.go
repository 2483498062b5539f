// Command classroom studies plain gradient descent on the classroom example:
// the 8-site Heisenberg ring (spin-1/2 units, J = 1, S^z_tot = 0), a real RBM
// with alpha = 2 (152 parameters), the Marshall sign rule, and exact sums over
// the 70 states of the sector, so that every number is deterministic.
//
// For each learning rate η and seed it runs plain gradient descent as the
// driver defines it, θ ← θ − η·Re F with the force F = ⟨O*(E_loc − E)⟩ (SR
// with S replaced by the identity; the gradient is ∂E/∂θ = 2 Re F), and
// prints the relative error of E(θ) against E0 = −3.651093409 after a list of
// step counts, as the mean, minimum and maximum over the seeds. A final row
// gives stochastic reconfiguration at η = 0.1 for comparison.
//
//	go run ./benchmarks/classroom [-seeds 10] [-lr 0.05,0.1] [-steps 50,100,200,500]
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/configs"
	"github.com/vmc-lattice/vmc/run"
	"github.com/vmc-lattice/vmc/vmc"
)

// e0 is the exact ground-state energy of the 8-site ring in spin-1/2 units
// (../shared/reference/energies.md).
const e0 = -3.651093409

func main() {
	seeds := flag.Int("seeds", 10, "number of seeds (initializations) per learning rate")
	lrList := flag.String("lr", "0.05,0.1,0.14,0.16,0.18,0.2,0.22,0.24,0.3", "comma-separated learning rates")
	stepList := flag.String("steps", "50,100,200,500", "comma-separated step counts at which E(θ) is reported")
	scale := flag.Float64("init", 0.1, "standard deviation of the initial parameters (the default for real parameters)")
	flag.Parse()
	lrs, err := floats(*lrList)
	if err != nil || len(lrs) == 0 {
		fail("bad -lr %q", *lrList)
	}
	steps, err := ints(*stepList)
	if err != nil || len(steps) == 0 {
		fail("bad -steps %q", *stepList)
	}
	data, err := configs.Read("classroom-ring8.toml")
	if err != nil {
		fail("%v", err)
	}
	fmt.Printf("Relative error |E − E0|/|E0| after n steps, mean [min, max] over %d seeds, init σ = %g.\n\n", *seeds, *scale)
	fmt.Printf("| optimizer | η |")
	for _, n := range steps {
		fmt.Printf(" %d steps |", n)
	}
	fmt.Printf("\n|---|---|")
	for range steps {
		fmt.Printf("---|")
	}
	fmt.Println()
	for _, lr := range lrs {
		row(data, "sgd", lr, *seeds, *scale, steps)
	}
	row(data, "sr", 0.1, *seeds, *scale, steps)
}

// row runs the classroom config (configs/classroom-ring8.toml, summed
// exactly over the S^z = 0 sector) through the run library with optimizer
// o and learning rate lr, for seeds initializations.
func row(data []byte, o string, lr float64, seeds int, scale float64, steps []int) {
	errs := make([][]float64, len(steps))
	sets := []string{"sampler.exact=true", "optimizer.kind=" + strconv.Quote(o), fmt.Sprintf("optimizer.learning_rate=%g", lr), "optimizer.diag_shift=0.01"}
	p, err := run.Parse("classroom-ring8.toml", data, sets)
	if err != nil {
		fail("%v", err)
	}
	for s := 0; s < seeds; s++ {
		e, err := run.NewEngine(p, 1)
		if err != nil {
			fail("%v", err)
		}
		// The study's own initializations (stream 7 of seed s, standard
		// deviation -init), so that its figures stay comparable.
		e.Ansatz.(*ansatz.RBM).InitRandom(rand.New(rand.NewPCG(uint64(s), 7)), scale)
		var b vmc.Batch
		done := 0
		for i, n := range steps {
			for ; done < n; done++ {
				if _, err := e.Step(); err != nil {
					fail("step %d: %v", done, err)
				}
			}
			st, _, _ := e.Evaluate(&b)
			errs[i] = append(errs[i], math.Abs((st.Mean-e0)/e0))
		}
	}
	fmt.Printf("| %v | %g |", o, lr)
	for _, e := range errs {
		mean, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
		for _, x := range e {
			mean += x / float64(len(e))
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		fmt.Printf(" %s [%s, %s] |", pct(mean), pct(lo), pct(hi))
	}
	fmt.Println()
}

// pct formats a relative error in percent: two decimals, or two significant
// digits below 0.01%.
func pct(x float64) string {
	if 100*x < 0.01 {
		return fmt.Sprintf("%.1e%%", 100*x)
	}
	return fmt.Sprintf("%.2f%%", 100*x)
}

func floats(s string) ([]float64, error) {
	var v []float64
	for _, f := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(x > 0) {
			return nil, fmt.Errorf("bad value %q", f)
		}
		v = append(v, x)
	}
	return v, nil
}

func ints(s string) ([]int, error) {
	var v []int
	last := 0
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= last {
			return nil, fmt.Errorf("bad value %q (want increasing positive integers)", f)
		}
		v, last = append(v, n), n
	}
	return v, nil
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "classroom: "+format+"\n", a...)
	os.Exit(2)
}
