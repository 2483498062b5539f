package config

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

// MaxSites bounds the lattice size a config may ask for (unit cells ×
// basis sites is checked by the lattice package itself).
const MaxSites = 1 << 16

// AnsatzKinds lists the implemented values of ansatz.kind.
var AnsatzKinds = []string{"rbm", "rbm-symm", "ffnn", "jastrow"}

// Problem is the physical system a configuration describes, built and
// checked: lattice, Hamiltonian, magnetization sector and move rule.
type Problem struct {
	Lattice  *lattice.Lattice
	Op       hamiltonian.Operator
	Model    string // one-line description with units and sign convention
	Units    hamiltonian.Units
	SignRule bool
	// NUp is the number of up spins of the sector, or -1 when unconstrained.
	NUp int
	// TotalSz is S^z_tot = NUp − N/2 of the sector, nil when unconstrained.
	TotalSz *float64
	// Move is the resolved sampler move: "local" or "exchange".
	Move string
}

func keyErr(key, format string, args ...any) *Error {
	return &Error{Key: key, Msg: fmt.Sprintf(format, args...)}
}

func oneOf(key, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return keyErr(key, "want one of %s, got %q", quoteList(allowed), v)
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func finite(key string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return keyErr(key, "want a finite number, got %v", v)
	}
	return nil
}

func positive(key string, v int) error {
	if v < 1 {
		return keyErr(key, "want a positive integer, got %d", v)
	}
	return nil
}

