package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/vmc-lattice/vmc/run"
)

// cmdCheck is the pre-flight: it loads and validates the config exactly as
// run does, then reports sizes, ED feasibility, memory and physics warnings.
func cmdCheck(_ context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	var sets stringList
	fs.Var(&sets, "set", "override a config key: `key=value` (repeatable)")
	var budget memoryFlag
	fs.Var(&budget, "max-memory", "memory budget `SIZE` of the run (e.g. 8G; default: the available memory)")
	pos, err := parseFlags(fs, args, e.stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("check: want exactly one CONFIG file")
	}
	p, err := loadProblem(pos, sets)
	if err != nil {
		return err
	}
	if err := p.Config.ValidateOutput(p.Name, p.Config.Output.File); err != nil {
		return err
	}
	r, err := run.Check(p, float64(budget))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, r)
	}
	w := e.stdout
	fmt.Fprintf(w, "config      %s: valid\n", r.Config)
	fmt.Fprintf(w, "model       %s\n", r.Model)
	fmt.Fprintf(w, "lattice     %s, bipartite: %v\n", r.Lattice, r.Bipartite)
	if r.Dimension != nil {
		fmt.Fprintf(w, "sector      %s, dimension %d\n", sector(r.TotalSz), *r.Dimension)
	} else {
		fmt.Fprintf(w, "sector      %s, dimension beyond enumeration\n", sector(r.TotalSz))
	}
	if r.EDFeasible {
		will := "will run (ed.mode)"
		if !r.EDWillRun {
			will = "will not run (ed.mode / ed.max_dim)"
		}
		fmt.Fprintf(w, "ED          feasible, %s; %s\n", will, r.EDPlan)
	} else {
		fmt.Fprintf(w, "ED          not feasible: %s\n", r.EDPlan)
	}
	fmt.Fprintf(w, "ansatz      %s, %d parameters", r.Ansatz, r.NParameters)
	if r.GroupSize > 0 {
		fmt.Fprintf(w, ", symmetry group of %d elements", r.GroupSize)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "sampler     %s moves, %d samples per iteration\n", r.Move, r.Samples)
	if r.SRSolver != "" {
		fmt.Fprintf(w, "SR memory   %s solver (selected): %s; cholesky %s, cg %s, minsr %s\n", r.SRSolver, run.Bytes(r.SRBytes),
			run.Bytes(r.SRBytesBySol[0]), run.Bytes(r.SRBytesBySol[1]), run.Bytes(r.SRBytesBySol[2]))
	}
	fmt.Fprintf(w, "memory      about %s of %s available", run.Bytes(r.MemoryBytes), run.Bytes(r.MemoryBudget))
	for i, m := range r.Memory {
		if i == 3 {
			break
		}
		fmt.Fprintf(w, "; %s: %s (%s)", m.Key, run.Bytes(m.Bytes), m.What)
	}
	fmt.Fprintln(w)
	for _, m := range r.Warnings {
		fmt.Fprintf(w, "warning     %s\n", m)
	}
	return nil
}

func sector(sz *float64) string {
	if sz == nil {
		return "all S^z"
	}
	return fmt.Sprintf("S^z_tot = %g", *sz)
}
