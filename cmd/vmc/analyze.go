package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/internal/runfile"
)

// analyzeSummary is the --json object of vmc analyze. Energies are totals
// in the run's units. The final-evaluation keys (energy ... relative_error)
// are null until the run finished; last_energy and last_energy_error are
// those of the last logged iteration.
type analyzeSummary struct {
	File                string   `json:"file"`
	ReadFrom            string   `json:"read_from"` // the main file, or its companion when the main file is unreadable
	Status              string   `json:"status"`    // "finished", "running" (a process writes the file now) or "incomplete"
	Program             string   `json:"program"`
	Version             string   `json:"version"`
	Created             string   `json:"created"`
	Resumes             int      `json:"resumes"`
	Model               string   `json:"model"`
	Lattice             string   `json:"lattice"`
	Ansatz              string   `json:"ansatz"`
	Optimizer           string   `json:"optimizer"`
	Units               string   `json:"units"`
	Seed                int64    `json:"seed"`
	NSites              int      `json:"n_sites"`
	NParameters         int      `json:"n_parameters"`
	NChains             int      `json:"n_chains"`
	NSamples            int      `json:"n_samples"`
	Iterations          int      `json:"iterations"`
	IterationsPlanned   int      `json:"iterations_planned"`
	CheckpointIteration *int     `json:"checkpoint_iteration"`
	Energy              *float64 `json:"energy"`
	EnergyError         *float64 `json:"energy_error"`
	EnergyPerSite       *float64 `json:"energy_per_site"`
	Variance            *float64 `json:"variance"`
	VScore              *float64 `json:"v_score"`
	EvalSamples         *int     `json:"evaluation_samples"`
	LastEnergy          *float64 `json:"last_energy"`
	LastEnergyError     *float64 `json:"last_energy_error"`
	EDEnergy            *float64 `json:"ed_energy"`
	EDDimension         *int64   `json:"ed_dimension"`
	RelativeError       *float64 `json:"relative_error"`
	WallSeconds         float64  `json:"wall_seconds"`
	SecondsPerIteration *float64 `json:"seconds_per_iteration"`
	SamplesPerSecond    *float64 `json:"samples_per_second"`
	LogSeconds          *float64 `json:"log_seconds"`
	CheckpointSeconds   *float64 `json:"checkpoint_seconds"`
	CompanionSeconds    *float64 `json:"companion_seconds"`
	Plot                *string  `json:"plot"`
}

type analyzeOptions struct {
	json bool
	plot string
}

func cmdAnalyze(_ context.Context, args []string, e env) error {
	var o analyzeOptions
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.BoolVar(&o.json, "json", false, "print the summary as one JSON object on stdout")
	fs.StringVar(&o.plot, "plot", "", "draw the energy convergence (a dynamics file: the curves against time) into `OUT.png` (.svg, .pdf too)")
	pos, err := parseFlags(fs, args, e.stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("analyze wants one FILE.h5, got %d arguments", len(pos))
	}
	if o.plot != "" {
		ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(o.plot), "."))
		if !slices.Contains(config.PlotFormats, ext) {
			return usagef("analyze: --plot wants a file name ending in one of %s (the format), got %q", config.QuoteList(config.PlotFormats), o.plot)
		}
	}
	if runfile.IsDynamics(pos[0]) {
		return analyzeDynamics(pos[0], o, e)
	}
	r, err := readRun(pos[0], e.stderr)
	if err != nil {
		return err
	}
	s := summarize(pos[0], r)
	if r.Result == nil && runfile.Busy(pos[0]) {
		s.Status = "running"
	}
	if o.plot != "" {
		if err := runfile.PlotConvergence(r, o.plot); err != nil {
			return err
		}
		s.Plot = &o.plot
		if !o.json {
			defer fmt.Fprintf(e.stderr, "vmc: convergence plot written to %s\n", o.plot)
		}
	}
	if o.json {
		return writeJSON(e.stdout, s)
	}
	printSummary(e.stdout, s)
	return nil
}

// readRun reads a run file. When it cannot, because a running vmc holds it
// (HDF5's file lock) or a kill -9 left it unreadable, it reads the
// checkpoint companion instead and says so on stderr.
func readRun(path string, stderr io.Writer) (*runfile.Run, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, usagef("%s: no such file", path)
	}
	r, err := runfile.Read(path)
	if err == nil {
		return r, nil
	}
	comp := runfile.CompanionPath(path)
	if _, serr := os.Stat(comp); serr != nil {
		if errors.Is(err, runfile.ErrNotRunFile) {
			return nil, usagef("analyze: %v", err) // exit code 2, as for run --resume
		}
		return nil, err
	}
	r, cerr := runfile.Read(comp)
	if cerr != nil {
		return nil, errors.Join(err, cerr)
	}
	if errors.Is(err, runfile.ErrInUse) {
		fmt.Fprintf(stderr, "vmc: %s is being written by a running vmc: showing its last checkpoint, from %s\n"+
			"vmc: (file locking is on in this process: unset HDF5_USE_FILE_LOCKING to read the live file)\n", path, comp)
	} else {
		fmt.Fprintf(stderr, "vmc: %v\nvmc: showing the last checkpoint, from %s (vmc run --resume %s repairs the file)\n", err, comp, path)
	}
	return r, nil
}