func (c *Config) validate() error {
	for _, check := range []func() error{
		func() error {
			if c.Seed < 0 {
				return keyErr("seed", "want a non-negative integer, got %d", c.Seed)
			}
			return nil
		},
		func() error { return finite("hamiltonian.J", c.Hamiltonian.J) },
		func() error { return finite("hamiltonian.J2", c.Hamiltonian.J2) },
		func() error { return finite("hamiltonian.delta", c.Hamiltonian.Delta) },
		func() error { return finite("hamiltonian.h", c.Hamiltonian.H) },
		func() error { return oneOf("ansatz.kind", c.Ansatz.Kind, AnsatzKinds...) },
		func() error { return positive("ansatz.alpha", c.Ansatz.Alpha) },
		func() error { return oneOf("ansatz.dtype", c.Ansatz.Dtype, "complex", "real") },
		func() error {
			if err := oneOf("ansatz.symmetries", c.Ansatz.Symmetries, "none", "translations", "automorphisms"); err != nil {
				return err
			}
			if c.Ansatz.Symmetries == "none" && c.Ansatz.Kind == "rbm-symm" {
				return keyErr("ansatz.symmetries", "kind = \"rbm-symm\" needs a group: \"translations\" or \"automorphisms\"")
			}
			if c.Ansatz.SpinFlip && c.Ansatz.Kind != "rbm-symm" {
				return keyErr("ansatz.spin_flip", "only kind = \"rbm-symm\" imposes spin-flip symmetry, got kind = %q", c.Ansatz.Kind)
			}
			return nil
		},
		func() error {
			v := *c.Ansatz.InitScale
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return keyErr("ansatz.init_scale", "want a finite non-negative number, got %v", v)
			}
			return nil
		},
		func() error {
			if c.Ansatz.Kind != "ffnn" {
				return nil
			}
			if len(c.Ansatz.Layers) == 0 {
				return keyErr("ansatz.layers", "want at least one hidden layer width, got []")
			}
			for _, w := range c.Ansatz.Layers {
				if w < 1 {
					return keyErr("ansatz.layers", "want positive widths, got %v", c.Ansatz.Layers)
				}
			}
			if _, err := ansatz.ParseActivation(c.Ansatz.Activation); err != nil {
				return keyErr("ansatz.activation", "want one of %s, got %q", quoteList(ansatz.ActivationNames()), c.Ansatz.Activation)
			}
			return nil
		},
		func() error { return oneOf("sampler.move", c.Sampler.Move, "auto", "local", "exchange") },
		func() error { return positive("sampler.chains", c.Sampler.Chains) },
		func() error { return positive("sampler.samples", c.Sampler.Samples) },
		func() error { return positive("sampler.sweep", c.Sampler.Sweep) },
		func() error {
			if c.Sampler.BurnIn < 0 {
				return keyErr("sampler.burn_in", "want a non-negative number of sweeps, got %d", c.Sampler.BurnIn)
			}
			if c.Sampler.Discard < 0 {
				return keyErr("sampler.discard", "want a non-negative number of sweeps, got %d", c.Sampler.Discard)
			}
			return nil
		},
		func() error {
			g := c.Sampler.GlobalFlip
			if math.IsNaN(g) || g < 0 || g > 1 {
				return keyErr("sampler.global_flip", "want a probability between 0 and 1, got %v", g)
			}
			return nil
		},
		func() error {
			if c.Sampler.Samples < c.Sampler.Chains {
				return keyErr("sampler.samples", "want at least as many samples as chains (%d), got %d", c.Sampler.Chains, c.Sampler.Samples)
			}
			return nil
		},
		func() error { return oneOf("optimizer.kind", c.Optimizer.Kind, "sr", "sgd", "adam") },
		func() error {
			if c.Optimizer.Iterations < 0 {
				return keyErr("optimizer.iterations", "want a non-negative integer, got %d", c.Optimizer.Iterations)
			}
			return nil
		},
		func() error {
			v := c.Optimizer.LearningRate
			if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
				return keyErr("optimizer.learning_rate", "want a finite positive number, got %v", v)
			}
			return nil
		},
		func() error {
			v := c.Optimizer.DiagShift
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return keyErr("optimizer.diag_shift", "want a finite non-negative number, got %v", v)
			}
			if v == 0 && c.Optimizer.Kind == "sr" {
				return keyErr("optimizer.diag_shift", "want a positive shift for sr: the S matrix of a finite sample is singular")
			}
			return nil
		},
		func() error { return oneOf("optimizer.solver", c.Optimizer.Solver, "auto", "cholesky", "cg", "minsr") },
		func() error { return positive("evaluate.samples", c.Evaluate.Samples) },
		func() error {
			if c.Evaluate.Samples < c.Sampler.Chains {
				return keyErr("evaluate.samples", "want at least as many samples as chains (%d), got %d", c.Sampler.Chains, c.Evaluate.Samples)
			}
			return nil
		},
		func() error { return oneOf("ed.mode", c.ED.Mode, "auto", "on", "off") },
		func() error { return positive("ed.max_dim", c.ED.MaxDim) },
		func() error { return oneOf("ed.momentum", c.ED.Momentum, "none", "zero", "pi") },
		func() error {
			if c.Output.File == "" {
				return keyErr("output.file", "want a file name")
			}
			return nil
		},
		func() error {
			if c.Output.Plot == "" {
				return nil
			}
			ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(c.Output.Plot), "."))
			for _, f := range PlotFormats {
				if ext == f {
					return nil
				}
			}
			return keyErr("output.plot", "want a file name ending in one of %s (the format), got %q", quoteList(PlotFormats), c.Output.Plot)
		},
		func() error {
			if c.Output.CheckpointEvery < 0 {
				return keyErr("output.checkpoint_every", "want a non-negative number of iterations (0: only at the end), got %d", c.Output.CheckpointEvery)
			}
			return nil
		},
	} {
		if err := check(); err != nil {
			return err
		}
	}
	p, err := c.Build()
	if err != nil {
		return err
	}
	if _, err := c.EDSymmetry(p); err != nil {
		return err
	}
	if err := c.validateSize(p); err != nil {
		return err
	}
	if c.Ansatz.Symmetries != "none" {
		if _, err := c.SymmetryGroup(p); err != nil {
			return err
		}
	}
	if err := c.validateSampler(p); err != nil {
		return err
	}
	return c.validateObservables(p)
}

// PlotFormats lists the image formats of output.plot and `vmc analyze
// --plot`, by file extension.
var PlotFormats = []string{"png", "svg", "pdf", "jpg", "jpeg", "tif", "tiff"}

