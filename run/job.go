package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/internal/buildinfo"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/internal/mpi"
	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/vmc"
)

// ErrInterrupted is returned by Job.Run when its context was cancelled
// between iterations; the checkpoint of the last iteration is saved.
var ErrInterrupted = errors.New("interrupted")

// InputError is a mistake in what the user asked for (not a configuration
// key): an output file that exists, a resume that cannot continue. The
// command line reports it with the usage exit code.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErrorf(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}

// ResumeKeys are the config keys that may change when a run is resumed:
// none of them changes the optimization trajectory, so a resumed run stays
// identical to an uninterrupted one with the new values.
var ResumeKeys = []string{
	"optimizer.iterations", "evaluate.samples", "output.checkpoint_every",
	"output.plot", "ed.mode", "ed.max_dim",
	"observables.correlations", "observables.xx", "observables.structure_factor",
	"observables.magnetization", "observables.renyi2_region", "observables.renyi2_samples", "observables.operators",
	"reference.energy", "reference.energy_per_site", "reference.source",
}

// Options are the settings of a run that are not part of its
// configuration; none of them changes the numbers.
type Options struct {
	// Threads is the number of goroutines (at least 1).
	Threads int
	// Force replaces an existing output file.
	Force bool
	// MaxMemory is the memory budget in bytes: a run whose estimated
	// memory (Problem.Memory) exceeds it is refused before anything is
	// allocated. ≤ 0 means AvailableMemory().
	MaxMemory float64
	// Log receives progress and messages; nil discards them.
	Log io.Writer
	// Comm spreads the run over the ranks of a communicator (docs/mpi.md);
	// nil is one process. Every rank builds its own Job with the same
	// arguments and calls Run; rank 0 alone writes the run file and Log,
	// runs ED and measures the observables. Results do not depend on the
	// number of ranks.
	Comm mpi.Comm

	// AfterStep, when set (tests), is called after each logged iteration
	// with its 0-based index.
	AfterStep func(iteration int)
	// BatchHook, when set (tests), is installed in the driver to inject
	// faults into sampled batches (see vmc.Driver.SetBatchHook).
	BatchHook func(iter, attempt int, b *vmc.Batch)
}

// Job is one run of `vmc run`: an Engine, the HDF5 run file it writes, exact
// diagonalization and the final evaluation with observables.
type Job struct {
	*Engine
	opts Options
	log  io.Writer
	out  string
	prev *runfile.Run // the run this job continues, nil for a fresh one

	file  *runfile.Writer
	exact *runfile.ED
	// exactRes is the ED result with the ground-state vector when observables
	// are compared with it.
	exactRes *ed.Result

	start time.Time
	base  float64 // run time before this process (resumed runs)

	loopStart time.Time // when this process started iterating
	firstIter int       // the iteration it started from
	lastCkpt  int       // the iteration of the last checkpoint
	leader    bool      // rank 0 (or one process): writes the file and Log
}

// New prepares a fresh run of p that writes the run file out.
func New(p *Problem, out string, o Options) (*Job, error) {
	if err := p.Config.ValidateOutput(p.Name, out); err != nil {
		return nil, err
	}
	return newJob(p, out, o, nil)
}

