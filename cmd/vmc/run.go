package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/internal/buildinfo"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/vmc"
)

// batchHook, set only by tests, is installed in every driver to inject
// faults (non-finite local energies) into sampled batches.
var batchHook func(iter, attempt int, b *vmc.Batch)

// runSummary is the --json object of vmc run (docs/cli.md lists the keys).
type runSummary struct {
	Energy            float64  `json:"energy"`
	EnergyError       float64  `json:"energy_error"`
	EnergyPerSite     float64  `json:"energy_per_site"`
	Variance          float64  `json:"variance"`
	VScore            float64  `json:"v_score"`
	TauCorr           *float64 `json:"tau_corr"`
	RHat              *float64 `json:"r_hat"`
	NSites            int      `json:"n_sites"`
	NParameters       int      `json:"n_parameters"`
	Iterations        int      `json:"iterations"`
	Units             string   `json:"units"`
	Model             string   `json:"model"`
	Lattice           string   `json:"lattice"`
	EDEnergy          *float64 `json:"ed_energy"`
	RelativeError     *float64 `json:"relative_error"`
	WallSeconds       float64  `json:"wall_seconds"`
	SamplesPerSecond  float64  `json:"samples_per_second"`
	EvalSamples       int      `json:"evaluation_samples"`
	Threads           int      `json:"threads"`
	Output            string   `json:"output"`
	ResumedFrom       *int     `json:"resumed_from"` // checkpoint iteration, null for a fresh run
	LogSeconds        float64  `json:"log_seconds"`
	CheckpointSeconds float64  `json:"checkpoint_seconds"`
	CompanionSeconds  float64  `json:"companion_seconds"`
	Plot              *string  `json:"plot"`
	// Observables holds the summary of every measured observable except
	// the full N×N correlation matrices (those are in the output file).
	Observables map[string]obsSummary `json:"observables,omitempty"`
}

type runOptions struct {
	json    bool
	quiet   bool
	force   bool
	threads int
	seed    string
	out     string
	resume  string
	sets    stringList

	// afterStep, when set (tests), is called after each logged iteration
	// with its 0-based index.
	afterStep func(iteration int)
}

// resumeKeys are the config keys that --set may change with --resume: none
// of them changes the optimization trajectory, so a resumed run stays
// identical to an uninterrupted one with the new values.
var resumeKeys = []string{
	"optimizer.iterations", "evaluate.samples", "output.checkpoint_every",
	"output.plot", "ed.mode", "ed.max_dim",
}

func cmdRun(ctx context.Context, args []string, e env) error {
	var o runOptions
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.BoolVar(&o.json, "json", false, "print the final summary as one JSON object on stdout")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress on stderr")
	fs.BoolVar(&o.force, "force", false, "overwrite an existing output file")
	fs.IntVar(&o.threads, "threads", runtime.NumCPU(), "goroutines `N` (results do not depend on it)")
	fs.StringVar(&o.seed, "seed", "", "random seed `S` (overrides the config's seed)")
	fs.StringVar(&o.out, "out", "", "output `FILE.h5` (overrides output.file)")
	fs.StringVar(&o.resume, "resume", "", "continue the run stored in `FILE.h5` from its last checkpoint")
	fs.Var(&o.sets, "set", "override a config key: `key=value` (repeatable)")
	pos, err := parseFlags(fs, args, e.stderr)
	if err != nil {
		return err
	}
	if o.threads < 1 {
		return usagef("run: --threads wants a positive integer, got %d", o.threads)
	}
	if o.resume != "" {
		return resumeRun(ctx, pos, o, e)
	}
	sets := append([]string(nil), o.sets...)
	if o.seed != "" {
		if _, err := strconv.ParseUint(o.seed, 10, 63); err != nil {
			return usagef("run: --seed wants a non-negative integer, got %q", o.seed)
		}
		sets = append(sets, "seed="+o.seed)
	}
	if o.out != "" {
		sets = append(sets, "output.file="+strconv.Quote(o.out))
	}
	cfg, name, err := loadConfig(pos, sets)
	if err != nil {
		return err
	}
	if err := cfg.ValidateOutput(name, cfg.Output.File); err != nil {
		return err
	}
	return runJob(ctx, cfg, name, cfg.Output.File, o, e, nil)
}