// ValidateOutput checks that a run can write its files: out, the run file
// (output.file, or the file a resumed run continues), and output.plot. It
// is not part of Parse because only `vmc run` (and `vmc check`, which
// reports on a run) writes them: `vmc ed` does not, and a resumed run
// writes to the file it resumes, wherever its stored output.file pointed.
// name is the config's name in messages.
func (c *Config) ValidateOutput(name, out string) error {
	dirOK := func(key, path string) error {
		dir := filepath.Dir(path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return &Error{File: name, Key: key, Msg: fmt.Sprintf("directory %q does not exist", dir)}
		}
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			return &Error{File: name, Key: key, Msg: fmt.Sprintf("%q is a directory, want a file name", path)}
		}
		return nil
	}
	if err := dirOK("output.file", out); err != nil {
		return err
	}
	if c.Output.Plot != "" {
		return dirOK("output.plot", c.Output.Plot)
	}
	return nil
}

// MaxParams bounds the number of variational parameters (2^26 complex
// numbers are 1 GiB, before the per-sample log-derivatives of SR).
const MaxParams = 1 << 26

// validateSize refuses an ansatz too large to allocate, with the key to
// change, before anything is built. Counts are in floating point so that
// absurd sizes cannot overflow.
func (c *Config) validateSize(p *Problem) error {
	n := float64(p.Lattice.NumSites())
	a := c.Ansatz
	var params float64
	key := "ansatz.alpha"
	switch a.Kind {
	case "rbm":
		m := float64(a.Alpha) * n
		params = n + m + n*m
	case "ffnn":
		key = "ansatz.layers"
		prev := n
		for _, w := range a.Layers {
			params += prev*float64(w) + float64(w)
			prev = float64(w)
		}
		params += 2 * (prev + 1) // readout or amplitude and phase heads
	case "jastrow":
		key = "lattice"
		params = n*(n-1)/2 + n
	}
	if params > MaxParams {
		return keyErr(key, "the %s ansatz would have %.3g parameters on %d sites, more than %d", a.Kind, params, int(n), MaxParams)
	}
	return nil
}

// validateSampler checks the sampler against the sector: what the sampler
// itself would refuse, reported with the key to change.
func (c *Config) validateSampler(p *Problem) error {
	n := p.Lattice.NumSites()
	if c.Sampler.Exact {
		dim := math.Exp2(float64(n)) // unconstrained: 2^N
		if p.NUp >= 0 {
			dim = 1
			for k := 0; k < p.NUp; k++ { // binomial(n, NUp), in floating point: only compared
				dim = dim * float64(n-k) / float64(k+1)
			}
		}
		if dim > vmc.MaxExactDim {
			return keyErr("sampler.exact", "the sector has %.4g configurations, more than the %d that exact summation enumerates; use Monte Carlo sampling (sampler.exact = false)", dim, vmc.MaxExactDim)
		}
	}
	if c.Sampler.GlobalFlip > 0 && p.NUp >= 0 && 2*p.NUp != n {
		return keyErr("sampler.global_flip", "a global spin flip leaves the sector S^z_tot = %v: use it with total_sz = 0 or without a fixed sector", *p.TotalSz)
	}
	return nil
}

func (c *Config) validateObservables(p *Problem) error {
	o := c.Observables
	if err := oneOf("observables.correlations", o.Correlations, "none", "distance", "all"); err != nil {
		return err
	}
	if o.XX && o.Correlations == "none" {
		return keyErr("observables.xx", "needs observables.correlations = \"distance\" or \"all\"")
	}
	n := p.Lattice.NumSites()
	seen := map[int]bool{}
	for _, s := range o.Renyi2Region {
		if s < 0 || s >= n {
			return keyErr("observables.renyi2_region", "site %d is outside 0..%d", s, n-1)
		}
		if seen[s] {
			return keyErr("observables.renyi2_region", "site %d listed twice", s)
		}
		seen[s] = true
	}
	if len(o.Renyi2Region) >= n {
		return keyErr("observables.renyi2_region", "want a proper subset of the %d sites, got %d sites", n, len(o.Renyi2Region))
	}
	return positive("observables.renyi2_samples", o.Renyi2Samples)
}

