package run

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/internal/h5io"
	"github.com/vmc-lattice/vmc/internal/runfile"
	"github.com/vmc-lattice/vmc/sr"
	"github.com/vmc-lattice/vmc/tdvp"
	"github.com/vmc-lattice/vmc/vmc"
)

// DynamicsConfig is the [dynamics] table of `vmc evolve` (docs/dynamics.md).
// Field comments give the defaults.
type DynamicsConfig struct {
	From         string   `toml:"from"`          // "": start from the config's ansatz; else a run file whose final parameters start the evolution
	Initial      string   `toml:"initial"`       // "ansatz": the seeded (or loaded) parameters; "x" | "z" | "neel": a product state
	ProductField float64  `toml:"product_field"` // 3: |a_i| of the z / neel product states, log ψ = Σ a_i x_i
	PrepareTau   float64  `toml:"prepare_tau"`   // 0: imaginary time under [hamiltonian] before the evolution
	PrepareDt    float64  `toml:"prepare_dt"`    // 0.05: its (first) step
	Imaginary    bool     `toml:"imaginary"`     // false: evolve in imaginary time instead of real time
	TEnd         float64  `toml:"t_end"`         // 1
	Dt           float64  `toml:"dt"`            // 0.01: step (fixed) or first step (adaptive)
	Integrator   string   `toml:"integrator"`    // rk4 | euler | heun | rk23 | rk45
	Tol          float64  `toml:"tol"`           // 1e-4: adaptive local error per step
	Norm         string   `toml:"norm"`          // metric | params
	DiagShift    float64  `toml:"diag_shift"`    // 1e-6
	RCond        float64  `toml:"rcond"`         // 0: > 0 selects the pseudo-inverse
	Solver       string   `toml:"solver"`        // auto | cholesky | cg | minsr (when rcond = 0)
	Every        float64  `toml:"every"`         // 0.1: time between measurements
	Observables  []string `toml:"observables"`   // ["sx", "sz", "zz"]
	Exact        string   `toml:"exact"`         // auto | on | off: Krylov reference
	ExactMaxDim  int      `toml:"exact_max_dim"` // 4194304 (auto)
	Output       string   `toml:"output"`        // vmc-evolve.h5

	// Hamiltonian overrides keys of [hamiltonian] for the evolution (the
	// quench); empty: evolve with [hamiltonian].
	Hamiltonian map[string]any `toml:"hamiltonian"`
}

// DefaultDynamics returns the [dynamics] defaults.
func DefaultDynamics() DynamicsConfig {
	return DynamicsConfig{
		Initial: "ansatz", ProductField: 3, PrepareDt: 0.05, TEnd: 1, Dt: 0.01, Integrator: "rk4", Tol: 1e-4,
		Norm: "metric", DiagShift: 1e-6, Solver: "auto", Every: 0.1,
		Observables: []string{"sx", "sz", "zz"}, Exact: "auto", ExactMaxDim: 1 << 22, Output: "vmc-evolve.h5",
	}
}

// DynamicsObservables lists the observable names of dynamics.observables.
var DynamicsObservables = []string{"sx", "sz", "zz"}

// Evolution is a parsed `vmc evolve` configuration: the initial problem
// (lattice, [hamiltonian], ansatz, sampler), the evolution problem (the
// same with [dynamics.hamiltonian] applied) and the [dynamics] table.
type Evolution struct {
	Problem  *Problem // initial Hamiltonian (state preparation)
	Evolve   *Problem // Hamiltonian of the evolution
	Dynamics DynamicsConfig
	Name     string
}

// LoadEvolution reads a config with a [dynamics] table; overrides whose key
// starts with "dynamics." apply to it, the others to the rest.
func LoadEvolution(path string, overrides []string) (*Evolution, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &config.Error{File: path, Msg: fmt.Sprintf("cannot read config: %v", err)}
	}
	return ParseEvolution(path, data, overrides)
}