// resumeRun continues the run stored in o.resume: the configuration is the
// one stored in the file, with --set limited to resumeKeys.
func resumeRun(ctx context.Context, pos []string, o runOptions, e env) error {
	switch {
	case len(pos) > 0:
		return usagef("run: --resume continues with the configuration stored in %s; give no CONFIG (got %s)", o.resume, strings.Join(pos, " "))
	case o.seed != "":
		return usagef("run: --seed cannot be combined with --resume: the seed is part of the stored state")
	case o.out != "" && o.out != strings.TrimSuffix(o.resume, runfile.CompanionSuffix):
		return usagef("run: --out cannot be combined with --resume: the run continues in %s", o.resume)
	}
	for _, s := range o.sets {
		if k := strings.TrimSpace(strings.SplitN(s, "=", 2)[0]); !slices.Contains(resumeKeys, k) {
			return usagef("run: --set %s cannot be combined with --resume: only %s may change (the others would change the run)", k, strings.Join(resumeKeys, ", "))
		}
	}
	prev, err := runfile.Load(o.resume)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usagef("run: --resume %s: no such file", o.resume)
	case errors.Is(err, runfile.ErrNotRunFile):
		return usagef("run: --resume: %v", err)
	case errors.Is(err, runfile.ErrNoCheckpoint):
		return usagef("run: --resume %s: %v (the run stopped before its first checkpoint: start it again with --force)", o.resume, err)
	case errors.Is(err, runfile.ErrInUse):
		return fmt.Errorf("run: --resume: %w", err)
	case err != nil:
		return err
	}
	name := prev.Path + " (attribute config)"
	cfg, err := config.Parse(name, []byte(prev.Meta.Config), o.sets)
	if err != nil {
		return err
	}
	out := strings.TrimSuffix(o.resume, runfile.CompanionSuffix)
	if err := cfg.ValidateOutput(name, out); err != nil {
		return err
	}
	return runJob(ctx, cfg, name, out, o, e, prev)
}

// job is one run's state, built from the config.
type job struct {
	cfg  *config.Config
	p    *config.Problem
	opts runOptions
	e    env
	log  io.Writer // progress (stderr, or io.Discard with --quiet)
	out  string

	psi ansatz.Ansatz
	smp vmc.BatchSampler
	mc  *vmc.Sampler // nil when summing exactly
	d   *vmc.Driver
	w   *runfile.Writer
	ed  *runfile.ED
	// edRes is the ED result with the ground-state vector when observables
	// are compared with it.
	edRes *ed.Result

	start time.Time
	base  float64 // run time before this process (resumed runs)

	loopStart time.Time // when this process started iterating
	firstIter int       // the iteration it started from
}

// wall returns the cumulative run time in seconds, earlier processes of a
// resumed run included.
func (j *job) wall() float64 { return j.base + time.Since(j.start).Seconds() }

// runJob runs the optimization of cfg and its final evaluation, writing
// the output file out. prev, when not nil, is the run to continue.
func runJob(ctx context.Context, cfg *config.Config, name, out string, o runOptions, e env, prev *runfile.Run) (err error) {
	j := &job{cfg: cfg, opts: o, e: e, log: e.stderr, out: out, start: time.Now()}
	if o.quiet {
		j.log = io.Discard
	}
	if j.p, err = cfg.Build(); err != nil {
		return err
	}
	if j.psi, err = cfg.NewAnsatz(j.p); err != nil {
		return err
	}
	if err := j.newOptimizer(); err != nil {
		return err
	}
	iters := cfg.Optimizer.Iterations
	meta := j.meta(name)
	fmt.Fprintf(j.log, "vmc: %s on %s, %s\n", j.p.Model, j.p.Lattice, sectorText(j.p))
	fmt.Fprintf(j.log, "vmc: ansatz %s, %d parameters; optimizer %s, %d iterations, %d samples × %d chains, %d threads; output %s\n",
		meta.Ansatz, j.psi.NumParams(), cfg.Optimizer.Kind, iters, cfg.Sampler.Samples, cfg.Sampler.Chains, o.threads, out)
	if prev != nil {
		ck := prev.Checkpoint
		if ck.Iteration > iters {
			return usagef("run: --resume %s: the checkpoint is at iteration %d, beyond optimizer.iterations = %d", o.resume, ck.Iteration, iters)
		}
		if err := j.restore(ck); err != nil {
			return fmt.Errorf("resume from %s: %w", prev.Path, err)
		}
		j.base = ck.WallSeconds
		meta.Created, meta.ConfigName = prev.Meta.Created, prev.Meta.ConfigName
		meta.Resumes, meta.Resumed = prev.Meta.Resumes+1, time.Now().UTC()
		j.w, err = runfile.Resume(out, prev, meta)
		if err == nil {
			j.ed = prev.ED
			fmt.Fprintf(j.log, "vmc: resuming %s at iteration %d of %d (checkpoint from %s)\n", out, ck.Iteration, iters, prev.Path)
		}
	} else {
		j.w, err = runfile.Create(out, o.force, meta, runfile.LatticeOf(j.p.Lattice))
		if errors.Is(err, runfile.ErrExists) {
			return usagef("run: %v: use --force to overwrite it, or --resume %s to continue it", err, out)
		}
	}
	if err != nil {
		return err
	}
	defer func() {
		if cerr := j.w.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()

	if j.ed == nil {
		if err := j.exactDiag(); err != nil {
			return err
		}
	}
	if prev == nil {
		// Iteration 0 is a checkpoint too: a run killed before its first
		// periodic checkpoint resumes without redoing ED.
		if err := j.checkpoint(); err != nil {
			return err
		}
	}
	if err := j.optimize(ctx); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return j.interrupted()
	}
	sum, err := j.evaluate()
	if err != nil {
		return err
	}
	if prev != nil {
		it := prev.Checkpoint.Iteration
		sum.ResumedFrom = &it
	}
	if err := j.w.Close(); err != nil {
		return err
	}
	if plot := cfg.Output.Plot; plot != "" {
		if err := plotFile(out, plot); err != nil {
			return err
		}
		fmt.Fprintf(j.log, "vmc: convergence plot written to %s\n", plot)
		sum.Plot = &plot
	}
	j.report(sum)
	if o.json {
		return json.NewEncoder(e.stdout).Encode(sum)
	}
	return nil
}