// Build constructs the lattice and Hamiltonian and resolves the sector, the
// sign rule and the move rule.
func (c *Config) Build() (*Problem, error) {
	l, err := c.buildLattice()
	if err != nil {
		return nil, err
	}
	p := &Problem{Lattice: l, NUp: -1}
	h := c.Hamiltonian
	n := l.NumSites()
	switch h.Kind {
	case "":
		return nil, keyErr("hamiltonian.kind", "required: \"ising\" or \"heisenberg\"")
	case "ising":
		units := hamiltonian.Pauli
		if h.Units != "" {
			if units, err = hamiltonian.ParseUnits(h.Units); err != nil {
				return nil, keyErr("hamiltonian.units", "want \"spin\" or \"pauli\", got %q", h.Units)
			}
		}
		if h.J2 != 0 {
			return nil, keyErr("hamiltonian.J2", "applies to heisenberg only; the ising model has nearest-neighbour bonds")
		}
		if h.Delta != 1 {
			return nil, keyErr("hamiltonian.delta", "applies to heisenberg only")
		}
		switch v := h.SignRule.(type) {
		case bool:
			if v {
				return nil, keyErr("hamiltonian.sign_rule", "applies to heisenberg only (the transverse-field Ising ground state is already positive for h > 0)")
			}
		case string:
			if v != "auto" {
				return nil, keyErr("hamiltonian.sign_rule", "want \"auto\", true or false, got %q", v)
			}
		default:
			return nil, keyErr("hamiltonian.sign_rule", "want \"auto\", true or false, got %v", v)
		}
		op, err := hamiltonian.NewIsing(l, hamiltonian.IsingParams{J: h.J, H: h.H, Units: units})
		if err != nil {
			return nil, keyErr("hamiltonian", "%v", err)
		}
		p.Op, p.Units, p.Model = op, units, op.String()
		if h.TotalSz != nil && !op.ConservesSz() {
			return nil, keyErr("hamiltonian.total_sz", "the transverse field (h = %g) does not conserve S^z; omit total_sz", h.H)
		}
	case "heisenberg":
		units := hamiltonian.Spin
		if h.Units != "" {
			if units, err = hamiltonian.ParseUnits(h.Units); err != nil {
				return nil, keyErr("hamiltonian.units", "want \"spin\" or \"pauli\", got %q", h.Units)
			}
		}
		if h.H != 0 {
			return nil, keyErr("hamiltonian.h", "applies to ising only")
		}
		var sign bool
		switch v := h.SignRule.(type) {
		case bool:
			sign = v
			if sign {
				if _, bip := l.Bipartite(); !bip {
					return nil, keyErr("hamiltonian.sign_rule", "the Marshall sign rule needs a bipartite lattice; %v is not (use \"auto\" or false)", l)
				}
			}
		case string:
			if v != "auto" {
				return nil, keyErr("hamiltonian.sign_rule", "want \"auto\", true or false, got %q", v)
			}
			sign = hamiltonian.AutoSignRule(l, h.J, h.J2)
		default:
			return nil, keyErr("hamiltonian.sign_rule", "want \"auto\", true or false, got %v", v)
		}
		op, err := hamiltonian.NewHeisenberg(l, hamiltonian.HeisenbergParams{J: h.J, J2: h.J2, Delta: h.Delta, Units: units, SignRule: sign})
		if err != nil {
			return nil, keyErr("hamiltonian", "%v", err)
		}
		p.Op, p.Units, p.Model, p.SignRule = op, units, op.String(), sign
		if h.TotalSz == nil && n%2 == 0 {
			zero := 0.0
			p.TotalSz = &zero
		}
	default:
		return nil, keyErr("hamiltonian.kind", "want \"ising\" or \"heisenberg\", got %q", h.Kind)
	}
	if h.TotalSz != nil {
		sz := *h.TotalSz
		twice := 2 * sz
		if math.IsNaN(sz) || twice != math.Trunc(twice) {
			return nil, keyErr("hamiltonian.total_sz", "want an integer or half-integer, got %v", sz)
		}
		if (int(twice)+n)%2 != 0 {
			return nil, keyErr("hamiltonian.total_sz", "%v is impossible with %d sites (2·total_sz and N must have the same parity)", sz, n)
		}
		if math.Abs(sz) > float64(n)/2 {
			return nil, keyErr("hamiltonian.total_sz", "%v is outside -%g..%g for %d sites", sz, float64(n)/2, float64(n)/2, n)
		}
		s := sz
		p.TotalSz = &s
	}
	if p.TotalSz != nil {
		p.NUp = int(math.Round(*p.TotalSz + float64(n)/2))
	}
	move := c.Sampler.Move
	if move == "auto" {
		move = "local"
		if p.NUp >= 0 {
			move = "exchange"
		}
	}
	switch move {
	case "local":
		if p.NUp >= 0 {
			return nil, keyErr("sampler.move", "local moves change S^z but the sector total_sz = %v is fixed; use \"exchange\" or \"auto\"", *p.TotalSz)
		}
	case "exchange":
		if p.NUp < 0 {
			return nil, keyErr("sampler.move", "exchange moves need a fixed magnetization sector (hamiltonian.total_sz)")
		}
		if p.NUp == 0 || p.NUp == n {
			return nil, keyErr("sampler.move", "exchange moves cannot move in the fully polarized sector total_sz = %v", *p.TotalSz)
		}
	}
	p.Move = move
	return p, nil
}