// ParseEvolution is LoadEvolution for TOML text named name.
func ParseEvolution(name string, data []byte, overrides []string) (*Evolution, error) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, &config.Error{File: name, Msg: err.Error()}
	}
	dynRaw, _ := raw["dynamics"].(map[string]any)
	if dynRaw == nil {
		dynRaw = map[string]any{}
	}
	delete(raw, "dynamics")
	var base []string
	for _, o := range overrides {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			return nil, &config.Error{File: name, Key: o, Msg: "want key=value"}
		}
		dk, isDyn := strings.CutPrefix(strings.TrimSpace(k), "dynamics.")
		if !isDyn {
			base = append(base, o)
			continue
		}
		var tv map[string]any
		if _, err := toml.Decode("v = "+v, &tv); err != nil {
			if _, err2 := toml.Decode(fmt.Sprintf("v = %q", v), &tv); err2 != nil {
				return nil, &config.Error{File: name, Key: k, Msg: err.Error()}
			}
		}
		m := dynRaw
		parts := strings.Split(dk, ".")
		for _, p := range parts[:len(parts)-1] {
			sub, _ := m[p].(map[string]any)
			if sub == nil {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = tv["v"]
	}
	dyn := DefaultDynamics()
	text, err := encode(dynRaw)
	if err != nil {
		return nil, &config.Error{File: name, Key: "dynamics", Msg: err.Error()}
	}
	md, err := toml.Decode(text, &dyn)
	if err != nil {
		return nil, &config.Error{File: name, Key: "dynamics", Msg: err.Error()}
	}
	for _, k := range md.Undecoded() {
		ks := k.String()
		if !strings.HasPrefix(ks, "hamiltonian.") && ks != "hamiltonian" {
			return nil, &config.Error{File: name, Key: "dynamics." + ks, Msg: "unknown key"}
		}
	}
	if err := dyn.validate(); err != nil {
		err.File = name
		return nil, err
	}
	baseText, err := encode(raw)
	if err != nil {
		return nil, &config.Error{File: name, Msg: err.Error()}
	}
	p, err := Parse(name, []byte(baseText), base)
	if err != nil {
		return nil, err
	}
	ev := &Evolution{Problem: p, Evolve: p, Dynamics: dyn, Name: name}
	if len(dyn.Hamiltonian) > 0 {
		h, _ := raw["hamiltonian"].(map[string]any)
		merged := map[string]any{}
		for k, v := range h {
			merged[k] = v
		}
		for k, v := range dyn.Hamiltonian {
			merged[k] = v
		}
		raw["hamiltonian"] = merged
		qText, err := encode(raw)
		if err != nil {
			return nil, &config.Error{File: name, Msg: err.Error()}
		}
		q, err := Parse(name+" [dynamics.hamiltonian]", []byte(qText), base)
		if err != nil {
			return nil, err
		}
		if q.NUp != p.NUp {
			return nil, &config.Error{File: name, Key: "dynamics.hamiltonian", Msg: fmt.Sprintf("the evolution Hamiltonian has sector %s, the initial state %s: they must agree", q.Sector(), p.Sector())}
		}
		ev.Evolve = q
	}
	return ev, nil
}

func encode(m map[string]any) (string, error) {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(m); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func (d *DynamicsConfig) validate() *config.Error {
	bad := func(key, format string, args ...any) *config.Error {
		return &config.Error{Key: "dynamics." + key, Msg: fmt.Sprintf(format, args...)}
	}
	pos := func(key string, v float64) *config.Error {
		if !(v > 0) || math.IsInf(v, 0) {
			return bad(key, "want a finite number > 0, got %v", v)
		}
		return nil
	}
	for _, c := range []struct {
		k string
		v float64
	}{{"t_end", d.TEnd}, {"dt", d.Dt}, {"tol", d.Tol}, {"every", d.Every}, {"prepare_dt", d.PrepareDt}} {
		if err := pos(c.k, c.v); err != nil {
			return err
		}
	}
	if !(d.PrepareTau >= 0) || math.IsInf(d.PrepareTau, 0) {
		return bad("prepare_tau", "want a finite number ≥ 0, got %v", d.PrepareTau)
	}
	if !(d.DiagShift >= 0) || math.IsInf(d.DiagShift, 0) {
		return bad("diag_shift", "want a finite number ≥ 0, got %v", d.DiagShift)
	}
	if !(d.RCond >= 0) || !(d.RCond < 1) {
		return bad("rcond", "want 0 ≤ rcond < 1, got %v", d.RCond)
	}
	if _, err := tdvp.ParseMethod(d.Integrator); err != nil {
		return bad("integrator", "want one of \"euler\", \"heun\", \"rk4\", \"rk23\", \"rk45\", got %q", d.Integrator)
	}
	if _, err := sr.ParseSolver(d.Solver); err != nil {
		return bad("solver", "%v", err)
	}
	check := func(key, v string, allowed ...string) *config.Error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return bad(key, "want one of %s, got %q", config.QuoteList(allowed), v)
	}
	if err := check("initial", d.Initial, "ansatz", "x", "z", "neel"); err != nil {
		return err
	}
	if err := check("norm", d.Norm, "metric", "params"); err != nil {
		return err
	}
	if err := check("exact", d.Exact, "auto", "on", "off"); err != nil {
		return err
	}
	for _, o := range d.Observables {
		if err := check("observables", o, DynamicsObservables...); err != nil {
			return err
		}
	}
	if d.From != "" && d.Initial != "ansatz" {
		return bad("initial", "from = %q loads the parameters of a run; a product state (initial = %q) cannot start from it", d.From, d.Initial)
	}
	if d.RCond == 0 && d.DiagShift == 0 {
		return bad("diag_shift", "S is singular in general: set diag_shift > 0 or rcond > 0")
	}
	if d.ExactMaxDim < 1 {
		return bad("exact_max_dim", "want a positive integer, got %d", d.ExactMaxDim)
	}
	return nil
}