// meta returns the root attributes of the output file for this run.
func (j *job) meta(name string) runfile.Meta {
	c := j.cfg
	opt := c.Optimizer.Kind
	if opt == "sr" {
		opt += fmt.Sprintf(" (solver %s, diag_shift %g)", c.Optimizer.Solver, c.Optimizer.DiagShift)
	}
	opt += fmt.Sprintf(", learning_rate %g", c.Optimizer.LearningRate)
	m := runfile.Meta{
		Program: buildinfo.Program, Version: buildinfo.Version, Commit: buildinfo.Commit(),
		Created: time.Now().UTC(), Config: c.TOML(), ConfigName: name, Seed: c.Seed,
		Units: string(j.p.Units), Model: j.p.Model, Lattice: j.p.Lattice.String(),
		Ansatz: ansatzText(c.Ansatz), Optimizer: opt,
		NSites: j.p.Lattice.NumSites(), NParameters: j.psi.NumParams(),
		NSamples: c.Sampler.Samples, Iterations: c.Optimizer.Iterations,
	}
	if j.mc != nil {
		m.NChains, m.NSamples = c.Sampler.Chains, j.mc.NumSamples()
	} else if ex, ok := j.smp.(*vmc.Exact); ok {
		m.NSamples = ex.Dim() // every configuration of the sector, each with its weight
	}
	return m
}

// ansatzText describes the wavefunction in one line.
func ansatzText(a config.AnsatzConfig) string {
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
	}
	return fmt.Sprintf("%s dtype=%s", a.Kind, a.Dtype)
}

// newOptimizer builds the sampler and the driver.
func (j *job) newOptimizer() error {
	cfg, threads := j.cfg, j.opts.threads
	if cfg.Sampler.Exact {
		ex, err := vmc.NewExact(j.psi, j.p.Op, j.p.NUp, threads)
		if err != nil {
			return &config.Error{File: "config", Key: "sampler.exact", Msg: err.Error()}
		}
		j.smp = ex
	} else {
		mc, err := vmc.NewSampler(j.psi, j.p.Op, cfg.SamplerOptions(j.p, threads))
		if err != nil {
			return &config.Error{File: "config", Key: "sampler", Msg: err.Error()}
		}
		j.smp, j.mc = mc, mc
	}
	j.d = vmc.NewDriver(j.psi, j.smp, cfg.DriverOptions(threads))
	if batchHook != nil {
		j.d.SetBatchHook(batchHook)
	}
	return nil
}

// restore puts the parameters, the optimizer and the chains in the state
// of ck.
func (j *job) restore(ck *runfile.Checkpoint) error {
	if p := j.psi.NumParams(); len(ck.Params) != p {
		return fmt.Errorf("the checkpoint has %d parameters, the ansatz %d", len(ck.Params), p)
	}
	j.psi.SetParams(ck.Params)
	if err := j.d.SetState(ck.Driver); err != nil {
		return err
	}
	switch {
	case j.mc != nil && ck.Sampler == nil:
		return errors.New("the checkpoint has no Markov chains, the configuration samples with them")
	case j.mc == nil && ck.Sampler != nil:
		return errors.New("the checkpoint has Markov chains, the configuration sums exactly")
	case j.mc != nil:
		return j.mc.SetState(*ck.Sampler)
	}
	return nil
}

