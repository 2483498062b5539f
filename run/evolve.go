package run

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/internal/buildinfo"
	"github.com/vmc-lattice/vmc/internal/config"
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
	Cutoff       string   `toml:"cutoff"`        // hard | smooth (pseudo-inverse)
	DiagScale    bool     `toml:"diag_scale"`    // false: scale-invariant pseudo-inverse
	Solver       string   `toml:"solver"`        // auto | cholesky | cg | minsr (when rcond = 0)
	Every        float64  `toml:"every"`         // 0.1: time between measurements
	Observables  []string `toml:"observables"`   // ["sx", "sz", "zz"]
	Exact        string   `toml:"exact"`         // auto | on | off: Krylov reference
	ExactMaxDim  int      `toml:"exact_max_dim"` // 4194304 (auto)
	Output       string   `toml:"output"`        // vmc-evolve.h5
	FlushSeconds float64  `toml:"flush_seconds"` // 5: least time between two writes of the output during the evolution
	Plot         string   `toml:"plot"`          // "": else an image of the curves (.png, .svg, .pdf, .jpg, .tif) drawn at the end

	// Hamiltonian overrides keys of [hamiltonian] for the evolution (the
	// quench); empty: evolve with [hamiltonian].
	Hamiltonian map[string]any `toml:"hamiltonian"`
}

// DefaultDynamics returns the [dynamics] defaults.
func DefaultDynamics() DynamicsConfig {
	return DynamicsConfig{
		Initial: "ansatz", ProductField: 3, PrepareDt: 0.05, TEnd: 1, Dt: 0.01, Integrator: "rk4", Tol: 1e-4,
		Norm: "metric", Cutoff: "hard", DiagShift: 1e-6, Solver: "auto", Every: 0.1,
		Observables: []string{"sx", "sz", "zz"}, Exact: "auto", ExactMaxDim: 1 << 22, Output: "vmc-evolve.h5",
		FlushSeconds: 5,
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

	text   string            // the configuration as run, [dynamics] included (TOML)
	resume *runfile.Dynamics // the file being resumed; nil for a fresh evolution
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
	if err := ev.checkObservables(); err != nil {
		return nil, err
	}
	if ev.text, err = evolveText(p, dyn); err != nil {
		return nil, &config.Error{File: name, Msg: err.Error()}
	}
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

// evolveText returns the configuration of an evolution as one TOML text:
// the resolved run configuration with the [dynamics] table as used.
func evolveText(p *Problem, dyn DynamicsConfig) (string, error) {
	var m, dm map[string]any
	if _, err := toml.Decode(p.Config.TOML(), &m); err != nil {
		return "", err
	}
	if _, err := toml.Decode(mustEncode(dyn), &dm); err != nil {
		return "", err
	}
	m["dynamics"] = dm
	return encode(m)
}

// EvolveResumeKeys are the [dynamics] keys that `vmc evolve --resume` may
// change: those that do not change the trajectory.
var EvolveResumeKeys = []string{"dynamics.t_end", "dynamics.plot", "dynamics.flush_seconds"}

// ResumeEvolution rebuilds the evolution stored in the file path (written
// by Run) to continue it with Run, which then appends to that file. The
// configuration is the one stored in the file; overrides may only set the
// keys of EvolveResumeKeys (to extend t_end, say). Errors wrap
// runfile.ErrNotRunFile or runfile.ErrInvalid for a file that is not a
// readable dynamics file.
func ResumeEvolution(path string, overrides []string) (*Evolution, error) {
	d, err := runfile.ReadDynamics(path)
	if err != nil {
		return nil, err
	}
	for _, o := range overrides {
		k, _, _ := strings.Cut(o, "=")
		if !slices.Contains(EvolveResumeKeys, strings.TrimSpace(k)) {
			return nil, &config.Error{File: path, Key: strings.TrimSpace(k), Msg: fmt.Sprintf("cannot change on --resume (the continuation would be another evolution); only %s can", strings.Join(EvolveResumeKeys, ", "))}
		}
	}
	ev, err := ParseEvolution(path+" (attribute evolve_config)", []byte(d.EvolveConfig), overrides)
	if err != nil {
		return nil, err
	}
	ev.Name = path
	psi, err := ev.Problem.NewAnsatz()
	if err != nil {
		return nil, err
	}
	if n := psi.NumParams(); n != d.NParameters {
		return nil, inputErrorf("%s: the stored configuration gives %d parameters, the file holds %d", path, n, d.NParameters)
	}
	if d.State.Time >= ev.Dynamics.TEnd-1e-12*ev.Dynamics.TEnd {
		return nil, inputErrorf("%s: the evolution already reached t = %g (dynamics.t_end = %g); continue it with --set dynamics.t_end=T, T > %g", path, d.State.Time, ev.Dynamics.TEnd, d.State.Time)
	}
	ev.resume = d
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
	if err := check("cutoff", d.Cutoff, "hard", "smooth"); err != nil {
		return err
	}
	if d.RCond == 0 && d.Cutoff == "smooth" {
		return bad("cutoff", "the smooth cut-off is that of the pseudo-inverse: set rcond > 0")
	}
	if d.RCond == 0 && d.DiagScale {
		return bad("diag_scale", "the scale-invariant form is that of the pseudo-inverse: set rcond > 0")
	}
	if err := check("exact", d.Exact, "auto", "on", "off"); err != nil {
		return err
	}
	if !(d.FlushSeconds >= 0) || math.IsInf(d.FlushSeconds, 0) {
		return bad("flush_seconds", "want a finite number ≥ 0, got %v", d.FlushSeconds)
	}
	if d.Plot != "" {
		ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(d.Plot), "."))
		if !slices.Contains(config.PlotFormats, ext) {
			return bad("plot", "want a file name ending in one of %s (the format), got %q", config.QuoteList(config.PlotFormats), d.Plot)
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

	// AfterMeasure, when set (tests), is called after each measurement
	// with its time.
	AfterMeasure func(t float64)
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
	// NeelFidelity is max |⟨Néel|ψ(0)⟩|² over the two Néel states of a
	// bipartite lattice (with the Krylov reference, in a sector that holds
	// them; absent otherwise): how close the initial state of a "Néel
	// quench" is to the Néel product state.
	NeelFidelity *float64 `json:"neel_fidelity,omitempty"`
	// Deviation: per observable max_t |⟨A⟩(t) − ⟨A⟩_exact(t)|, and the
	// relative deviation max_t |…| / max_t |⟨A⟩_exact(t)|.
	Deviation         map[string]float64 `json:"deviation"`
	RelativeDeviation map[string]float64 `json:"relative_deviation"`
	Interrupted       bool               `json:"interrupted"`
	Resumes           int                `json:"resumes"`
	ResumedFrom       *float64           `json:"resumed_from"` // time this process resumed from; null for a fresh evolution
	WallSeconds       float64            `json:"wall_seconds"` // over all resumes
	ExactSeconds      float64            `json:"exact_seconds"`
	Output            string             `json:"output"`
}

func (ev *Evolution) logf(o EvolveOptions, format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format, args...)
	}
}