// EvolveOptions control Evolution.Run.
type EvolveOptions struct {
	Threads int       // goroutines (≥ 1); results do not depend on it
	Out     string    // output file; "" means dynamics.output
	Force   bool      // replace an existing output file
	Log     io.Writer // progress; nil discards
}

// ObservableCurve is one observable against time.
type ObservableCurve struct {
	Name  string
	Mean  []float64
	Error []float64
	Exact []float64 // nil without the Krylov reference
}

// EvolveSummary is the --json object of `vmc evolve`.
type EvolveSummary struct {
	NSites      int      `json:"n_sites"`
	NParameters int      `json:"n_parameters"`
	Model       string   `json:"model"`
	Quench      string   `json:"quench"`
	Imaginary   bool     `json:"imaginary"`
	Integrator  string   `json:"integrator"`
	TEnd        float64  `json:"t_end"`
	Times       int      `json:"times"`
	Steps       int      `json:"steps"`
	Rejected    int      `json:"rejected"`
	Evaluations int      `json:"evaluations"`
	Energy0     float64  `json:"energy_initial"`
	EnergyEnd   float64  `json:"energy_final"`
	EnergyDrift float64  `json:"energy_drift"` // max_t |E(t) − E(0)| / max(1, |E(0)|) (real time)
	ExactRan    bool     `json:"exact"`
	ExactEnergy *float64 `json:"exact_energy"`
	// Deviation: per observable max_t |⟨A⟩(t) − ⟨A⟩_exact(t)|, and the
	// relative deviation max_t |…| / max_t |⟨A⟩_exact(t)|.
	Deviation         map[string]float64 `json:"deviation"`
	RelativeDeviation map[string]float64 `json:"relative_deviation"`
	Interrupted       bool               `json:"interrupted"`
	WallSeconds       float64            `json:"wall_seconds"`
	ExactSeconds      float64            `json:"exact_seconds"`
	Output            string             `json:"output"`
}

func (ev *Evolution) logf(o EvolveOptions, format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format, args...)
	}
}

// observableOps builds the operators of dynamics.observables.
func (ev *Evolution) observableOps() []hamiltonian.Operator {
	n := ev.Problem.NumSites()
	var ops []hamiltonian.Operator
	for _, name := range ev.Dynamics.Observables {
		switch name {
		case "sx":
			ops = append(ops, tdvp.NewPauliX(n, nil))
		case "sz":
			pairs := make([][2]int, n)
			for i := range pairs {
				pairs[i] = [2]int{i, i}
			}
			ops = append(ops, &tdvp.PauliZZ{N: n, Pairs: pairs})
		case "zz":
			var pairs [][2]int
			for _, e := range ev.Problem.Lattice.EdgesOfOrder(1) {
				pairs = append(pairs, [2]int{e.I, e.J})
			}
			ops = append(ops, &tdvp.PauliZZ{N: n, Pairs: pairs})
		}
	}
	return ops
}