// checkpoint saves the current state (after the last logged iteration).
func (j *job) checkpoint() error {
	params := make([]complex128, j.psi.NumParams())
	j.psi.Params(params)
	ck := &runfile.Checkpoint{Iteration: j.d.Iteration(), Params: params, Driver: j.d.State(), WallSeconds: j.wall()}
	if j.mc != nil {
		st := j.mc.State()
		ck.Sampler = &st
	}
	return j.w.Checkpoint(ck)
}

// optimize runs the remaining iterations, logging each one and saving a
// checkpoint every output.checkpoint_every iterations and at the end. It
// stops between iterations when ctx is cancelled, after a checkpoint.
func (j *job) optimize(ctx context.Context) error {
	iters := j.cfg.Optimizer.Iterations
	every := j.cfg.Output.CheckpointEvery
	show := max(1, iters/25)
	j.loopStart, j.firstIter = time.Now(), j.d.Iteration()
	for j.d.Iteration() < iters && ctx.Err() == nil {
		st, err := j.d.Step()
		if err != nil {
			return err
		}
		row := runfile.Row{
			Iteration: st.Iteration, Energy: st.Energy.Mean, EnergyError: st.Energy.Error,
			EnergyImag: st.Energy.MeanImag, Variance: st.Energy.Variance, Acceptance: st.Acceptance,
			TauCorr: st.Energy.TauCorr, RHat: st.Energy.RHat, Retries: st.Retries, WallSeconds: j.wall(),
		}
		if err := j.w.LogIteration(row); err != nil {
			return err
		}
		if it := j.d.Iteration(); every > 0 && it%every == 0 && it < iters {
			if err := j.checkpoint(); err != nil {
				return err
			}
		}
		if st.Iteration%show == 0 || st.Iteration == iters-1 {
			j.progress(st, iters)
		}
		if j.opts.afterStep != nil {
			j.opts.afterStep(st.Iteration)
		}
	}
	if j.w.CheckpointIteration() != j.d.Iteration() {
		return j.checkpoint()
	}
	return nil
}

// interrupted reports a run stopped by a signal; its checkpoint is saved.
func (j *job) interrupted() error {
	fmt.Fprintf(j.log, "vmc: stopped at iteration %d; checkpoint saved in %s; continue with: vmc run --resume %s\n",
		j.d.Iteration(), j.out, j.out)
	return errInterrupted
}

// evaluate draws fresh samples at the final parameters, stores the result
// and returns the summary.
func (j *job) evaluate() (runSummary, error) {
	cfg, p, n := j.cfg, j.p, j.p.Lattice.NumSites()
	if j.mc != nil {
		if err := j.mc.SetSamples(cfg.Evaluate.Samples); err != nil {
			return runSummary{}, err
		}
	}
	optEnd := j.wall()
	var b vmc.Batch
	est, evalTime := vmc.Evaluate(j.smp, &b)
	sum := runSummary{
		Energy: est.Mean, EnergyError: est.Error, EnergyPerSite: est.Mean / float64(n),
		Variance: est.Variance, VScore: float64(n) * est.Variance / (est.Mean * est.Mean),
		TauCorr: finiteOrNil(est.TauCorr), RHat: finiteOrNil(est.RHat),
		NSites: n, NParameters: j.psi.NumParams(), Iterations: j.d.Iteration(),
		Units: string(p.Units), Model: p.Model, Lattice: p.Lattice.String(),
		EvalSamples: b.Ns, Threads: j.opts.threads, Output: j.out,
		SamplesPerSecond: float64(b.Ns) / evalTime.Seconds(),
	}
	res := runfile.Result{
		Energy: est.Mean, EnergyError: est.Error, EnergyImag: est.MeanImag, EnergyPerSite: sum.EnergyPerSite,
		Variance: est.Variance, VScore: sum.VScore, TauCorr: est.TauCorr, RHat: est.RHat,
		Iterations: sum.Iterations, EvaluationSamples: b.Ns, SamplesPerSecond: sum.SamplesPerSecond,
		OptimizationSeconds: optEnd, EvaluationSeconds: evalTime.Seconds(),
	}
	if j.ed != nil {
		e0 := j.ed.Energies[0]
		rel := math.Abs(est.Mean-e0) / math.Abs(e0)
		sum.EDEnergy, sum.RelativeError = &e0, &rel
		res.EDEnergy, res.RelativeError = &e0, &rel
		res.EDSeconds = j.ed.WallSeconds
		res.OptimizationSeconds -= j.ed.WallSeconds
	}
	obs, err := j.observables(&b)
	if err != nil {
		return sum, err
	}
	if len(obs) > 0 {
		if err := j.w.WriteObservables(obs); err != nil {
			return sum, err
		}
		sum.Observables = summarizeObservables(obs)
	}
	params := make([]complex128, j.psi.NumParams())
	j.psi.Params(params)
	sum.LogSeconds, sum.CheckpointSeconds, sum.CompanionSeconds = j.w.LogSeconds(), j.w.CheckpointSeconds(), j.w.CompanionSeconds()
	res.LogSeconds, res.CheckpointSeconds, res.CompanionSeconds = sum.LogSeconds, sum.CheckpointSeconds, sum.CompanionSeconds
	sum.WallSeconds = j.wall()
	res.WallSeconds = sum.WallSeconds
	return sum, j.w.WriteResult(res, params)
}

