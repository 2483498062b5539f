package config

import (
	"math/rand/v2"

	"vmc/ansatz"
	"vmc/observable"
	"vmc/sr"
	"vmc/vmc"
)

// Stream tags separate the random streams derived from one seed: the
// sampler's chains use (seed, chain) through SplitMix64; the initial
// parameters use this fixed second word.
const ansatzStream = 0x616e7361747a // "ansatz"

// NewAnsatz builds the wavefunction of [ansatz] for n sites with its seeded
// random initial parameters.
func (c *Config) NewAnsatz(n int) (ansatz.Ansatz, error) {
	a := c.Ansatz
	rng := rand.New(rand.NewPCG(uint64(c.Seed), ansatzStream))
	switch a.Kind {
	case "rbm":
		r := ansatz.NewRBM(n, a.Alpha, a.Dtype == "complex")
		r.InitRandom(rng, a.InitScale)
		return r, nil
	}
	return nil, keyErr("ansatz.kind", "want one of %s, got %q", quoteList(AnsatzKinds), a.Kind)
}

// SamplerOptions returns the Metropolis options of [sampler] for the
// problem p; threads only spreads the work.
func (c *Config) SamplerOptions(p *Problem, threads int) vmc.Options {
	s := c.Sampler
	o := vmc.Options{
		Chains: s.Chains, Samples: s.Samples, Sweep: s.Sweep, BurnIn: s.BurnIn,
		Discard: s.Discard, GlobalFlip: s.GlobalFlip, Seed: uint64(c.Seed),
		Threads: threads, NUp: p.NUp, Move: vmc.Local,
	}
	if p.Move == "exchange" {
		o.Move = vmc.Exchange
	}
	return o
}

// DriverOptions returns the optimizer options of [optimizer].
func (c *Config) DriverOptions(threads int) vmc.DriverOptions {
	o := c.Optimizer
	kind, _ := vmc.ParseOptimizer(o.Kind) // validated at load time
	solver, _ := sr.ParseSolver(o.Solver) // validated at load time
	return vmc.DriverOptions{Optimizer: kind, LearningRate: o.LearningRate, DiagShift: o.DiagShift, Solver: solver, Threads: threads}
}

// ObservableSpec returns what [observables] asks the final evaluation to
// measure for the problem p.
func (c *Config) ObservableSpec(p *Problem, threads int) observable.Spec {
	o := c.Observables
	return observable.Spec{
		ZZ: o.Correlations != "none", XX: o.XX && o.Correlations != "none",
		ByDistance:      o.Correlations == "distance",
		StructureFactor: o.StructureFactor, Magnetization: o.Magnetization,
		NUp: p.NUp, SignRule: p.SignRule, Threads: threads,
	}
}