// Resume prepares the continuation of the run stored in path (the run file
// or its checkpoint companion) with the configuration stored in it;
// overrides may change the ResumeKeys only.
func Resume(path string, overrides []string, o Options) (*Job, error) {
	for _, s := range overrides {
		if k := strings.TrimSpace(strings.SplitN(s, "=", 2)[0]); !slices.Contains(ResumeKeys, k) {
			return nil, inputErrorf("--set %s cannot be combined with --resume: only %s may change (the others would change the run)", k, strings.Join(ResumeKeys, ", "))
		}
	}
	prev, err := runfile.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, inputErrorf("--resume %s: no such file", path)
	case errors.Is(err, runfile.ErrNotRunFile):
		return nil, inputErrorf("--resume: %v", err)
	case errors.Is(err, runfile.ErrNoCheckpoint):
		return nil, inputErrorf("--resume %s: %v (the run stopped before its first checkpoint: start it again with --force)", path, err)
	case errors.Is(err, runfile.ErrInUse):
		return nil, fmt.Errorf("run: --resume: %w", err)
	case err != nil:
		return nil, err
	}
	p, err := Parse(prev.Path+" (attribute config)", []byte(prev.Meta.Config), overrides)
	if err != nil {
		return nil, err
	}
	out := strings.TrimSuffix(path, runfile.CompanionSuffix)
	if err := p.Config.ValidateOutput(p.Name, out); err != nil {
		return nil, err
	}
	if it, iters := prev.Checkpoint.Iteration, p.Config.Optimizer.Iterations; it > iters {
		return nil, inputErrorf("--resume %s: the checkpoint is at iteration %d, beyond optimizer.iterations = %d", path, it, iters)
	}
	return newJob(p, out, o, prev)
}

func newJob(p *Problem, out string, o Options, prev *runfile.Run) (*Job, error) {
	if err := p.CheckMemory(o.MaxMemory); err != nil {
		return nil, err
	}
	e, err := NewEngine(p, o.Threads)
	if err != nil {
		return nil, err
	}
	if o.Comm != nil {
		e.distribute(o.Comm)
	}
	if o.BatchHook != nil {
		e.Driver.SetBatchHook(o.BatchHook)
	}
	j := &Job{Engine: e, opts: o, log: o.Log, out: out, prev: prev, start: time.Now()}
	j.leader = o.Comm == nil || o.Comm.Rank() == 0
	if j.log == nil || !j.leader {
		j.log = io.Discard
	}
	if prev != nil {
		j.lastCkpt = prev.Checkpoint.Iteration
		if err := e.restore(prev.Checkpoint); err != nil {
			return nil, fmt.Errorf("resume from %s: %w", prev.Path, err)
		}
		j.base = prev.Checkpoint.WallSeconds
	}
	return j, nil
}

// Output returns the run file the job writes.
func (j *Job) Output() string { return j.out }

// wall returns the cumulative run time in seconds, earlier processes of a
// resumed run included.
func (j *Job) wall() float64 { return j.base + time.Since(j.start).Seconds() }