func (c *Config) buildLattice() (*lattice.Lattice, error) {
	lc := c.Lattice
	if lc.Kind == "" {
		return nil, keyErr("lattice.kind", "required: one of chain, square, triangular, honeycomb, kagome, custom")
	}
	if lc.Kind == string(lattice.Custom) {
		if len(lc.Extent) > 0 {
			return nil, keyErr("lattice.extent", "not used by a custom lattice; give sites and edges")
		}
		if lc.Sites < 1 || lc.Sites > MaxSites {
			return nil, keyErr("lattice.sites", "want the number of sites (1..%d) of the custom lattice, got %d", MaxSites, lc.Sites)
		}
		if b, ok := lc.PBC.(bool); !ok || !b {
			return nil, keyErr("lattice.pbc", "not used by a custom lattice: its edges say which sites are joined")
		}
		for k, o := range lc.Orders {
			if o != 1 && o != 2 {
				return nil, keyErr("lattice.orders", "want 1 (coupling J) or 2 (coupling J2) for every edge, got %d for edge %d", o, k)
			}
		}
		l, err := lattice.NewCustom(lc.Sites, lc.Edges, lc.Orders)
		if err != nil {
			return nil, keyErr("lattice.edges", "%s", strings.TrimPrefix(err.Error(), "lattice: "))
		}
		return l, nil
	}
	kind := lattice.Kind(lc.Kind)
	if kind.Dim() == 0 {
		return nil, keyErr("lattice.kind", "want one of chain, square, triangular, honeycomb, kagome, custom, got %q", lc.Kind)
	}
	if lc.Sites != 0 || len(lc.Edges) != 0 || len(lc.Orders) != 0 {
		return nil, keyErr("lattice.sites", "sites, edges and orders belong to kind = \"custom\"")
	}
	if len(lc.Extent) != kind.Dim() {
		return nil, keyErr("lattice.extent", "%s needs %d positive integer(s) (unit cells per direction), got %v", kind, kind.Dim(), lc.Extent)
	}
	for _, e := range lc.Extent {
		if e < 1 {
			return nil, keyErr("lattice.extent", "want positive integers (unit cells per direction), got %v", lc.Extent)
		}
	}
	var pbc []bool
	switch v := lc.PBC.(type) {
	case bool:
		pbc = []bool{v}
	case []any:
		for _, b := range v {
			bb, ok := b.(bool)
			if !ok {
				return nil, keyErr("lattice.pbc", "want true, false or one bool per direction, got %v", v)
			}
			pbc = append(pbc, bb)
		}
		if len(pbc) != kind.Dim() {
			if kind.Dim() == 1 {
				return nil, keyErr("lattice.pbc", "%s has one direction: want one bool, got %d", kind, len(pbc))
			}
			return nil, keyErr("lattice.pbc", "%s has %d directions: want one bool for all or one per direction, got %d", kind, kind.Dim(), len(pbc))
		}
	default:
		return nil, keyErr("lattice.pbc", "want true, false or one bool per direction, got %v", v)
	}
	n := 1
	for _, e := range lc.Extent {
		if e > MaxSites/n {
			return nil, keyErr("lattice.extent", "%v gives more than %d sites", lc.Extent, MaxSites)
		}
		n *= e
	}
	l, err := lattice.New(kind, lc.Extent, pbc)
	if err != nil {
		return nil, keyErr("lattice", "%s", strings.TrimPrefix(err.Error(), "lattice: "))
	}
	return l, nil
}
