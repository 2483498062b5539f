package main

import (
	"fmt"
	"math"

	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/observable"
	"github.com/vmc-lattice/vmc/vmc"
)

// obsSummary is one observable in the --json summary.
type obsSummary struct {
	Mean  []float64 `json:"mean"`
	Error []float64 `json:"error"`
	Exact []float64 `json:"exact,omitempty"`
	// MaxDeviation is max_k |mean_k − exact_k| / max(error_k, 1e-12), in
	// error bars, when exact values exist.
	MaxDeviation *float64 `json:"max_deviation_sigma,omitempty"`
}

// wantsObservables reports whether [observables] asks for anything.
func (j *job) wantsObservables() bool {
	o := j.cfg.Observables
	return o.Correlations != "none" || o.StructureFactor || o.Magnetization || len(o.Renyi2Region) > 0
}

// observables measures [observables] on the final evaluation batch b, and
// computes the same quantities from the ED ground state when ED ran.
func (j *job) observables(b *vmc.Batch) ([]runfile.Observable, error) {
	if !j.wantsObservables() {
		return nil, nil
	}
	spec := j.cfg.ObservableSpec(j.p, j.opts.threads)
	got, err := observable.Measure(b, j.psi, j.p.Lattice, spec)
	if err != nil {
		return nil, fmt.Errorf("observables: %w", err)
	}
	if j.edRes != nil && j.edRes.Vector != nil {
		exact, err := observable.Exact(j.edRes, j.p.Lattice, spec)
		if err != nil {
			return nil, fmt.Errorf("observables from ED: %w", err)
		}
		if err := observable.Compare(got, exact); err != nil {
			return nil, fmt.Errorf("observables: %w", err)
		}
	}
	out := make([]runfile.Observable, 0, len(got)+1)
	for i := range got {
		e := &got[i]
		out = append(out, runfile.Observable{Name: e.Name, Shape: e.Shape, Mean: e.Means(), Error: e.Errors(), Labels: e.Labels, Exact: e.Exact})
	}
	if region := j.cfg.Observables.Renyi2Region; len(region) > 0 {
		var o runfile.Observable
		if j.cfg.Sampler.Exact {
			s2, err := observable.Renyi2Ansatz(j.psi, j.p.NUp, region)
			if err != nil {
				return nil, fmt.Errorf("observables: Rényi-2: %w", err)
			}
			o = runfile.Observable{Name: "renyi2", Shape: []int{1}, Mean: []float64{s2}, Error: []float64{0}}
		} else {
			opts := j.cfg.SamplerOptions(j.p, j.opts.threads)
			opts.Samples = j.cfg.Observables.Renyi2Samples
			r, err := observable.Renyi2(j.psi, opts, region)
			if err != nil {
				return nil, fmt.Errorf("observables: Rényi-2: %w", err)
			}
			o = runfile.Observable{Name: "renyi2", Shape: []int{1}, Mean: []float64{r.S2.Mean}, Error: []float64{r.S2.Error}}
		}
		if j.edRes != nil && j.edRes.Vector != nil {
			s2, err := observable.Renyi2Exact(j.edRes.Vector, j.edRes.Basis, region)
			if err != nil {
				return nil, fmt.Errorf("observables: exact Rényi-2: %w", err)
			}
			o.Exact = []float64{s2}
		}
		out = append(out, o)
	}
	for _, o := range out {
		line := fmt.Sprintf("vmc: observable %-26s %d value(s)", o.Name, len(o.Mean))
		if len(o.Mean) == 1 {
			line += fmt.Sprintf(": %.6f ± %.6f", o.Mean[0], o.Error[0])
			if o.Exact != nil {
				line += fmt.Sprintf(" (exact %.6f)", o.Exact[0])
			}
		}
		if d := maxDeviation(o); d != nil {
			line += fmt.Sprintf(", max deviation from ED %.1f error bars", *d)
		}
		fmt.Fprintln(j.log, line)
	}
	return out, nil
}

func maxDeviation(o runfile.Observable) *float64 {
	if o.Exact == nil {
		return nil
	}
	var m float64
	for k := range o.Mean {
		d := math.Abs(o.Mean[k]-o.Exact[k]) / math.Max(o.Error[k], 1e-12)
		if !math.IsNaN(d) {
			m = math.Max(m, d)
		}
	}
	return &m
}

// summarizeObservables keeps the observables that fit a summary: everything but the
// full N×N correlation matrices.
func summarizeObservables(obs []runfile.Observable) map[string]obsSummary {
	out := map[string]obsSummary{}
	for _, o := range obs {
		if len(o.Shape) == 2 {
			continue
		}
		out[o.Name] = obsSummary{Mean: nanToZero(o.Mean), Error: nanToZero(o.Error), Exact: o.Exact, MaxDeviation: maxDeviation(o)}
	}
	return out
}

// nanToZero replaces NaN (not encodable in JSON) by 0; NaN arises only for
// undefined errors of exact (weighted) batches.
func nanToZero(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[i] = v
		}
	}
	return out
}