// Run runs the optimization and its final evaluation, writing the run file:
// exact diagonalization first where [ed] asks for it, a checkpoint at
// iteration 0 and every output.checkpoint_every iterations, the log row of
// every iteration, the result, and output.plot at the end. When ctx is
// cancelled it stops between iterations, saves a checkpoint and returns
// ErrInterrupted.
func (j *Job) Run(ctx context.Context) (sum *Summary, err error) {
	if c := j.opts.Comm; c != nil && c.Size() > 1 {
		// Every rank has read what it resumes from before rank 0 takes
		// the file.
		c.Barrier()
		if !j.leader {
			return j.follow(ctx)
		}
	}
	p, cfg := j.Problem, j.Problem.Config
	iters := cfg.Optimizer.Iterations
	meta := j.meta()
	fmt.Fprintf(j.log, "vmc: %s on %s, %s\n", p.Model, p.Lattice, p.Sector())
	fmt.Fprintf(j.log, "vmc: ansatz %s, %d parameters; optimizer %s, %d iterations, %d samples × %d chains, %d threads; output %s\n",
		meta.Ansatz, j.Ansatz.NumParams(), cfg.Optimizer.Kind, iters, cfg.Sampler.Samples, cfg.Sampler.Chains, j.threads, j.out)
	if c := j.opts.Comm; c != nil && c.Size() > 1 {
		fmt.Fprintf(j.log, "vmc: %d MPI ranks × %d threads; rank 0 writes the file\n", c.Size(), j.threads)
	}
	if prev := j.prev; prev != nil {
		meta.Created, meta.ConfigName = prev.Meta.Created, prev.Meta.ConfigName
		meta.Resumes, meta.Resumed = prev.Meta.Resumes+1, time.Now().UTC()
		j.file, err = runfile.Resume(j.out, prev, meta)
		if err == nil {
			j.exact = prev.ED
			fmt.Fprintf(j.log, "vmc: resuming %s at iteration %d of %d (checkpoint from %s)\n", j.out, prev.Checkpoint.Iteration, iters, prev.Path)
		}
	} else {
		j.file, err = runfile.Create(j.out, j.opts.Force, meta, runfile.LatticeOf(p.Lattice))
		if errors.Is(err, runfile.ErrExists) {
			return nil, inputErrorf("%v: use --force to overwrite it, or --resume %s to continue it", err, j.out)
		}
	}
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := j.file.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()

	if j.exact == nil {
		if err := j.exactDiag(ctx); err != nil {
			return nil, err
		}
	}
	if j.prev == nil {
		// Iteration 0 is a checkpoint too: a run killed before its first
		// periodic checkpoint resumes without redoing ED.
		if err := j.checkpoint(); err != nil {
			return nil, err
		}
	}
	if err := j.optimize(ctx); err != nil {
		return nil, err
	}
	if j.stopped(ctx.Err()) {
		fmt.Fprintf(j.log, "vmc: stopped at iteration %d; checkpoint saved in %s; continue with: vmc run --resume %s\n",
			j.Driver.Iteration(), j.out, j.out)
		return nil, ErrInterrupted
	}
	sum, err = j.evaluate()
	if err != nil {
		return nil, err
	}
	if j.prev != nil {
		it := j.prev.Checkpoint.Iteration
		sum.ResumedFrom = &it
	}
	if err := j.file.Close(); err != nil {
		return nil, err
	}
	if plot := cfg.Output.Plot; plot != "" {
		if err := PlotFile(j.out, plot); err != nil {
			return nil, err
		}
		fmt.Fprintf(j.log, "vmc: convergence plot written to %s\n", plot)
		sum.Plot = &plot
	}
	j.report(sum)
	if c := j.opts.Comm; c != nil && c.Size() > 1 {
		fmt.Fprintf(j.log, "vmc: rank 0 spent %.3f s gathering batches from %d ranks\n", j.GatherSeconds(), c.Size())
	}
	return sum, nil
}

// PlotFile draws the convergence plot of the run file path into plot.
func PlotFile(path, plot string) error {
	r, err := runfile.Read(path)
	if err != nil {
		return err
	}
	return runfile.PlotConvergence(r, plot)
}

// meta returns the root attributes of the output file for this run.
func (j *Job) meta() runfile.Meta {
	p, c := j.Problem, j.Problem.Config
	opt := c.Optimizer.Kind
	if opt == "sr" {
		opt += fmt.Sprintf(" (solver %s, diag_shift %g)", c.Optimizer.Solver, c.Optimizer.DiagShift)
	}
	opt += fmt.Sprintf(", learning_rate %g", c.Optimizer.LearningRate)
	m := runfile.Meta{
		Program: buildinfo.Program, Version: buildinfo.Version, Commit: buildinfo.Commit(),
		Created: time.Now().UTC(), Config: c.TOML(), ConfigName: p.Name, Seed: c.Seed,
		Units: string(p.Units), Model: p.Model, Lattice: p.Lattice.String(),
		Ansatz: AnsatzText(c.Ansatz), Optimizer: opt,
		NSites: p.NumSites(), NParameters: j.Ansatz.NumParams(),
		NSamples: j.NumSamples(), Iterations: c.Optimizer.Iterations,
	}
	if j.Chains != nil {
		m.NChains = c.Sampler.Chains
	}
	return m
}

// AnsatzText describes the wavefunction of a config in one line.
func AnsatzText(a config.AnsatzConfig) string {
	s := ansatzKindText(a)
	if a.Symmetries != "none" {
		s += " symmetries=" + a.Symmetries
	}
	return s
}

