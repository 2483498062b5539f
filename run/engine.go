package run

import (
	"errors"
	"fmt"
	"time"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/internal/mpi"
	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/vmc"
)

// Engine is the in-memory part of a run: the wavefunction of a problem, its
// sampler (Markov chains or the exact sum over the sector) and the
// optimization driver. It writes nothing; Job adds the output file, exact
// diagonalization and the final report.
type Engine struct {
	Problem *Problem
	Ansatz  ansatz.Ansatz
	// Sampler draws the batches of the driver and of the evaluation.
	Sampler vmc.BatchSampler
	// Chains is the Metropolis sampler, nil when the configuration sums
	// exactly (sampler.exact).
	Chains  *vmc.Sampler
	Driver  *vmc.Driver
	threads int

	comm mpi.Comm     // nil: one process
	dist *distSampler // the chains are spread over the ranks of comm
}

// NewEngine builds the ansatz of p with its seeded initial parameters, the
// sampler and the driver. threads only spreads the work: results do not
// depend on it.
func NewEngine(p *Problem, threads int) (*Engine, error) {
	if threads < 1 {
		panic(fmt.Sprintf("run: NewEngine with %d threads", threads))
	}
	e := &Engine{Problem: p, threads: threads}
	var err error
	if e.Ansatz, err = p.NewAnsatz(); err != nil {
		return nil, err
	}
	if p.Config.Sampler.Orbits {
		// The observables of a run (correlation matrices, Rényi entropies)
		// are not invariant under the group; only vmc evolve sums orbits.
		return nil, &config.Error{File: p.Name, Key: "sampler.orbits", Msg: "orbit sums are supported by vmc evolve only"}
	}
	if p.Config.Sampler.Exact {
		ex, err := vmc.NewExact(e.Ansatz, p.Op, p.NUp, threads)
		if err != nil {
			return nil, &config.Error{File: p.Name, Key: "sampler.exact", Msg: err.Error()}
		}
		e.Sampler = ex
	} else {
		mc, err := vmc.NewSampler(e.Ansatz, p.Op, p.SamplerOptions(threads))
		if err != nil {
			return nil, &config.Error{File: p.Name, Key: "sampler", Msg: err.Error()}
		}
		e.Sampler, e.Chains = mc, mc
	}
	e.Driver = vmc.NewDriver(e.Ansatz, e.Sampler, p.DriverOptions(threads))
	return e, nil
}

// Threads returns the number of goroutines the engine uses.
func (e *Engine) Threads() int { return e.threads }

// Step runs one optimization iteration.
func (e *Engine) Step() (vmc.IterStats, error) { return e.Driver.Step() }

// Optimize runs the iterations left up to optimizer.iterations.
func (e *Engine) Optimize() error {
	for e.Driver.Iteration() < e.Problem.Config.Optimizer.Iterations {
		if _, err := e.Step(); err != nil {
			return err
		}
	}
	return nil
}

// NumSamples returns the samples of one optimization batch: chains ×
// samples per chain, or the dimension of the sector for exact sums.
func (e *Engine) NumSamples() int {
	if e.Chains != nil {
		return e.Chains.NumSamples()
	}
	if ex, ok := e.Sampler.(*vmc.Exact); ok {
		return ex.Dim()
	}
	return e.Problem.Config.Sampler.Samples
}

// Evaluate draws evaluate.samples fresh samples (every configuration of
// the sector, for exact sums) at the current parameters into dst and
// returns the energy statistics and the time the sampling took.
func (e *Engine) Evaluate(dst *vmc.Batch) (vmc.Stats, time.Duration, error) {
	if e.Chains != nil {
		if err := e.Chains.SetSamples(e.Problem.Config.Evaluate.Samples); err != nil {
			return vmc.Stats{}, 0, err
		}
	}
	st, dt := vmc.Evaluate(e.Sampler, dst)
	return st, dt, nil
}

// Params returns a copy of the variational parameters.
func (e *Engine) Params() []complex128 {
	params := make([]complex128, e.Ansatz.NumParams())
	e.Ansatz.Params(params)
	return params
}

// checkpoint returns the state after the last iteration; wall is the run
// time so far.
func (e *Engine) checkpoint(wall float64) *runfile.Checkpoint {
	ck := &runfile.Checkpoint{Iteration: e.Driver.Iteration(), Params: e.Params(), Driver: e.Driver.State(), WallSeconds: wall}
	if e.Chains != nil {
		st := e.samplerState()
		ck.Sampler = &st
	}
	return ck
}

// restore puts the parameters, the optimizer and the chains in the state
// of ck.
func (e *Engine) restore(ck *runfile.Checkpoint) error {
	if p := e.Ansatz.NumParams(); len(ck.Params) != p {
		return fmt.Errorf("the checkpoint has %d parameters, the ansatz %d", len(ck.Params), p)
	}
	e.Ansatz.SetParams(ck.Params)
	if err := e.Driver.SetState(ck.Driver); err != nil {
		return err
	}
	switch {
	case e.Chains != nil && ck.Sampler == nil:
		return errors.New("the checkpoint has no Markov chains, the configuration samples with them")
	case e.Chains == nil && ck.Sampler != nil:
		return errors.New("the checkpoint has Markov chains, the configuration sums exactly")
	case e.Chains != nil:
		return e.Chains.SetState(*ck.Sampler)
	}
	return nil
}
