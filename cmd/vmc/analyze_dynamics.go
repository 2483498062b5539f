package main

import (
	"fmt"

	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/run"
)

// dynamicsSummary is the --json object of vmc analyze for a file of vmc
// evolve: the summary of vmc evolve --json plus the file's status.
type dynamicsSummary struct {
	File   string `json:"file"`
	Kind   string `json:"kind"`   // "dynamics"
	Status string `json:"status"` // "finished" (t_end reached) or "incomplete"
	*run.EvolveSummary
	Plot *string `json:"plot"`
}

// analyzeDynamics is vmc analyze for a file written by vmc evolve.
func analyzeDynamics(path string, o analyzeOptions, e env) error {
	d, err := runfile.ReadDynamics(path)
	if err != nil {
		return err
	}
	s := dynamicsSummary{File: path, Kind: "dynamics", Status: "incomplete", EvolveSummary: run.SummarizeDynamics(d, path)}
	if d.Finished {
		s.Status = "finished"
	}
	if o.plot != "" {
		if err := runfile.PlotDynamics(d, o.plot); err != nil {
			return err
		}
		s.Plot = &o.plot
		if !o.json {
			defer fmt.Fprintf(e.stderr, "vmc: dynamics plot written to %s\n", o.plot)
		}
	}
	if o.json {
		return writeJSON(e.stdout, s)
	}
	w := e.stdout
	fmt.Fprintf(w, "file         %s (dynamics, %s)\n", path, s.Status)
	fmt.Fprintf(w, "model        %s\nevolved by   %s\n", s.Model, s.Quench)
	kind := "real"
	if s.Imaginary {
		kind = "imaginary"
	}
	fmt.Fprintf(w, "time         0 → %g (%s time, %s, %d times, %d steps, %d rejected, %d evaluations)\n", s.TEnd, kind, s.Integrator, s.Times, s.Steps, s.Rejected, s.Evaluations)
	fmt.Fprintf(w, "energy       %.10f → %.10f (drift %.2g)\n", s.Energy0, s.EnergyEnd, s.EnergyDrift)
	for _, c := range d.Observables {
		if dev, ok := s.Deviation[c.Name]; ok {
			fmt.Fprintf(w, "%-12s max |Δ| vs Krylov %.3g (relative %.3g)\n", c.Name, dev, s.RelativeDeviation[c.Name])
		} else {
			fmt.Fprintf(w, "%-12s final %.6f ± %.2g (no exact reference)\n", c.Name, c.Mean[len(c.Mean)-1], c.Error[len(c.Error)-1])
		}
	}
	fmt.Fprintf(w, "wall time    %.2f s over %d resumes (Krylov %.2f s)\n", s.WallSeconds, s.Resumes, s.ExactSeconds)
	return nil
}