func summarize(file string, r *runfile.Run) analyzeSummary {
	m := r.Meta
	s := analyzeSummary{
		File: file, ReadFrom: r.Path, Status: "incomplete",
		Program: m.Program, Version: m.Version, Created: m.Created.Format(time.RFC3339), Resumes: m.Resumes,
		Model: m.Model, Lattice: m.Lattice, Ansatz: m.Ansatz, Optimizer: m.Optimizer, Units: m.Units, Seed: m.Seed,
		NSites: m.NSites, NParameters: m.NParameters, NChains: m.NChains, NSamples: m.NSamples,
		Iterations: len(r.Log), IterationsPlanned: m.Iterations,
	}
	if ck := r.Checkpoint; ck != nil {
		s.CheckpointIteration = &ck.Iteration
	}
	if n := len(r.Log); n > 0 {
		last := r.Log[n-1]
		s.LastEnergy, s.LastEnergyError = &last.Energy, &last.EnergyError
		s.WallSeconds = last.WallSeconds
		if n > 1 {
			spi := (last.WallSeconds - r.Log[0].WallSeconds) / float64(n-1)
			s.SecondsPerIteration = &spi
		}
	}
	if r.ED != nil && len(r.ED.Energies) > 0 {
		s.EDEnergy, s.EDDimension = &r.ED.Energies[0], &r.ED.Dimension
	}
	if res := r.Result; res != nil {
		s.Status = "finished"
		s.Energy, s.EnergyError, s.EnergyPerSite = &res.Energy, &res.EnergyError, &res.EnergyPerSite
		s.Variance, s.VScore, s.EvalSamples = &res.Variance, &res.VScore, &res.EvaluationSamples
		s.RelativeError = res.RelativeError
		s.WallSeconds = res.WallSeconds
		s.SamplesPerSecond, s.LogSeconds, s.CheckpointSeconds = &res.SamplesPerSecond, &res.LogSeconds, &res.CheckpointSeconds
		s.CompanionSeconds = &res.CompanionSeconds
	} else if s.EDEnergy != nil && s.LastEnergy != nil {
		rel := math.Abs(*s.LastEnergy-*s.EDEnergy) / math.Abs(*s.EDEnergy)
		s.RelativeError = &rel
	}
	return s
}

func printSummary(w io.Writer, s analyzeSummary) {
	fmt.Fprintf(w, "file        %s", s.File)
	if s.ReadFrom != s.File {
		fmt.Fprintf(w, " (read from %s)", s.ReadFrom)
	}
	fmt.Fprintf(w, "\nrun         %s, %s %s, created %s", s.Status, s.Program, s.Version, s.Created)
	if s.Resumes > 0 {
		fmt.Fprintf(w, ", resumed %d×", s.Resumes)
	}
	fmt.Fprintf(w, "\nmodel       %s\nlattice     %s\n", s.Model, s.Lattice)
	fmt.Fprintf(w, "ansatz      %s, %d parameters\n", s.Ansatz, s.NParameters)
	fmt.Fprintf(w, "optimizer   %s\n", s.Optimizer)
	sampling := fmt.Sprintf("%d samples per iteration", s.NSamples)
	if s.NChains > 0 {
		sampling += fmt.Sprintf(" on %d chains", s.NChains)
	} else {
		sampling = "exact sum over the sector"
	}
	fmt.Fprintf(w, "sizes       N = %d sites, %s, seed %d\n", s.NSites, sampling, s.Seed)
	fmt.Fprintf(w, "iterations  %d of %d", s.Iterations, s.IterationsPlanned)
	if s.CheckpointIteration != nil {
		fmt.Fprintf(w, ", checkpoint at %d", *s.CheckpointIteration)
	}
	fmt.Fprintln(w)
	if s.Energy != nil {
		fmt.Fprintf(w, "energy      %.10f ± %.10f (%s units), E/N = %.10f\n", *s.Energy, *s.EnergyError, s.Units, *s.EnergyPerSite)
		fmt.Fprintf(w, "variance    %.6g, V-score %.3g, %d evaluation samples\n", *s.Variance, *s.VScore, *s.EvalSamples)
	} else if s.LastEnergy != nil {
		fmt.Fprintf(w, "energy      %.10f ± %.10f (%s units), last iteration (no final evaluation yet)\n", *s.LastEnergy, *s.LastEnergyError, s.Units)
	}
	if s.EDEnergy != nil {
		fmt.Fprintf(w, "exact E0    %.10f (dimension %d)", *s.EDEnergy, *s.EDDimension)
		if s.RelativeError != nil {
			fmt.Fprintf(w, ", relative error %.3e", *s.RelativeError)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "time        %.2f s", s.WallSeconds)
	if s.SecondsPerIteration != nil {
		fmt.Fprintf(w, ", %.4f s per iteration", *s.SecondsPerIteration)
	}
	if s.SamplesPerSecond != nil {
		fmt.Fprintf(w, ", evaluation %.0f samples/s", *s.SamplesPerSecond)
	}
	if s.LogSeconds != nil {
		fmt.Fprintf(w, "; writing: log %.3f s, checkpoints %.3f s + %.3f s in the background", *s.LogSeconds, *s.CheckpointSeconds, *s.CompanionSeconds)
	}
	fmt.Fprintln(w)
}
