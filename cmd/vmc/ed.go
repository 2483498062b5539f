package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/vmc-lattice/vmc/ed"
)

type edSummary struct {
	Energy        float64   `json:"energy"`
	EnergyPerSite float64   `json:"energy_per_site"`
	Energies      []float64 `json:"energies"`
	Dimension     int       `json:"dimension"`
	TotalSz       *float64  `json:"total_sz"`
	NSites        int       `json:"n_sites"`
	Units         string    `json:"units"`
	Model         string    `json:"model"`
	Lattice       string    `json:"lattice"`
	Momentum      string    `json:"momentum"`
	Product       string    `json:"product"`
	MatVecs       int       `json:"matvecs"`
	WallSeconds   float64   `json:"wall_seconds"`
}

func cmdED(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("ed", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	states := fs.Int("states", 1, "number of lowest eigenvalues `K`")
	threads := fs.Int("threads", runtime.NumCPU(), "goroutines (results do not depend on it)")
	var sets stringList
	fs.Var(&sets, "set", "override a config key: `key=value` (repeatable)")
	pos, err := parseFlags(fs, args, e.stderr)
	if err != nil {
		return err
	}
	if err := checkThreads("ed", *threads); err != nil {
		return err
	}
	if *states < 1 {
		return usagef("ed: --states wants a positive integer, got %d", *states)
	}
	p, err := loadProblem(pos, sets)
	if err != nil {
		return err
	}
	start := time.Now()
	if dim, err := ed.SectorDim(p.NumSites(), p.NUp); err == nil && int64(*states) > dim {
		return usagef("ed: --states %d is more than the dimension %d of the sector (%s)", *states, dim, p.Sector())
	}
	res, err := p.SolveED(ctx, *states, *threads, false)
	if ctx.Err() != nil {
		return fmt.Errorf("%w: exact diagonalization stopped by a signal", errInterrupted)
	}
	if err != nil {
		return err
	}
	n := p.Lattice.NumSites()
	s := edSummary{
		Energy: res.Energies[0], EnergyPerSite: res.Energies[0] / float64(n), Energies: res.Energies,
		Dimension: res.Dimension, TotalSz: p.TotalSz, NSites: n, Units: string(p.Units),
		Model: p.Model, Lattice: p.Lattice.String(), Momentum: p.Config.ED.Momentum, Product: string(res.Product), MatVecs: res.MatVecs,
		WallSeconds: time.Since(start).Seconds(),
	}
	if *asJSON {
		return writeJSON(e.stdout, s)
	}
	fmt.Fprintf(e.stdout, "model     %s\nlattice   %s\nsector    %s, momentum %s, dimension %d\n", s.Model, s.Lattice, p.Sector(), s.Momentum, s.Dimension)
	fmt.Fprintf(e.stdout, "E0        %.12f   (%s units)\nE0/N      %.12f\n", s.Energy, s.Units, s.EnergyPerSite)
	if len(s.Energies) > 1 {
		fmt.Fprintf(e.stdout, "lowest %d:", len(s.Energies))
		for _, v := range s.Energies {
			fmt.Fprintf(e.stdout, " %.10f", v)
		}
		fmt.Fprintln(e.stdout)
	}
	fmt.Fprintf(e.stdout, "time      %.3f s (%s products, %d matrix-vector products)\n", s.WallSeconds, s.Product, s.MatVecs)
	return nil
}