// observableOps builds the operators of dynamics.observables and returns
// them with their names: the built-in sx, sz, zz, or a declared operator
// of [[observables.operators]].
func (ev *Evolution) observableOps() ([]hamiltonian.Operator, []string) {
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
		default:
			for _, no := range ev.Problem.Operators {
				if no.Name == name {
					ops = append(ops, no.Op)
				}
			}
		}
	}
	return ops, ev.Dynamics.Observables
}

// checkObservables checks that every name of dynamics.observables is a
// built-in observable or a declared operator, once each.
func (ev *Evolution) checkObservables() error {
	known := append([]string(nil), DynamicsObservables...)
	for _, no := range ev.Problem.Operators {
		known = append(known, no.Name)
	}
	seen := map[string]bool{}
	for _, o := range ev.Dynamics.Observables {
		if seen[o] {
			return &config.Error{File: ev.Name, Key: "dynamics.observables", Msg: fmt.Sprintf("%q is listed twice", o)}
		}
		seen[o] = true
		if !slices.Contains(known, o) {
			return &config.Error{File: ev.Name, Key: "dynamics.observables", Msg: fmt.Sprintf("want built-in %s or the name of an [[observables.operators]] entry, got %q", config.QuoteList(DynamicsObservables), o)}
		}
	}
	return nil
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

// neelFidelity returns |⟨Néel|ψ⟩|² for the normalized vector vec on b and
// the two Néel states of the sublattices sub (A = sub 0 up, then B up);
// ok is false when the sector of b holds neither.
func neelFidelity(vec []complex128, b *ed.Basis, sub []int8) (a, bUp float64, ok bool) {
	x := make([]int8, len(sub))
	for k, up := range []int8{0, 1} {
		for i, s := range sub {
			x[i] = -1
			if s == up {
				x[i] = 1
			}
		}
		i := b.Index(ed.ConfigToState(x))
		if i < 0 {
			continue
		}
		ok = true
		f := real(vec[i])*real(vec[i]) + imag(vec[i])*imag(vec[i])
		if k == 0 {
			a = f
		} else {
			bUp = f
		}
	}
	return a, bUp, ok
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
// evolution of the same initial vector when it runs. The file is rewritten
// atomically after a measurement when dynamics.flush_seconds have passed
// since the last write, and at the end, so that a kill loses at most that
// much; it holds what `vmc evolve --resume` needs to continue bit for bit
// (ResumeEvolution). A cancelled context stops between measurements; the
// file is then written with the times reached and the summary has
// Interrupted set (and ErrInterrupted is returned).
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
	rs := ev.resume
	if rs != nil {
		out = ev.Name
	} else if !o.Force {
		if _, err := os.Stat(out); err == nil {
			return nil, inputErrorf("%s exists; use --force to replace it", out)
		}
	}
	release, err := runfile.LockDynamics(out)
	if err != nil {
		return nil, err
	}
	defer release()
	if rs != nil {
		// The file may have changed between ResumeEvolution and the lock.
		if now, err := runfile.ReadDynamics(out); err != nil || now.State.Time != rs.State.Time || now.Resumes != rs.Resumes {
			return nil, inputErrorf("%s changed after it was read for --resume (another vmc wrote it); run the resume again", out)
		}
	}
	psi, err := ev.Problem.NewAnsatz()
	if err != nil {
		return nil, err
	}
	if rs != nil {
		psi.SetParams(rs.State.Initial)
	} else if err := ev.initialState(psi); err != nil {
		return nil, err
	}
	smp, err := ev.newSampler(psi, o.Threads)
	if err != nil {
		return nil, err
	}
	if rs != nil {
		if err := restoreSampler(smp, rs.State.Sampler); err != nil {
			return nil, inputErrorf("%s: %v", out, err)
		}
	}
	method, _ := tdvp.ParseMethod(d.Integrator)
	solver, _ := sr.ParseSolver(d.Solver)
	topt := tdvp.Options{Imaginary: d.Imaginary, DiagShift: d.DiagShift, RCond: d.RCond, Smooth: d.Cutoff == "smooth", DiagScale: d.DiagScale, Solver: solver, Threads: o.Threads}
	y := make([]complex128, psi.NumParams())
	psi.Params(y)

	// Preparation in imaginary time under the initial Hamiltonian.
	if d.PrepareTau > 0 && rs == nil {
		if err := ev.prepare(ctx, o, psi, smp, topt, y); err != nil {
			return nil, err
		}
	}
	initial := append([]complex128(nil), y...)

	// Exact reference.
	h := ev.Evolve.Op
	ops, names := ev.observableOps()
	var (
		basis *ed.Basis
		prop  *ed.Propagator
		vec   []complex128
	)
	dim, _ := ed.SectorDim(psi.NumSites(), ev.Problem.NUp)
	runExact := d.Exact == "on" || (d.Exact == "auto" && dim <= int64(d.ExactMaxDim) && !d.Imaginary)
	var exactTime time.Duration
	var neelFid *float64 // |⟨Néel|ψ(0)⟩|², with the reference
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
		if sub, ok := ev.Problem.Lattice.Bipartite(); ok {
			if f, g, ok := neelFidelity(vec, basis, sub); ok {
				v := max(f, g)
				neelFid = &v
				ev.logf(o, "initial state: |⟨Néel|ψ⟩|² = %.6f (sublattice A up), %.6f (B up)\n", f, g)
			}
		}
		if rs != nil {
			// Replay the reference over the stored times, in the same
			// increments as the interrupted process, to the resumed time.
			ts := rs.Time
			for i := 1; i < len(ts); i++ {
				if err := prop.Advance(ctx, vec, ts[i]-ts[i-1]); err != nil {
					return nil, fmt.Errorf("%w while the Krylov reference was replayed", ErrInterrupted)
				}
			}
		}
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

	rec := ev.record(psi.NumSites(), len(y), names)
	rec.State.Initial = initial
	rec.NeelFidelity = neelFid
	t := 0.0
	if rs != nil {
		rec.Time, rec.Energy, rec.Observables = rs.Time, rs.Energy, rs.Observables
		rec.State = rs.State
		rec.Resumes = rs.Resumes + 1
		rec.WallSeconds, rec.ExactSeconds = rs.WallSeconds, rs.ExactSeconds
		t = rs.State.Time
		copy(y, rs.State.Params)
		in.SetStep(rs.State.Step)
		in.Steps, in.Rejected, eq.Evals = rs.State.Steps, rs.State.Rejected, rs.State.Evaluations
		if (prop != nil) != (rs.Energy.Exact != nil) {
			return nil, inputErrorf("%s: the Krylov reference %s in the file but would %s now (dynamics.exact, exact_max_dim)", out, ranOrNot(rs.Energy.Exact != nil), ranOrNot(prop != nil))
		}
	}
	wallBase, exactBase := rec.WallSeconds, rec.ExactSeconds
	var b vmc.Batch
	measure := func(t float64) {
		psi.SetParams(y)
		e, st := tdvp.Measure(smp, h, ops, &b)
		rec.Time = append(rec.Time, t)
		rec.Energy.Mean = append(rec.Energy.Mean, e.Mean)
		rec.Energy.Error = append(rec.Energy.Error, e.Error)
		line := fmt.Sprintf("t = %7.3f  E = %.8f ± %.2g", t, e.Mean, e.Error)
		for a, s := range st {
			c := &rec.Observables[a]
			c.Mean = append(c.Mean, s.Mean)
			c.Error = append(c.Error, s.Error)
			line += fmt.Sprintf("  %s = %.6f", c.Name, s.Mean)
		}
		if prop != nil {
			t0 := time.Now()
			rec.Energy.Exact = append(rec.Energy.Exact, real(ed.Expect(h, basis, vec)))
			for a, op := range ops {
				v := real(ed.Expect(op, basis, vec))
				rec.Observables[a].Exact = append(rec.Observables[a].Exact, v)
				line += fmt.Sprintf(" (exact %.6f)", v)
			}
			exactTime += time.Since(t0)
		}
		ev.logf(o, "%s\n", line)
		// The state to resume from is the one of the last measurement.
		rs := &rec.State
		rs.Time, rs.Step = t, in.Step()
		rs.Steps, rs.Rejected, rs.Evaluations = in.Steps, in.Rejected, eq.Evals
		rs.Params = append(rs.Params[:0], y...)
		rs.Sampler = samplerState(smp)
		if o.AfterMeasure != nil {
			o.AfterMeasure(t)
		}
	}
	// flush writes the file with the state of the last measurement.
	flush := func(interrupted bool) error {
		rec.Interrupted = interrupted
		rec.Finished = rec.State.Time >= d.TEnd-1e-12*d.TEnd
		rec.WallSeconds = wallBase + time.Since(start).Seconds()
		rec.ExactSeconds = exactBase + exactTime.Seconds()
		return runfile.WriteDynamics(out, rec)
	}
	if rs == nil {
		measure(0)
		if err := flush(false); err != nil {
			return nil, err
		}
	}
	lastFlush := time.Now()
	interrupted := false
	var runErr error
	// Measurement k is at k·every (the last one at t_end), also on resume.
	k := int(math.Floor(t/d.Every+1e-9)) + 1
	for t < d.TEnd-1e-12*d.TEnd {
		if ctx.Err() != nil {
			interrupted = true
			break
		}
		next := min(d.TEnd, float64(k)*d.Every)
		k++
		if next <= t {
			continue
		}
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
		if time.Since(lastFlush).Seconds() >= d.FlushSeconds {
			if err := flush(false); err != nil {
				return nil, err
			}
			lastFlush = time.Now()
		}
	}
	// After an integrator error y is at the last accepted time inside the
	// interval; the file keeps the state of the last measurement.
	t = rec.State.Time
	if err := flush(interrupted); err != nil {
		return nil, err
	}
	psi.SetParams(rec.State.Params)
	sum := SummarizeDynamics(rec, out)
	if rs != nil {
		rt := rs.State.Time
		sum.ResumedFrom = &rt
	}
	if d.Plot != "" {
		if err := runfile.PlotDynamics(rec, d.Plot); err != nil {
			return sum, err
		}
	}
	if runErr != nil {
		return sum, fmt.Errorf("evolution stopped at t = %g: %w", t, runErr)
	}
	if interrupted {
		return sum, ErrInterrupted
	}
	return sum, nil
}

// prepare evolves y in imaginary time under [hamiltonian] for
// dynamics.prepare_tau (RK23, tolerance 1e-3 in the metric norm).
func (ev *Evolution) prepare(ctx context.Context, o EvolveOptions, psi ansatz.Ansatz, smp tdvp.Sampler, topt tdvp.Options, y []complex128) error {
	d := ev.Dynamics
	topt.Imaginary = true
	eq, err := tdvp.NewEquation(psi, smp, ev.Problem.Op, topt)
	if err != nil {
		return err
	}
	in, err := tdvp.NewIntegrator(tdvp.RK23, eq.Func(), len(y), tdvp.IntegratorOptions{Dt: d.PrepareDt, Tol: 1e-3, Norm: eq.MetricNorm})
	if err != nil {
		return err
	}
	for tau := 0.0; tau < d.PrepareTau; {
		next := min(d.PrepareTau, tau+1)
		if _, err := in.Advance(tau, y, next); err != nil {
			return fmt.Errorf("imaginary-time preparation: %w", err)
		}
		tau = next
		ev.logf(o, "prepare τ = %5.2f  E = %.8f ± %.2g\n", tau, eq.Energy().Mean, eq.Energy().Error)
		if ctx.Err() != nil {
			return fmt.Errorf("%w during the imaginary-time preparation", ErrInterrupted)
		}
	}
	psi.SetParams(y)
	return nil
}

// record returns the file contents of a fresh evolution with no times yet.
func (ev *Evolution) record(nSites, nParams int, names []string) *runfile.Dynamics {
	rec := &runfile.Dynamics{
		Program: buildinfo.Program, Version: buildinfo.Version,
		Model: ev.Problem.Model, Quench: ev.Evolve.Model, Integrator: ev.Dynamics.Integrator,
		Config: ev.Problem.Config.TOML(), DynamicsTOML: mustEncode(ev.Dynamics), EvolveConfig: ev.text,
		Imaginary: ev.Dynamics.Imaginary, NSites: nSites, NParameters: nParams,
		Energy: runfile.Curve{Name: "energy"},
	}
	for _, n := range names {
		rec.Observables = append(rec.Observables, runfile.Curve{Name: n})
	}
	return rec
}

// samplerState returns the state of Markov chains, nil for exact sums.
func samplerState(smp tdvp.Sampler) *vmc.SamplerState {
	if mc, ok := smp.(*vmc.Sampler); ok {
		st := mc.State()
		return &st
	}
	return nil
}

// restoreSampler gives smp the stored chains st (nil for exact sums).
func restoreSampler(smp tdvp.Sampler, st *vmc.SamplerState) error {
	mc, ok := smp.(*vmc.Sampler)
	switch {
	case ok && st != nil:
		return mc.SetState(*st)
	case ok != (st != nil):
		return fmt.Errorf("the file was written with %s, the configuration asks for %s", samplerKind(st != nil), samplerKind(ok))
	}
	return nil
}

func samplerKind(chains bool) string {
	if chains {
		return "Markov chains"
	}
	return "exact sums"
}

func ranOrNot(ran bool) string {
	if ran {
		return "ran"
	}
	return "did not run"
}

// SummarizeDynamics returns the summary of the evolution recorded in rec
// (what `vmc evolve --json` prints and `vmc analyze` shows for a dynamics
// file), with out as its output file. The wall times are those of rec.
func SummarizeDynamics(rec *runfile.Dynamics, out string) *EvolveSummary {
	energy := rec.Energy.Mean
	st := rec.State
	sum := &EvolveSummary{
		NSites: rec.NSites, NParameters: rec.NParameters, Model: rec.Model, Quench: rec.Quench,
		Imaginary: rec.Imaginary, Integrator: rec.Integrator, TEnd: st.Time, Times: len(rec.Time),
		Steps: st.Steps, Rejected: st.Rejected, Evaluations: st.Evaluations,
		WallSeconds: rec.WallSeconds, ExactSeconds: rec.ExactSeconds,
		Energy0: energy[0], EnergyEnd: energy[len(energy)-1], ExactRan: rec.Energy.Exact != nil,
		Deviation: map[string]float64{}, RelativeDeviation: map[string]float64{},
		Interrupted: rec.Interrupted, Resumes: rec.Resumes, Output: out, NeelFidelity: rec.NeelFidelity,
	}
	for _, e := range energy {
		sum.EnergyDrift = max(sum.EnergyDrift, math.Abs(e-energy[0])/max(1, math.Abs(energy[0])))
	}
	if rec.Energy.Exact != nil {
		e := rec.Energy.Exact[0]
		sum.ExactEnergy = &e
		for _, c := range rec.Observables {
			var dev, scale float64
			for i := range c.Mean {
				dev = max(dev, math.Abs(c.Mean[i]-c.Exact[i]))
				scale = max(scale, math.Abs(c.Exact[i]))
			}
			sum.Deviation[c.Name] = dev
			if scale > 1e-9 { // not for a curve that is zero by symmetry
				sum.RelativeDeviation[c.Name] = dev / scale
			}
		}
	}
	return sum
}

func mustEncode(v any) string {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(v); err != nil {
		return ""
	}
	return buf.String()
}