// exactDiag runs ED when [ed] mode asks for it (auto: when the sector fits
// max_dim) and stores its energies.
func (j *job) exactDiag() error {
	mode := j.cfg.ED.Mode
	if mode == "off" {
		return nil
	}
	n := j.p.Lattice.NumSites()
	dim, err := ed.SectorDim(n, j.p.NUp)
	switch {
	case mode == "auto" && err != nil:
		fmt.Fprintf(j.log, "vmc: exact diagonalization skipped (%d sites: beyond what ED can enumerate)\n", n)
		return nil
	case mode == "auto" && dim > int64(j.cfg.ED.MaxDim):
		fmt.Fprintf(j.log, "vmc: exact diagonalization skipped (sector dimension %d > ed.max_dim = %d)\n", dim, j.cfg.ED.MaxDim)
		return nil
	}
	t := time.Now()
	res, err := solveED(j.cfg, j.p, 1, j.opts.threads, j.wantsObservables())
	if err != nil {
		if mode == "auto" {
			fmt.Fprintf(j.log, "vmc: exact diagonalization skipped: %v\n", err)
			return nil
		}
		return err
	}
	e := runfile.ED{Energies: res.Energies, Dimension: int64(res.Dimension), TotalSz: j.p.TotalSz, WallSeconds: time.Since(t).Seconds()}
	if err := j.w.WriteED(e); err != nil {
		return err
	}
	j.ed = &e
	j.edRes = res
	e0 := e.Energies[0]
	fmt.Fprintf(j.log, "vmc: exact ground state E0 = %.10f (E0/N = %.10f, dimension %d, %.2f s)\n", e0, e0/float64(n), res.Dimension, e.WallSeconds)
	return nil
}

func (j *job) progress(st vmc.IterStats, iters int) {
	done := st.Iteration + 1
	elapsed := time.Since(j.loopStart)
	left := time.Duration(float64(elapsed) / float64(done-j.firstIter) * float64(iters-done))
	line := fmt.Sprintf("iter %5d/%d  E = %.6f ± %.6f  var %.4g  acc %.2f", done, iters, st.Energy.Mean, st.Energy.Error, st.Energy.Variance, st.Acceptance)
	if j.ed != nil {
		e0 := j.ed.Energies[0]
		line += fmt.Sprintf("  rel.err %.2e", math.Abs(st.Energy.Mean-e0)/math.Abs(e0))
	}
	if st.Retries > 0 {
		line += fmt.Sprintf("  (%d retries)", st.Retries)
	}
	line += fmt.Sprintf("  [%s, %s left]", elapsed.Round(time.Second/10), left.Round(time.Second))
	fmt.Fprintln(j.log, line)
}

func (j *job) report(s runSummary) {
	w := j.log
	fmt.Fprintf(w, "vmc: final energy  E = %.8f ± %.8f (%s units), E/N = %.8f\n", s.Energy, s.EnergyError, s.Units, s.EnergyPerSite)
	fmt.Fprintf(w, "vmc: variance %.4g, V-score %.3g, %d evaluation samples at %.0f samples/s\n", s.Variance, s.VScore, s.EvalSamples, s.SamplesPerSecond)
	if s.EDEnergy != nil {
		fmt.Fprintf(w, "vmc: exact E0 = %.8f, relative error %.3e\n", *s.EDEnergy, *s.RelativeError)
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
