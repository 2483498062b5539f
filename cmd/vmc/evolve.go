package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"

	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/run"
)

// cmdEvolve is `vmc evolve CONFIG`: real- or imaginary-time evolution by
// the time-dependent variational principle, with the Krylov reference
// (docs/dynamics.md).
func cmdEvolve(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("evolve", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the summary as one JSON object on stdout")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	force := fs.Bool("force", false, "overwrite an existing output file")
	threads := fs.Int("threads", runtime.NumCPU(), "goroutines `N` (results do not depend on it)")
	out := fs.String("out", "", "output `FILE.h5` (overrides dynamics.output)")
	resume := fs.String("resume", "", "continue the evolution stored in `FILE.h5` (written by vmc evolve)")
	var sets stringList
	fs.Var(&sets, "set", "override a config key: `key=value` (repeatable; dynamics.* keys too)")
	pos, err := parseFlags(fs, args, e.stderr)
	if err != nil {
		return err
	}
	if err := checkThreads("evolve", *threads); err != nil {
		return err
	}
	var ev *run.Evolution
	if *resume != "" {
		if len(pos) != 0 {
			return usagef("evolve: --resume takes the configuration from %s; drop the CONFIG argument %q", *resume, pos[0])
		}
		if *out != "" && *out != *resume {
			return usagef("evolve: --resume appends to %s; --out %s would name another file", *resume, *out)
		}
		if _, serr := os.Stat(*resume); serr != nil {
			return usagef("evolve: --resume %s: no such file", *resume)
		}
		if ev, err = run.ResumeEvolution(*resume, sets); err != nil {
			if errors.Is(err, runfile.ErrNotRunFile) {
				return usagef("evolve: --resume: %v", err) // exit code 2, as for run --resume
			}
			return err
		}
	} else {
		if len(pos) != 1 {
			return usagef("evolve: want one CONFIG file with a [dynamics] table, got %d arguments", len(pos))
		}
		if ev, err = run.LoadEvolution(pos[0], sets); err != nil {
			return err
		}
	}
	o := run.EvolveOptions{Threads: *threads, Out: *out, Force: *force, Log: e.stderr}
	if *quiet {
		o.Log = nil
	}
	sum, err := ev.Run(ctx, o)
	if sum != nil {
		if *asJSON {
			if werr := writeJSON(e.stdout, sum); werr != nil {
				return werr
			}
		} else {
			fmt.Fprintf(e.stdout, "model      %s\nevolved by %s\n", sum.Model, sum.Quench)
			fmt.Fprintf(e.stdout, "t          0 → %g (%s, %d steps, %d rejected, %d evaluations)\n", sum.TEnd, sum.Integrator, sum.Steps, sum.Rejected, sum.Evaluations)
			fmt.Fprintf(e.stdout, "energy     %.10f → %.10f (drift %.2g)\n", sum.Energy0, sum.EnergyEnd, sum.EnergyDrift)
			names := make([]string, 0, len(sum.Deviation))
			for k := range sum.Deviation {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				fmt.Fprintf(e.stdout, "%-10s max |Δ| vs Krylov %.3g (relative %.3g)\n", k, sum.Deviation[k], sum.RelativeDeviation[k])
			}
			if sum.ResumedFrom != nil {
				fmt.Fprintf(e.stdout, "resumed    from t = %g (resume %d)\n", *sum.ResumedFrom, sum.Resumes)
			}
			fmt.Fprintf(e.stdout, "time       %.2f s (Krylov %.2f s)\noutput     %s\n", sum.WallSeconds, sum.ExactSeconds, sum.Output)
		}
	}
	if errors.Is(err, run.ErrInterrupted) {
		return fmt.Errorf("%w: evolution stopped by a signal at t = %g; %s written", errInterrupted, sum.TEnd, sum.Output)
	}
	return err
}
