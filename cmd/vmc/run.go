package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"time"

	"vmc/ed"
	"vmc/internal/config"
	"vmc/vmc"
)

// runSummary is the --json object of vmc run (keys fixed by ARCHITECTURE.md).
type runSummary struct {
	Energy           float64  `json:"energy"`
	EnergyError      float64  `json:"energy_error"`
	EnergyPerSite    float64  `json:"energy_per_site"`
	Variance         float64  `json:"variance"`
	VScore           float64  `json:"v_score"`
	TauCorr          *float64 `json:"tau_corr"`
	RHat             *float64 `json:"r_hat"`
	NSites           int      `json:"n_sites"`
	NParameters      int      `json:"n_parameters"`
	Iterations       int      `json:"iterations"`
	Units            string   `json:"units"`
	Model            string   `json:"model"`
	Lattice          string   `json:"lattice"`
	EDEnergy         *float64 `json:"ed_energy"`
	RelativeError    *float64 `json:"relative_error"`
	WallSeconds      float64  `json:"wall_seconds"`
	SamplesPerSecond float64  `json:"samples_per_second"`
	EvalSamples      int      `json:"evaluation_samples"`
	Threads          int      `json:"threads"`
	Output           *string  `json:"output"`
}

type runOptions struct {
	json    bool
	quiet   bool
	force   bool
	threads int
	seed    string
	out     string
	sets    stringList
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
	fs.Var(&o.sets, "set", "override a config key: `key=value` (repeatable)")
	pos, err := parseFlags(fs, args, e.stderr)
	if err != nil {
		return err
	}
	if o.threads < 1 {
		return usagef("run: --threads wants a positive integer, got %d", o.threads)
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
	cfg, _, err := loadConfig(pos, sets)
	if err != nil {
		return err
	}
	return runJob(ctx, cfg, o, e)
}

// job is one run's state, built from the config.
type job struct {
	cfg  *config.Config
	p    *config.Problem
	opts runOptions
	e    env
	log  io.Writer // progress (stderr, or io.Discard with --quiet)

	edEnergy *float64
}

func runJob(ctx context.Context, cfg *config.Config, o runOptions, e env) error {
	start := time.Now()
	p, err := cfg.Build()
	if err != nil {
		return err
	}
	j := &job{cfg: cfg, p: p, opts: o, e: e, log: e.stderr}
	if o.quiet {
		j.log = io.Discard
	}
	n := p.Lattice.NumSites()
	psi, err := cfg.NewAnsatz(p)
	if err != nil {
		return err
	}
	fmt.Fprintf(j.log, "vmc: %s on %s, %s\n", p.Model, p.Lattice, sectorText(p))
	fmt.Fprintf(j.log, "vmc: ansatz %s alpha=%d (%s), %d parameters; optimizer %s, %d iterations, %d samples × %d chains, %d threads\n",
		cfg.Ansatz.Kind, cfg.Ansatz.Alpha, cfg.Ansatz.Dtype, psi.NumParams(), cfg.Optimizer.Kind,
		cfg.Optimizer.Iterations, cfg.Sampler.Samples, cfg.Sampler.Chains, o.threads)

	if err := j.exactDiag(); err != nil {
		return err
	}

	var smp vmc.BatchSampler
	var mc *vmc.Sampler
	if cfg.Sampler.Exact {
		ex, err := vmc.NewExact(psi, p.Op, p.NUp, o.threads)
		if err != nil {
			return &config.Error{File: "config", Key: "sampler.exact", Msg: err.Error()}
		}
		smp = ex
	} else {
		mc, err = vmc.NewSampler(psi, p.Op, cfg.SamplerOptions(p, o.threads))
		if err != nil {
			return &config.Error{File: "config", Key: "sampler", Msg: err.Error()}
		}
		smp = mc
	}
	d := vmc.NewDriver(psi, smp, cfg.DriverOptions(o.threads))

	iters := cfg.Optimizer.Iterations
	every := max(1, iters/25)
	optStart := time.Now()
	for it := d.Iteration(); it < iters; it++ {
		if ctx.Err() != nil {
			return errInterrupted
		}
		st, err := d.Step()
		if err != nil {
			return err
		}
		if it%every == 0 || it == iters-1 {
			j.progress(st, iters, time.Since(optStart))
		}
	}

	// Final evaluation with fresh samples and no log-derivatives.
	if mc != nil {
		if err := mc.SetSamples(cfg.Evaluate.Samples); err != nil {
			return err
		}
	}
	var b vmc.Batch
	est, evalTime := vmc.Evaluate(smp, &b)
	sum := runSummary{
		Energy: est.Mean, EnergyError: est.Error, EnergyPerSite: est.Mean / float64(n),
		Variance: est.Variance, VScore: float64(n) * est.Variance / (est.Mean * est.Mean),
		TauCorr: finiteOrNil(est.TauCorr), RHat: finiteOrNil(est.RHat),
		NSites: n, NParameters: psi.NumParams(), Iterations: d.Iteration(),
		Units: string(p.Units), Model: p.Model, Lattice: p.Lattice.String(),
		EDEnergy: j.edEnergy, EvalSamples: b.Ns, Threads: o.threads,
		SamplesPerSecond: float64(b.Ns) / evalTime.Seconds(),
	}
	if j.edEnergy != nil {
		rel := math.Abs(est.Mean-*j.edEnergy) / math.Abs(*j.edEnergy)
		sum.RelativeError = &rel
	}
	sum.WallSeconds = time.Since(start).Seconds()
	j.report(sum)
	if o.json {
		return json.NewEncoder(e.stdout).Encode(sum)
	}
	return nil
}

// exactDiag runs ED when [ed] mode asks for it (auto: when the sector fits
// max_dim).
func (j *job) exactDiag() error {
	mode := j.cfg.ED.Mode
	if mode == "off" {
		return nil
	}
	n := j.p.Lattice.NumSites()
	dim, err := ed.SectorDim(n, j.p.NUp)
	if mode == "auto" && (err != nil || dim > int64(j.cfg.ED.MaxDim)) {
		fmt.Fprintf(j.log, "vmc: exact diagonalization skipped (sector dimension %d > ed.max_dim = %d)\n", dim, j.cfg.ED.MaxDim)
		return nil
	}
	t := time.Now()
	res, err := solveED(j.p, 1, j.opts.threads)
	if err != nil {
		if mode == "auto" {
			fmt.Fprintf(j.log, "vmc: exact diagonalization skipped: %v\n", err)
			return nil
		}
		return err
	}
	e0 := res.Energies[0]
	j.edEnergy = &e0
	fmt.Fprintf(j.log, "vmc: exact ground state E0 = %.10f (E0/N = %.10f, dimension %d, %.2f s)\n", e0, e0/float64(n), res.Dimension, time.Since(t).Seconds())
	return nil
}

func (j *job) progress(st vmc.IterStats, iters int, elapsed time.Duration) {
	done := st.Iteration + 1
	left := time.Duration(float64(elapsed) / float64(done) * float64(iters-done))
	line := fmt.Sprintf("iter %5d/%d  E = %.6f ± %.6f  var %.4g  acc %.2f", done, iters, st.Energy.Mean, st.Energy.Error, st.Energy.Variance, st.Acceptance)
	if j.edEnergy != nil {
		line += fmt.Sprintf("  rel.err %.2e", math.Abs(st.Energy.Mean-*j.edEnergy)/math.Abs(*j.edEnergy))
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
	fmt.Fprintf(w, "vmc: done in %.1f s\n", s.WallSeconds)
}

func finiteOrNil(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