// initialState sets the starting parameters of psi.
func (ev *Evolution) initialState(psi ansatz.Ansatz) error {
	d := ev.Dynamics
	p := ev.Problem
	params := make([]complex128, psi.NumParams())
	psi.Params(params)
	if d.From != "" {
		r, err := runfile.Load(d.From)
		if err != nil {
			r, err = runfile.Read(d.From)
		}
		if err != nil {
			return &config.Error{File: ev.Name, Key: "dynamics.from", Msg: err.Error()}
		}
		src := r.Parameters
		if src == nil && r.Checkpoint != nil {
			src = r.Checkpoint.Params
		}
		if len(src) != len(params) {
			return &config.Error{File: ev.Name, Key: "dynamics.from", Msg: fmt.Sprintf("%s holds %d parameters, the ansatz of this config has %d", d.From, len(src), len(params))}
		}
		psi.SetParams(src)
		return nil
	}
	if d.Initial == "ansatz" {
		return nil
	}
	a := p.Config.Ansatz
	n := p.NumSites()
	if (a.Kind != "rbm" && a.Kind != "jastrow") || a.Symmetries != "none" {
		return &config.Error{File: ev.Name, Key: "dynamics.initial", Msg: fmt.Sprintf("product states need ansatz.kind = \"rbm\" or \"jastrow\" without symmetries, got %q", a.Kind)}
	}
	// The other parameters keep their seeded values (ansatz.init_scale):
	// at W = b = 0 an RBM's derivatives with respect to W vanish and the
	// tangent space misses every correlation, so the TDVP could not leave
	// the product state. With small seeded values the state is a product
	// state up to O(init_scale), and the Krylov reference starts from the
	// same vector.
	off := 0 // rbm: a_i first
	if a.Kind == "jastrow" {
		off = n * (n - 1) / 2 // jastrow: h_i after the pairs
	}
	sub, _ := p.Lattice.Bipartite()
	for i := 0; i < n; i++ {
		switch d.Initial {
		case "x":
			params[off+i] = 0
		case "z":
			params[off+i] = complex(d.ProductField, 0)
		case "neel":
			if sub == nil {
				return &config.Error{File: ev.Name, Key: "dynamics.initial", Msg: "\"neel\" needs a bipartite lattice"}
			}
			s := 1.0
			if sub[i] != 0 {
				s = -1
			}
			params[off+i] = complex(s*d.ProductField, 0)
		}
	}
	psi.SetParams(params)
	return nil
}

// newSampler returns the sampler of the config for psi: exact sums or
// Markov chains.
func (ev *Evolution) newSampler(psi ansatz.Ansatz, threads int) (tdvp.Sampler, error) {
	p := ev.Problem
	if p.Config.Sampler.Orbits {
		return ev.newOrbitSampler(psi, threads)
	}
	if p.Config.Sampler.Exact {
		ex, err := vmc.NewExact(psi, nil, p.NUp, threads)
		if err != nil {
			return nil, &config.Error{File: ev.Name, Key: "sampler.exact", Msg: err.Error()}
		}
		return ex, nil
	}
	mc, err := vmc.NewSampler(psi, p.Op, p.SamplerOptions(threads))
	if err != nil {
		return nil, &config.Error{File: ev.Name, Key: "sampler", Msg: err.Error()}
	}
	return mc, nil
}

