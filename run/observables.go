package run

import (
	"fmt"
	"math"

	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/observable"
	"github.com/vmc-lattice/vmc/vmc"
)

// Summary is the result of a run: the --json object of `vmc run`
// (docs/cli.md lists the keys). Non-finite values are null.
type Summary struct {
	Energy        float64  `json:"energy"`
	EnergyError   float64  `json:"energy_error"`
	EnergyPerSite float64  `json:"energy_per_site"`
	Variance      float64  `json:"variance"`
	VScore        float64  `json:"v_score"`
	TauCorr       *float64 `json:"tau_corr"`
	RHat          *float64 `json:"r_hat"`
	NSites        int      `json:"n_sites"`
	NParameters   int      `json:"n_parameters"`
	Iterations    int      `json:"iterations"`
	Units         string   `json:"units"`
	Model         string   `json:"model"`
	Lattice       string   `json:"lattice"`
	EDEnergy      *float64 `json:"ed_energy"`
	RelativeError *float64 `json:"relative_error"`
	// ReferenceEnergy is reference.energy (or energy_per_site × N), null
	// when not set; RelativeError is measured against it when ED did not
	// run.
	ReferenceEnergy  *float64 `json:"reference_energy"`
	ReferenceSource  string   `json:"reference_source,omitempty"`
	WallSeconds      float64  `json:"wall_seconds"`
	SamplesPerSecond float64  `json:"samples_per_second"`
	EvalSamples      int      `json:"evaluation_samples"`
	Threads          int      `json:"threads"`
	// Ranks is the number of MPI ranks of a distributed run (omitted for
	// one process); Threads is then per rank.
	Ranks             int     `json:"ranks,omitempty"`
	Output            string  `json:"output"`
	ResumedFrom       *int    `json:"resumed_from"` // checkpoint iteration, null for a fresh run
	LogSeconds        float64 `json:"log_seconds"`
	CheckpointSeconds float64 `json:"checkpoint_seconds"`
	CompanionSeconds  float64 `json:"companion_seconds"`
	Plot              *string `json:"plot"`
	// Observables holds the summary of every measured observable except
	// the full N×N correlation matrices (those are in the output file).
	Observables map[string]ObservableSummary `json:"observables,omitempty"`
}

// ObservableSummary is one observable in the Summary.
type ObservableSummary struct {
	Mean  []float64 `json:"mean"`
	Error []float64 `json:"error"`
	Exact []float64 `json:"exact,omitempty"`
	// MaxDeviation is max_k |mean_k − exact_k| / max(error_k, 1e-12), in
	// error bars, when exact values exist.
	MaxDeviation *float64 `json:"max_deviation_sigma,omitempty"`
}

// wantsObservables reports whether [observables] asks for anything.
func (j *Job) wantsObservables() bool {
	o := j.Problem.Config.Observables
	return o.Correlations != "none" || o.StructureFactor || o.Magnetization || len(o.Renyi2Region) > 0 || len(o.Operators) > 0
}

// observables measures [observables] on the final evaluation batch b, and
// computes the same quantities from the ED ground state when ED ran.
func (j *Job) observables(b *vmc.Batch) ([]runfile.Observable, error) {
	if !j.wantsObservables() {
		return nil, nil
	}
	p := j.Problem
	spec := p.ObservableSpec(j.threads)
	got, err := observable.Measure(b, j.Ansatz, p.Lattice, spec)
	if err != nil {
		return nil, fmt.Errorf("observables: %w", err)
	}
	if j.exactRes != nil && j.exactRes.Vector != nil {
		exact, err := observable.Exact(j.exactRes, p.Lattice, spec)
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
	if region := p.Config.Observables.Renyi2Region; len(region) > 0 {
		var o runfile.Observable
		if p.Config.Sampler.Exact {
			s2, err := observable.Renyi2Ansatz(j.Ansatz, p.NUp, region)
			if err != nil {
				return nil, fmt.Errorf("observables: Rényi-2: %w", err)
			}
			o = runfile.Observable{Name: "renyi2", Shape: []int{1}, Mean: []float64{s2}, Error: []float64{0}}
		} else {
			opts := p.SamplerOptions(j.threads)
			opts.Samples = p.Config.Observables.Renyi2Samples
			r, err := observable.Renyi2(j.Ansatz, opts, region)
			if err != nil {
				return nil, fmt.Errorf("observables: Rényi-2: %w", err)
			}
			o = runfile.Observable{Name: "renyi2", Shape: []int{1}, Mean: []float64{r.S2.Mean}, Error: []float64{r.S2.Error}}
		}
		if j.exactRes != nil && j.exactRes.Vector != nil {
			s2, err := observable.Renyi2Exact(j.exactRes.Vector, j.exactRes.Basis, region)
			if err != nil {
				return nil, fmt.Errorf("observables: exact Rényi-2: %w", err)
			}
			o.Exact = []float64{s2}
		}
		out = append(out, o)
	}
	for _, no := range p.Operators {
		st, err := observable.MeasureOperator(b, j.Ansatz, no.Op, p.NUp, j.threads)
		if err != nil {
			return nil, fmt.Errorf("observables: %s: %w", no.Name, err)
		}
		o := runfile.Observable{Name: no.Name, Shape: []int{1}, Mean: []float64{st.Mean}, Error: []float64{st.Error}}
		if j.exactRes != nil && (j.exactRes.Vector != nil || j.exactRes.ComplexVector != nil) {
			v, err := observable.ExactOperator(j.exactRes, no.Op)
			if err != nil {
				return nil, fmt.Errorf("observables: exact %s: %w", no.Name, err)
			}
			o.Exact = []float64{v}
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
func summarizeObservables(obs []runfile.Observable) map[string]ObservableSummary {
	out := map[string]ObservableSummary{}
	for _, o := range obs {
		if len(o.Shape) == 2 {
			continue
		}
		out[o.Name] = ObservableSummary{Mean: nanToZero(o.Mean), Error: nanToZero(o.Error), Exact: o.Exact, MaxDeviation: maxDeviation(o)}
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