func ansatzKindText(a config.AnsatzConfig) string {
	switch a.Kind {
	case "rbm", "rbm-symm":
		s := fmt.Sprintf("%s alpha=%d dtype=%s", a.Kind, a.Alpha, a.Dtype)
		if a.SpinFlip {
			s += " spin_flip"
		}
		return s
	case "ffnn":
		return fmt.Sprintf("ffnn layers=%v activation=%s dtype=%s", a.Layers, a.Activation, a.Dtype)
	case "gcnn":
		return fmt.Sprintf("gcnn features=%v activation=%s dtype=%s characters=%s", a.Features, a.Activation, a.Dtype, a.Characters)
	}
	return fmt.Sprintf("%s dtype=%s", a.Kind, a.Dtype)
}

// checkpoint saves the current state (after the last logged iteration).
// With ranks every rank calls it (the chain states are gathered) and rank
// 0 writes it.
func (j *Job) checkpoint() error {
	ck := j.Engine.checkpoint(j.wall())
	j.lastCkpt = ck.Iteration
	if !j.leader {
		return nil
	}
	return j.file.Checkpoint(ck)
}

// follow is Run on a rank other than 0: the same collective steps as rank
// 0 (the checkpoint gathers, every iteration, the evaluation) without the
// run file, ED, observables or messages. Its summary holds the energies,
// which are those of rank 0.
func (j *Job) follow(ctx context.Context) (*Summary, error) {
	if j.prev == nil {
		if err := j.checkpoint(); err != nil {
			return nil, err
		}
	}
	if err := j.optimize(ctx); err != nil {
		return nil, err
	}
	if j.stopped(ctx.Err()) {
		return nil, ErrInterrupted
	}
	return j.evaluate()
}

// optimize runs the remaining iterations, logging each one and saving a
// checkpoint every output.checkpoint_every iterations and at the end. It
// stops between iterations when ctx is cancelled, after a checkpoint.
func (j *Job) optimize(ctx context.Context) error {
	iters := j.Problem.Config.Optimizer.Iterations
	every := j.Problem.Config.Output.CheckpointEvery
	show := max(1, iters/25)
	j.loopStart, j.firstIter = time.Now(), j.Driver.Iteration()
	for j.Driver.Iteration() < iters && !j.stopped(ctx.Err()) {
		st, err := j.Step()
		if err != nil {
			return err
		}
		if err := j.checkAgree(); err != nil {
			return fmt.Errorf("iteration %d: %w", st.Iteration, err)
		}
		row := runfile.Row{
			Iteration: st.Iteration, Energy: st.Energy.Mean, EnergyError: st.Energy.Error,
			EnergyImag: st.Energy.MeanImag, Variance: st.Energy.Variance, Acceptance: st.Acceptance,
			TauCorr: st.Energy.TauCorr, RHat: st.Energy.RHat, Retries: st.Retries, WallSeconds: j.wall(),
		}
		if j.leader {
			if err := j.file.LogIteration(row); err != nil {
				return err
			}
		}
		if it := j.Driver.Iteration(); every > 0 && it%every == 0 && it < iters {
			if err := j.checkpoint(); err != nil {
				return err
			}
		}
		if st.Iteration%show == 0 || st.Iteration == iters-1 {
			j.progress(st, iters)
		}
		if j.opts.AfterStep != nil {
			j.opts.AfterStep(st.Iteration)
		}
	}
	if j.lastCkpt != j.Driver.Iteration() {
		return j.checkpoint()
	}
	return nil
}