// Run performs the evolution and writes the output file: state
// preparation (initial state, optional imaginary-time preparation under
// [hamiltonian]), then the evolution under the quench Hamiltonian with
// measurements every dynamics.every, each compared with the Krylov
// evolution of the same initial vector when it runs. A cancelled context
// stops between steps; the file is then written with the times reached
// and the summary has Interrupted set (and ErrInterrupted is returned).
func (ev *Evolution) Run(ctx context.Context, o EvolveOptions) (*EvolveSummary, error) {
	start := time.Now()
	d := ev.Dynamics
	if o.Threads < 1 {
		o.Threads = 1
	}
	out := o.Out
	if out == "" {
		out = d.Output
	}
	if !o.Force {
		if _, err := os.Stat(out); err == nil {
			return nil, inputErrorf("%s exists; use --force to replace it", out)
		}
	}
	psi, err := ev.Problem.NewAnsatz()
	if err != nil {
		return nil, err
	}
	if err := ev.initialState(psi); err != nil {
		return nil, err
	}
	smp, err := ev.newSampler(psi, o.Threads)
	if err != nil {
		return nil, err
	}
	method, _ := tdvp.ParseMethod(d.Integrator)
	solver, _ := sr.ParseSolver(d.Solver)
	topt := tdvp.Options{Imaginary: d.Imaginary, DiagShift: d.DiagShift, RCond: d.RCond, Solver: solver, Threads: o.Threads}
	y := make([]complex128, psi.NumParams())
	psi.Params(y)

	// Preparation in imaginary time under the initial Hamiltonian.
	if d.PrepareTau > 0 {
		popt := topt
		popt.Imaginary = true
		eq, err := tdvp.NewEquation(psi, smp, ev.Problem.Op, popt)
		if err != nil {
			return nil, err
		}
		in, err := tdvp.NewIntegrator(tdvp.RK23, eq.Func(), len(y), tdvp.IntegratorOptions{Dt: d.PrepareDt, Tol: 1e-3, Norm: eq.MetricNorm})
		if err != nil {
			return nil, err
		}
		for tau := 0.0; tau < d.PrepareTau; {
			next := min(d.PrepareTau, tau+1)
			if _, err := in.Advance(tau, y, next); err != nil {
				return nil, fmt.Errorf("imaginary-time preparation: %w", err)
			}
			tau = next
			ev.logf(o, "prepare τ = %5.2f  E = %.8f ± %.2g\n", tau, eq.Energy().Mean, eq.Energy().Error)
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%w during the imaginary-time preparation", ErrInterrupted)
			}
		}
		psi.SetParams(y)
	}

	// Exact reference.
	h := ev.Evolve.Op
	ops := ev.observableOps()
	var (
		basis *ed.Basis
		prop  *ed.Propagator
		vec   []complex128
	)
	dim, _ := ed.SectorDim(psi.NumSites(), ev.Problem.NUp)
	runExact := d.Exact == "on" || (d.Exact == "auto" && dim <= int64(d.ExactMaxDim) && !d.Imaginary)
	var exactTime time.Duration
	if runExact {
		t0 := time.Now()
		if d.Imaginary {
			return nil, &config.Error{File: ev.Name, Key: "dynamics.exact", Msg: "the Krylov reference is real-time only; use exact = \"off\" with imaginary = true"}
		}
		if basis, err = ed.NewBasis(psi.NumSites(), ev.Problem.NUp); err != nil {
			return nil, &config.Error{File: ev.Name, Key: "dynamics.exact", Msg: err.Error()}
		}
		csr, err := ed.NewCSR(h, basis, o.Threads)
		if err != nil {
			return nil, err
		}
		prop = ed.NewPropagator(csr, nil)
		vec = tdvp.StateVector(psi, basis)
		exactTime += time.Since(t0)
	}

	eq, err := tdvp.NewEquation(psi, smp, h, topt)
	if err != nil {
		return nil, err
	}
	iopt := tdvp.IntegratorOptions{Dt: d.Dt, Tol: d.Tol}
	if d.Norm == "metric" {
		iopt.Norm = eq.MetricNorm
	}
	in, err := tdvp.NewIntegrator(method, eq.Func(), len(y), iopt)
	if err != nil {
		return nil, err
	}

	var times, energy, energyErr, energyExact []float64
	curves := make([]ObservableCurve, len(ops))
	for a := range curves {
		curves[a].Name = d.Observables[a]
	}
	var b vmc.Batch
	measure := func(t float64) {
		psi.SetParams(y)
		e, st := tdvp.Measure(smp, h, ops, &b)
		times = append(times, t)
		energy = append(energy, e.Mean)
		energyErr = append(energyErr, e.Error)
		line := fmt.Sprintf("t = %7.3f  E = %.8f ± %.2g", t, e.Mean, e.Error)
		for a, s := range st {
			curves[a].Mean = append(curves[a].Mean, s.Mean)
			curves[a].Error = append(curves[a].Error, s.Error)
			line += fmt.Sprintf("  %s = %.6f", curves[a].Name, s.Mean)
		}
		if prop != nil {
			t0 := time.Now()
			energyExact = append(energyExact, real(ed.Expect(h, basis, vec)))
			for a, op := range ops {
				v := real(ed.Expect(op, basis, vec))
				curves[a].Exact = append(curves[a].Exact, v)
				line += fmt.Sprintf(" (exact %.6f)", v)
			}
			exactTime += time.Since(t0)
		}
		ev.logf(o, "%s\n", line)
	}
	measure(0)
	t := 0.0
	interrupted := false
	var runErr error
	for k := 1; t < d.TEnd-1e-12*d.TEnd; k++ {
		if ctx.Err() != nil {
			interrupted = true
			break
		}
		next := min(d.TEnd, float64(k)*d.Every)
		if _, err := in.Advance(t, y, next); err != nil {
			runErr = err
			break
		}
		if prop != nil {
			t0 := time.Now()
			if err := prop.Advance(ctx, vec, next-t); err != nil {
				interrupted = true
				exactTime += time.Since(t0)
				break
			}
			exactTime += time.Since(t0)
		}
		t = next
		measure(t)
	}
	psi.SetParams(y)

	sum := &EvolveSummary{
		NSites: psi.NumSites(), NParameters: psi.NumParams(), Model: ev.Problem.Model, Quench: ev.Evolve.Model,
		Imaginary: d.Imaginary, Integrator: d.Integrator, TEnd: t, Times: len(times),
		Steps: in.Steps, Rejected: in.Rejected, Evaluations: eq.Evals,
		Energy0: energy[0], EnergyEnd: energy[len(energy)-1], ExactRan: prop != nil,
		Deviation: map[string]float64{}, RelativeDeviation: map[string]float64{},
		Interrupted: interrupted, Output: out,
	}
	for _, e := range energy {
		sum.EnergyDrift = max(sum.EnergyDrift, math.Abs(e-energy[0])/max(1, math.Abs(energy[0])))
	}
	if prop != nil {
		e := energyExact[0]
		sum.ExactEnergy = &e
		for _, c := range curves {
			var dev, scale float64
			for i := range c.Mean {
				dev = max(dev, math.Abs(c.Mean[i]-c.Exact[i]))
				scale = max(scale, math.Abs(c.Exact[i]))
			}
			sum.Deviation[c.Name] = dev
			if scale > 0 {
				sum.RelativeDeviation[c.Name] = dev / scale
			}
		}
	}
	sum.ExactSeconds = exactTime.Seconds()
	sum.WallSeconds = time.Since(start).Seconds()
	if err := ev.write(out, sum, times, energy, energyErr, energyExact, curves, y); err != nil {
		return nil, err
	}
	if runErr != nil {
		return sum, fmt.Errorf("evolution stopped at t = %g: %w", t, runErr)
	}
	if interrupted {
		return sum, ErrInterrupted
	}
	return sum, nil
}

