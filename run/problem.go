package run

import (
	"fmt"
	"math"
	"strings"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

// Problem is the physical system a configuration describes, built and
// checked: lattice, Hamiltonian, magnetization sector and move rule.
type Problem struct {
	// Config is the validated configuration; Name names it in messages
	// (a file name, or "FILE.h5 (attribute config)" for a resumed run).
	Config *config.Config
	Name   string

	Lattice  *lattice.Lattice
	Op       hamiltonian.Operator
	Model    string // one-line description with units and sign convention
	Units    hamiltonian.Units
	SignRule bool
	// NUp is the number of up spins of the sector, or -1 when unconstrained.
	NUp int
	// TotalSz is S^z_tot = NUp − N/2 of the sector, nil when unconstrained.
	TotalSz *float64
	// Move is the resolved sampler move: "local", "exchange" or "bond".
	Move string

	// Operators are the declared operators of [[observables.operators]].
	Operators []NamedOperator

	// group caches SymmetryGroup (the automorphism search is not free).
	group    [][]int
	groupErr error
	grouped  bool
}

// Load reads the config file at path, applies the --set style overrides
// and builds its problem: every check that needs the lattice, the
// Hamiltonian or the sector runs here, so a config that loads can run.
func Load(path string, overrides []string) (*Problem, error) {
	c, err := config.Load(path, overrides)
	if err != nil {
		return nil, err
	}
	return Build(path, c)
}

// Parse is Load for TOML text; name names it in messages.
func Parse(name string, data []byte, overrides []string) (*Problem, error) {
	c, err := config.Parse(name, data, overrides)
	if err != nil {
		return nil, err
	}
	return Build(name, c)
}

// Build builds the problem of a parsed configuration c named name and
// checks everything that needs it: the ED symmetry sector, the size of
// the ansatz and of its symmetry group, the sampler against the sector and
// the observables against the lattice. Errors are *config.Error values
// naming the file and the key.
func Build(name string, c *config.Config) (*Problem, error) {
	p, err := build(c)
	if err == nil {
		p.Config, p.Name = c, name
		err = p.validate()
	}
	if err != nil {
		if ce, ok := err.(*config.Error); ok && ce.File == "" {
			ce.File = name
		}
		return nil, err
	}
	return p, nil
}

func (p *Problem) validate() error {
	c := p.Config
	if _, err := p.EDSymmetry(); err != nil {
		return err
	}
	if err := validateSize(c, p); err != nil {
		return err
	}
	if c.Ansatz.Symmetries != "none" {
		group, err := p.SymmetryGroup()
		if err != nil {
			return err
		}
		if c.Ansatz.Kind == "gcnn" {
			if _, err := p.Characters(group); err != nil {
				return err
			}
			if err := validateGCNN(c, p, len(group)); err != nil {
				return err
			}
		}
	}
	if err := validateSampler(c, p); err != nil {
		return err
	}
	if err := validateObservables(c, p); err != nil {
		return err
	}
	var err error
	p.Operators, err = p.buildOperators()
	return err
}

// ReferenceEnergy returns the total reference energy of [reference]
// (energy, or energy_per_site times N) and whether one is set.
func (p *Problem) ReferenceEnergy() (float64, bool) {
	r := p.Config.Reference
	switch {
	case r.Energy != nil:
		return *r.Energy, true
	case r.EnergyPerSite != nil:
		return *r.EnergyPerSite * float64(p.NumSites()), true
	}
	return 0, false
}

// NumSites returns the number of sites of the lattice.
func (p *Problem) NumSites() int { return p.Lattice.NumSites() }

// Sector describes the magnetization sector in words.
func (p *Problem) Sector() string {
	if p.TotalSz == nil {
		return "all S^z"
	}
	return fmt.Sprintf("S^z_tot = %g", *p.TotalSz)
}

func keyErr(key, format string, args ...any) *config.Error {
	return &config.Error{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// validateSize refuses an ansatz too large to allocate, with the key to
// change, before anything is built. Counts are in floating point so that
// absurd sizes cannot overflow.
func validateSize(c *config.Config, p *Problem) error {
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
	if params > config.MaxParams {
		return keyErr(key, "the %s ansatz would have %.3g parameters on %d sites, more than %d", a.Kind, params, int(n), config.MaxParams)
	}
	return nil
}

// validateGCNN refuses a gcnn with too many parameters, once the group
// order is known.
func validateGCNN(c *config.Config, p *Problem, ng int) error {
	params, _ := gcnnCount(c.Ansatz, float64(p.NumSites()), float64(ng))
	if params > config.MaxParams {
		return keyErr("ansatz.features", "the gcnn ansatz would have %.3g parameters over %d group elements, more than %d", params, ng, config.MaxParams)
	}
	return nil
}

// gcnnCount returns the parameters of a gcnn on n sites over a group of ng
// elements (see ansatz.GCNN) and the size of one cache in complex numbers
// per group element (four buffers per layer).
func gcnnCount(a config.AnsatzConfig, n, ng float64) (params, perElement float64) {
	prev := 0.0
	for l, w := range a.Features {
		fw := float64(w)
		if l == 0 {
			params += fw * (n + 1)
		} else {
			params += fw * (prev*ng + 1)
		}
		prev = fw
		perElement += 4 * fw
	}
	params += prev
	if a.Dtype == "real" {
		params += prev
	}
	return params, perElement
}

// validateSampler checks the sampler against the sector: what the sampler
// itself would refuse, reported with the key to change.
func validateSampler(c *config.Config, p *Problem) error {
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
	if c.Sampler.TermMoves > 0 && len(p.termFlipSets()) == 0 {
		return keyErr("sampler.term_moves", "needs kind = \"terms\" with at least one off-diagonal term (x, y, + or − in an op) to take its flips from")
	}
	if c.Sampler.GlobalFlip > 0 && p.NUp >= 0 && 2*p.NUp != n {
		return keyErr("sampler.global_flip", "a global spin flip leaves the sector S^z_tot = %v: use it with total_sz = 0 or without a fixed sector", *p.TotalSz)
	}
	return nil
}

func validateObservables(c *config.Config, p *Problem) error {
	o := c.Observables
	if err := config.OneOf("observables.correlations", o.Correlations, "none", "distance", "all"); err != nil {
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
	return config.Positive("observables.renyi2_samples", o.Renyi2Samples)
}

// build constructs the lattice and Hamiltonian and resolves the sector, the
// sign rule and the move rule.
func build(c *config.Config) (*Problem, error) {
	l, err := buildLattice(c)
	if err != nil {
		return nil, err
	}
	p := &Problem{Lattice: l, NUp: -1}
	h := c.Hamiltonian
	n := l.NumSites()
	if len(h.Terms) > 0 && h.Kind != "terms" {
		return nil, keyErr("hamiltonian.terms", "applies to kind = \"terms\" only, not %q", h.Kind)
	}
	switch h.Kind {
	case "":
		return nil, keyErr("hamiltonian.kind", "required: \"ising\", \"heisenberg\" or \"terms\"")
	case "terms":
		op, sign, units, err := buildTermsOp(c, l)
		if err != nil {
			return nil, err
		}
		p.Op, p.Units, p.Model, p.SignRule = op, units, op.String(), sign
		if h.TotalSz != nil && !op.ConservesSz() {
			return nil, keyErr("hamiltonian.total_sz", "the terms do not conserve S^z (a term raises or lowers the magnetization); omit total_sz")
		}
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
		return nil, keyErr("hamiltonian.kind", "want \"ising\", \"heisenberg\" or \"terms\", got %q", h.Kind)
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
	case "exchange", "bond":
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

func buildLattice(c *config.Config) (*lattice.Lattice, error) {
	lc := c.Lattice
	if lc.Kind == "" {
		return nil, keyErr("lattice.kind", "required: one of chain, square, triangular, honeycomb, kagome, custom")
	}
	if lc.Kind == string(lattice.Custom) {
		if len(lc.Extent) > 0 {
			return nil, keyErr("lattice.extent", "not used by a custom lattice; give sites and edges")
		}
		if lc.Sites < 1 || lc.Sites > config.MaxSites {
			return nil, keyErr("lattice.sites", "want the number of sites (1..%d) of the custom lattice, got %d", config.MaxSites, lc.Sites)
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
		if e > config.MaxSites/n {
			return nil, keyErr("lattice.extent", "%v gives more than %d sites", lc.Extent, config.MaxSites)
		}
		n *= e
	}
	l, err := lattice.New(kind, lc.Extent, pbc)
	if err != nil {
		return nil, keyErr("lattice", "%s", strings.TrimPrefix(err.Error(), "lattice: "))
	}
	return l, nil
}