// evaluate draws fresh samples at the final parameters, stores the result
// and returns the summary.
func (j *Job) evaluate() (*Summary, error) {
	p := j.Problem
	n := p.NumSites()
	optEnd := j.wall()
	var b vmc.Batch
	est, evalTime, err := j.Evaluate(&b)
	if err != nil {
		return nil, err
	}
	sum := &Summary{
		Energy: est.Mean, EnergyError: est.Error, EnergyPerSite: est.Mean / float64(n),
		Variance: est.Variance, VScore: float64(n) * est.Variance / (est.Mean * est.Mean),
		TauCorr: finiteOrNil(est.TauCorr), RHat: finiteOrNil(est.RHat),
		NSites: n, NParameters: j.Ansatz.NumParams(), Iterations: j.Driver.Iteration(),
		Units: string(p.Units), Model: p.Model, Lattice: p.Lattice.String(),
		EvalSamples: b.Ns, Threads: j.threads, Output: j.out,
		SamplesPerSecond: float64(b.Ns) / evalTime.Seconds(),
	}
	if c := j.opts.Comm; c != nil && c.Size() > 1 {
		sum.Ranks = c.Size()
	}
	if !j.leader {
		return sum, nil
	}
	res := runfile.Result{
		Energy: est.Mean, EnergyError: est.Error, EnergyImag: est.MeanImag, EnergyPerSite: sum.EnergyPerSite,
		Variance: est.Variance, VScore: sum.VScore, TauCorr: est.TauCorr, RHat: est.RHat,
		Iterations: sum.Iterations, EvaluationSamples: b.Ns, SamplesPerSecond: sum.SamplesPerSecond,
		OptimizationSeconds: optEnd, EvaluationSeconds: evalTime.Seconds(),
	}
	if j.exact != nil {
		e0 := j.exact.Energies[0]
		rel := math.Abs(est.Mean-e0) / math.Abs(e0)
		sum.EDEnergy, sum.RelativeError = &e0, &rel
		res.EDEnergy, res.RelativeError = &e0, &rel
		res.EDSeconds = j.exact.WallSeconds
		res.OptimizationSeconds -= j.exact.WallSeconds
	}
	if eref, ok := p.ReferenceEnergy(); ok {
		sum.ReferenceEnergy, sum.ReferenceSource = &eref, p.Config.Reference.Source
		if j.exact == nil {
			rel := math.Abs(est.Mean-eref) / math.Abs(eref)
			sum.RelativeError, res.RelativeError = &rel, &rel
		}
	}
	obs, err := j.observables(&b)
	if err != nil {
		return sum, err
	}
	if len(obs) > 0 {
		if err := j.file.WriteObservables(obs); err != nil {
			return sum, err
		}
		sum.Observables = summarizeObservables(obs)
	}
	sum.LogSeconds, sum.CheckpointSeconds, sum.CompanionSeconds = j.file.LogSeconds(), j.file.CheckpointSeconds(), j.file.CompanionSeconds()
	res.LogSeconds, res.CheckpointSeconds, res.CompanionSeconds = sum.LogSeconds, sum.CheckpointSeconds, sum.CompanionSeconds
	sum.WallSeconds = j.wall()
	res.WallSeconds = sum.WallSeconds
	return sum, j.file.WriteResult(res, j.Params())
}

// exactDiag runs ED when [ed] mode asks for it (auto: when the sector fits
// max_dim) and stores its energies. A cancelled ctx stops it with an error
// wrapping ErrInterrupted.
func (j *Job) exactDiag(ctx context.Context) error {
	p := j.Problem
	mode := p.Config.ED.Mode
	if mode == "off" {
		return nil
	}
	n := p.NumSites()
	dim, err := ed.SectorDim(n, p.NUp)
	switch {
	case mode == "auto" && err != nil:
		fmt.Fprintf(j.log, "vmc: exact diagonalization skipped (%d sites: beyond what ED can enumerate)\n", n)
		return nil
	case mode == "auto" && dim > int64(p.Config.ED.MaxDim):
		fmt.Fprintf(j.log, "vmc: exact diagonalization skipped (sector dimension %d > ed.max_dim = %d)\n", dim, p.Config.ED.MaxDim)
		return nil
	}
	t := time.Now()
	res, err := p.SolveED(ctx, 1, j.threads, j.wantsObservables())
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w during exact diagonalization, before the first checkpoint: nothing to resume; start the run again", ErrInterrupted)
		}
		if mode == "auto" {
			fmt.Fprintf(j.log, "vmc: exact diagonalization skipped: %v\n", err)
			return nil
		}
		return err
	}
	e := runfile.ED{Energies: res.Energies, Dimension: int64(res.Dimension), TotalSz: p.TotalSz, WallSeconds: time.Since(t).Seconds()}
	if err := j.file.WriteED(e); err != nil {
		return err
	}
	j.exact = &e
	j.exactRes = res
	e0 := e.Energies[0]
	fmt.Fprintf(j.log, "vmc: exact ground state E0 = %.10f (E0/N = %.10f, dimension %d, %.2f s)\n", e0, e0/float64(n), res.Dimension, e.WallSeconds)
	return nil
}