// write stores the dynamics in a new HDF5 file (docs/dynamics.md).
func (ev *Evolution) write(out string, s *EvolveSummary, times, energy, energyErr, energyExact []float64, curves []ObservableCurve, params []complex128) error {
	f, err := h5io.Create(out)
	if err != nil {
		return err
	}
	werr := func() error {
		for _, a := range []struct{ k, v string }{
			{"model", s.Model}, {"quench", s.Quench}, {"integrator", s.Integrator}, {"config", ev.Problem.Config.TOML()},
			{"dynamics", mustEncode(ev.Dynamics)},
		} {
			if err := f.SetAttrString("/", a.k, a.v); err != nil {
				return err
			}
		}
		if err := f.SetAttrBool("/", "imaginary", s.Imaginary); err != nil {
			return err
		}
		if err := f.SetAttrBool("/", "interrupted", s.Interrupted); err != nil {
			return err
		}
		if err := f.SetAttrFloat64("/", "wall_seconds", s.WallSeconds); err != nil {
			return err
		}
		w := func(path string, v []float64) error {
			if v == nil {
				return nil
			}
			return f.WriteFloat64(path, v, len(v))
		}
		for _, c := range []struct {
			p string
			v []float64
		}{{"/dynamics/time", times}, {"/dynamics/energy/mean", energy}, {"/dynamics/energy/error", energyErr}, {"/dynamics/energy/exact", energyExact}} {
			if err := w(c.p, c.v); err != nil {
				return err
			}
		}
		for _, c := range curves {
			g := "/dynamics/observables/" + c.Name
			if err := w(g+"/mean", c.Mean); err != nil {
				return err
			}
			if err := w(g+"/error", c.Error); err != nil {
				return err
			}
			if err := w(g+"/exact", c.Exact); err != nil {
				return err
			}
		}
		if len(params) > 0 {
			if err := f.WriteComplex128("/dynamics/parameters", params, len(params)); err != nil {
				return err
			}
		}
		return nil
	}()
	cerr := f.Close()
	if werr != nil {
		return werr
	}
	return cerr
}

func mustEncode(v any) string {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(v); err != nil {
		return ""
	}
	return buf.String()
}
