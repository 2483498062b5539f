package vmc_test

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/sr"
	"github.com/vmc-lattice/vmc/vmc"
)

// In an exact sum, configurations with |ψ|² negligible against the largest
// get weight 0 and may carry an infinite local energy (ψ(x) underflows while
// its neighbours do not). SR, the gradient and the driver skip them, as the
// energy statistics do. Here a real Jastrow with fields h_i = 400 on the
// 4-site Ising ring puts all weight on x = (+1, +1, +1, +1), whose local
// energy is −4 exactly (−J·4 bonds, and the flips lead to weight-0 states
// whose amplitude ratio e^{−800} vanishes).
func TestZeroWeightInfiniteEnergy(t *testing.T) {
	const n = 4
	l, _ := lattice.New(lattice.Chain, []int{n}, []bool{true})
	op, _ := hamiltonian.NewIsing(l, hamiltonian.IsingParams{J: 1, H: 1})
	jas := ansatz.NewJastrow(n, false, true)
	p := make([]complex128, jas.NumParams())
	for k := n * (n - 1) / 2; k < len(p); k++ {
		p[k] = 400 // h_i
	}
	jas.SetParams(p)
	ex, err := vmc.NewExact(jas, op, vmc.Unconstrained, 1)
	if err != nil {
		t.Fatal(err)
	}
	var b vmc.Batch
	ex.Sample(&b, true)
	infinite := 0
	for s := 0; s < b.Ns; s++ {
		if b.W[s] == 0 && cmplx.IsInf(b.E[s]) {
			infinite++
		}
	}
	if infinite == 0 {
		t.Fatal("the setup no longer produces zero-weight samples with infinite energy")
	}
	if st := b.EnergyStats(); st.Mean != -4 {
		t.Errorf("energy %v, want −4", st.Mean)
	}
	samples := sr.Samples{O: b.O, E: b.E, W: b.W, Ns: b.Ns, P: b.P}
	dir := make([]complex128, b.P)
	if _, err := sr.Step(dir, samples, sr.Options{DiagShift: 0.01}); err != nil {
		t.Errorf("sr.Step: %v", err)
	}
	g := make([]complex128, b.P)
	if me := sr.Gradient(g, samples, false); me != -4 {
		t.Errorf("sr.Gradient mean energy %v, want −4", me)
	}
	for k := range dir {
		if math.IsNaN(real(dir[k])) || math.IsNaN(real(g[k])) || math.IsInf(real(dir[k]), 0) || math.IsInf(real(g[k]), 0) {
			t.Fatalf("parameter %d: SR direction %v, gradient %v", k, dir[k], g[k])
		}
	}
	for _, o := range []vmc.Optimizer{vmc.SR, vmc.SGD, vmc.Adam} {
		jas.SetParams(p)
		d := vmc.NewDriver(jas, ex, vmc.DriverOptions{Optimizer: o, LearningRate: 0.01, DiagShift: 0.01})
		if st, err := d.Step(); err != nil || st.Retries != 0 {
			t.Errorf("%v: driver step: %v (retries %d)", o, err, st.Retries)
		}
	}
}