// SolveED diagonalizes the problem's Hamiltonian in its sector: the k
// lowest eigenvalues, and the ground-state vector when vector is true.
// With [ed] momentum set it works in that translation sector, where no
// ground-state vector is available (vector is then ignored). A cancelled
// ctx stops it promptly (ed.SolveContext).
func (p *Problem) SolveED(ctx context.Context, k, threads int, vector bool) (*ed.Result, error) {
	sym, err := p.EDSymmetry()
	if err != nil {
		return nil, err
	}
	if sym != nil {
		vector = false
	}
	res, err := ed.SolveContext(ctx, p.Op, p.NUp, ed.Options{K: k, Threads: threads, Vector: vector, Symmetry: sym})
	if err != nil {
		return nil, fmt.Errorf("exact diagonalization: %w", err)
	}
	return res, nil
}

func (j *Job) progress(st vmc.IterStats, iters int) {
	done := st.Iteration + 1
	elapsed := time.Since(j.loopStart)
	left := elapsed.Seconds() / float64(done-j.firstIter) * float64(iters-done)
	line := fmt.Sprintf("iter %5d/%d  E = %.6f ± %.6f  var %.4g  acc %.2f", done, iters, st.Energy.Mean, st.Energy.Error, st.Energy.Variance, st.Acceptance)
	if j.exact != nil {
		e0 := j.exact.Energies[0]
		line += fmt.Sprintf("  rel.err %.2e", math.Abs(st.Energy.Mean-e0)/math.Abs(e0))
	}
	if st.Retries > 0 {
		line += fmt.Sprintf("  (%d retries)", st.Retries)
	}
	line += fmt.Sprintf("  [%s, %s left]", elapsed.Round(time.Second/10), remaining(left))
	fmt.Fprintln(j.log, line)
}

func (j *Job) report(s *Summary) {
	w := j.log
	fmt.Fprintf(w, "vmc: final energy  E = %.8f ± %.8f (%s units), E/N = %.8f\n", s.Energy, s.EnergyError, s.Units, s.EnergyPerSite)
	fmt.Fprintf(w, "vmc: variance %.4g, V-score %.3g, %d evaluation samples at %.0f samples/s\n", s.Variance, s.VScore, s.EvalSamples, s.SamplesPerSecond)
	if s.EDEnergy != nil {
		fmt.Fprintf(w, "vmc: exact E0 = %.8f, relative error %.3e\n", *s.EDEnergy, *s.RelativeError)
	} else if s.ReferenceEnergy != nil {
		src := ""
		if s.ReferenceSource != "" {
			src = " (" + s.ReferenceSource + ")"
		}
		fmt.Fprintf(w, "vmc: reference E = %.8f%s, relative error %.3e\n", *s.ReferenceEnergy, src, *s.RelativeError)
	}
	fmt.Fprintf(w, "vmc: results in %s (writing: log %.3f s, checkpoints %.3f s + %.3f s in the background); done in %.1f s\n",
		s.Output, s.LogSeconds, s.CheckpointSeconds, s.CompanionSeconds, s.WallSeconds)
}

func finiteOrNil(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// remaining formats a time left in seconds; beyond what a time.Duration
// holds (292 years) or a useful clock reading it switches to hours.
func remaining(sec float64) string {
	if sec < 100*3600 {
		return (time.Duration(sec) * time.Second).Round(time.Second).String()
	}
	return fmt.Sprintf("%.3g h", sec/3600)
}
