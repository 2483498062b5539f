package main

import (
	"context"
	"flag"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/run"
	"github.com/vmc-lattice/vmc/vmc"
)

// batchHook, set only by tests, is installed in every driver to inject
// faults (non-finite local energies) into sampled batches.
var batchHook func(iter, attempt int, b *vmc.Batch)

type runOptions struct {
	json    bool
	quiet   bool
	force   bool
	threads int
	seed    string
	out     string
	resume  string
	sets    stringList
	budget  memoryFlag

	// afterStep, when set (tests), is called after each logged iteration
	// with its 0-based index.
	afterStep func(iteration int)
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
	fs.Var(&o.budget, "max-memory", "refuse a run whose estimated memory exceeds `SIZE` (e.g. 8G; default: the available memory)")
	pos, err := parseFlags(fs, args, e.stderr)
	if err != nil {
		return err
	}
	if err := checkThreads("run", o.threads); err != nil {
		return err
	}
	opts := run.Options{Threads: o.threads, Force: o.force, MaxMemory: float64(o.budget), Log: e.stderr, AfterStep: o.afterStep, BatchHook: batchHook}
	if e.comm != nil {
		opts.Comm = e.comm
	}
	if o.quiet {
		opts.Log = nil
	}
	var job *run.Job
	if o.resume != "" {
		switch {
		case len(pos) > 0:
			return usagef("run: --resume continues with the configuration stored in %s; give no CONFIG (got %s)", o.resume, strings.Join(pos, " "))
		case o.seed != "":
			return usagef("run: --seed cannot be combined with --resume: the seed is part of the stored state")
		case o.out != "" && o.out != strings.TrimSuffix(o.resume, runfile.CompanionSuffix):
			return usagef("run: --out cannot be combined with --resume: the run continues in %s", o.resume)
		}
		job, err = run.Resume(o.resume, o.sets, opts)
	} else {
		sets := append([]string(nil), o.sets...)
		if o.seed != "" {
			if _, err := strconv.ParseUint(o.seed, 10, 63); err != nil {
				return usagef("run: --seed wants an integer from 0 to 2^63−1 = %d, got %q", uint64(1<<63-1), o.seed)
			}
			sets = append(sets, "seed="+o.seed)
		}
		// --out is recorded as output.file in the stored config; a name
		// that is not UTF-8 (which TOML cannot hold) is used as it is and
		// the stored output.file keeps the config's value.
		if o.out != "" && utf8.ValidString(o.out) {
			sets = append(sets, "output.file="+strconv.Quote(o.out))
		}
		p, lerr := loadProblem(pos, sets)
		if lerr != nil {
			return lerr
		}
		out := p.Config.Output.File
		if o.out != "" {
			out = o.out
		}
		job, err = run.New(p, out, opts)
	}
	if err != nil {
		return err
	}
	sum, err := job.Run(ctx)
	if err != nil {
		return err
	}
	if o.json {
		return writeJSON(e.stdout, sum)
	}
	return nil
}
