package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"runtime"

	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/sr"
	"github.com/vmc-lattice/vmc/vmc"
)

// checkReport is the --json object of vmc check.
type checkReport struct {
	Config       string   `json:"config"`
	Model        string   `json:"model"`
	Lattice      string   `json:"lattice"`
	NSites       int      `json:"n_sites"`
	NEdges       int      `json:"n_edges"`
	Bipartite    bool     `json:"bipartite"`
	SignRule     bool     `json:"sign_rule"`
	TotalSz      *float64 `json:"total_sz"`
	Dimension    *int64   `json:"sector_dimension"`
	EDFeasible   bool     `json:"ed_feasible"`
	EDPlan       string   `json:"ed_plan,omitempty"`
	EDBytes      int64    `json:"ed_memory_bytes,omitempty"`
	EDWillRun    bool     `json:"ed_will_run"`
	Ansatz       string   `json:"ansatz"`
	NParameters  int      `json:"n_parameters"`
	GroupSize    int      `json:"symmetry_group_size,omitempty"` // symmetric ansatz: elements of the group
	Move         string   `json:"move"`
	Samples      int      `json:"samples_per_iteration"`
	SRSolver     string   `json:"sr_solver,omitempty"`
	SRBytes      int64    `json:"sr_memory_bytes,omitempty"`
	SRBytesBySol [3]int64 `json:"sr_memory_by_solver"` // cholesky, cg, minsr
	Warnings     []string `json:"warnings"`
}

// cmdCheck is the pre-flight: it loads and validates the config exactly as
// run does, then reports sizes, ED feasibility, memory and physics warnings.
func cmdCheck(_ context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	var sets stringList
	fs.Var(&sets, "set", "override a config key: `key=value` (repeatable)")
	pos, err := parseFlags(fs, args, e.stderr)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("check: want exactly one CONFIG file")
	}
	cfg, name, err := loadConfig(pos, sets)
	if err != nil {
		return err
	}
	if err := cfg.ValidateOutput(name, cfg.Output.File); err != nil {
		return err
	}
	r, err := preflight(cfg, name)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(r)
	}
	w := e.stdout
	fmt.Fprintf(w, "config      %s: valid\n", r.Config)
	fmt.Fprintf(w, "model       %s\n", r.Model)
	fmt.Fprintf(w, "lattice     %s, bipartite: %v\n", r.Lattice, r.Bipartite)
	if r.Dimension != nil {
		fmt.Fprintf(w, "sector      %s, dimension %d\n", sectorName(r.TotalSz), *r.Dimension)
	} else {
		fmt.Fprintf(w, "sector      %s, dimension beyond enumeration\n", sectorName(r.TotalSz))
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
		fmt.Fprintf(w, "SR memory   %s solver (selected): %s; cholesky %s, cg %s, minsr %s\n", r.SRSolver, human(r.SRBytes),
			human(r.SRBytesBySol[0]), human(r.SRBytesBySol[1]), human(r.SRBytesBySol[2]))
	}
	for _, m := range r.Warnings {
		fmt.Fprintf(w, "warning     %s\n", m)
	}
	return nil
}

func sectorName(sz *float64) string {
	if sz == nil {
		return "all S^z"
	}
	return fmt.Sprintf("S^z_tot = %g", *sz)
}

func human(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.1f kB", float64(b)/(1<<10))
}

func preflight(cfg *config.Config, name string) (*checkReport, error) {
	p, err := cfg.Build()
	if err != nil {
		return nil, err
	}
	psi, err := cfg.NewAnsatz(p)
	if err != nil {
		return nil, err
	}
	n := p.Lattice.NumSites()
	_, bip := p.Lattice.Bipartite()
	r := &checkReport{
		Config: name, Model: p.Model, Lattice: p.Lattice.String(), NSites: n, NEdges: len(p.Lattice.Edges()),
		Bipartite: bip, SignRule: p.SignRule, TotalSz: p.TotalSz, Ansatz: ansatzText(cfg.Ansatz),
		NParameters: psi.NumParams(), Move: p.Move, Warnings: []string{},
	}
	if cfg.Ansatz.Symmetries != "none" {
		g, err := cfg.SymmetryGroup(p)
		if err != nil {
			return nil, err
		}
		r.GroupSize = len(g)
	}
	if dim, err := ed.SectorDim(n, p.NUp); err == nil {
		r.Dimension = &dim
		plan, err := ed.NewPlan(p.Op, p.NUp, ed.Options{K: 1, Threads: runtime.NumCPU()})
		if err == nil {
			r.EDFeasible, r.EDPlan, r.EDBytes = true, plan.String(), plan.TotalBytes
			r.EDWillRun = cfg.ED.Mode == "on" || (cfg.ED.Mode == "auto" && dim <= int64(cfg.ED.MaxDim))
		} else {
			r.EDPlan = err.Error()
		}
	} else {
		r.EDPlan = err.Error()
	}
	// Samples per iteration as the sampler rounds them (a multiple of chains).
	per := (cfg.Sampler.Samples + cfg.Sampler.Chains - 1) / cfg.Sampler.Chains
	ns := per * cfg.Sampler.Chains
	if cfg.Sampler.Exact && r.Dimension != nil {
		ns = int(*r.Dimension)
	}
	r.Samples = ns
	if cfg.Optimizer.Kind == "sr" {
		np := int64(psi.NumParams())
		o := int64(16) * int64(ns) * np // centered log-derivatives, complex128
		r.SRBytesBySol = [3]int64{o + 16*np*np, o, o + 16*int64(ns)*int64(ns)}
		solver, _ := sr.ParseSolver(cfg.Optimizer.Solver)
		if solver == sr.Auto {
			solver = sr.ChooseSolver(ns, psi.NumParams(), psi.Holomorphic())
		}
		r.SRSolver = solver.String()
		switch solver {
		case sr.Cholesky:
			r.SRBytes = r.SRBytesBySol[0]
		case sr.CG:
			r.SRBytes = r.SRBytesBySol[1]
		default:
			r.SRBytes = r.SRBytesBySol[2]
		}
	}
	r.Warnings = warnings(cfg, p, psi.NumParams(), psi.Holomorphic(), ns, r)
	return r, nil
}

// warnings flags combinations that run but are likely to give poor or
// misleading physics. Combinations that are wrong are config errors already.
func warnings(cfg *config.Config, p *config.Problem, np int, holo bool, ns int, r *checkReport) []string {
	var w []string
	h := cfg.Hamiltonian
	frustrated := !r.Bipartite || (h.Kind == "heisenberg" && h.J2 != 0)
	if h.Kind == "heisenberg" && p.SignRule && frustrated {
		w = append(w, "sign_rule = true on a frustrated model: the Marshall rule is not exact here (J2 ≠ 0); it only changes the basis")
	}
	if h.Kind == "heisenberg" && !p.SignRule && !holo && cfg.Ansatz.Kind != "ffnn" {
		w = append(w, "real ansatz without the sign rule: a real positive wavefunction cannot represent the sign structure of this model; use dtype = \"complex\" or kind = \"ffnn\"")
	}
	// A symmetric ansatz is invariant under its group. The ground state is
	// too when H is stoquastic (no positive off-diagonal element, so the
	// ground state is positive and unique: Perron–Frobenius): the Ising
	// model, and the Heisenberg model with J ≥ 0 under the sign rule or
	// J ≤ 0 without it, and J2 ≤ 0 (J2 bonds join sites of one sublattice).
	stoquastic := h.Kind == "ising" ||
		(h.Kind == "heisenberg" && h.J2 <= 0 && ((p.SignRule && h.J >= 0) || (!p.SignRule && h.J <= 0)))
	if cfg.Ansatz.Symmetries != "none" && !stoquastic {
		group := "translation invariant (zero momentum)"
		if cfg.Ansatz.Symmetries == "automorphisms" {
			group = "invariant under every lattice symmetry (zero momentum, trivial point-group representation)"
		}
		w = append(w, "a symmetric ansatz represents only states "+group+"; without a stoquastic Hamiltonian (sign rule) nothing guarantees that the ground state is one: compare with ED on a small cluster")
	}
	if cfg.Sampler.Chains > ns/4 && !cfg.Sampler.Exact {
		w = append(w, fmt.Sprintf("only %d samples per chain per iteration: autocorrelation and R-hat estimates are unreliable", ns/cfg.Sampler.Chains))
	}
	if !cfg.Sampler.Exact && r.Dimension != nil && *r.Dimension <= 5000 {
		w = append(w, fmt.Sprintf("the sector has only %d states: sampler.exact = true sums over it exactly and deterministically", *r.Dimension))
	}
	if cfg.Sampler.Exact && (r.Dimension == nil || *r.Dimension > vmc.MaxExactDim) {
		w = append(w, "sampler.exact = true on a sector too large to enumerate")
	}
	if cfg.Optimizer.Kind == "sr" && r.SRBytes > 8<<30 {
		w = append(w, fmt.Sprintf("SR needs about %s; reduce samples or parameters", human(r.SRBytes)))
	}
	if r.EDWillRun && r.EDBytes > 8<<30 {
		w = append(w, fmt.Sprintf("exact diagonalization needs about %s", human(r.EDBytes)))
	}
	if cfg.Sampler.GlobalFlip == 0 && h.Kind == "ising" && math.Abs(h.H) < 0.5*math.Abs(h.J) && h.J > 0 {
		w = append(w, "ferromagnetic Ising at small field: chains may stay in one of the two symmetry-broken states; consider sampler.global_flip = 0.1")
	}
	if np > 4*ns && cfg.Optimizer.Kind == "sr" {
		w = append(w, fmt.Sprintf("%d parameters for %d samples: SR is solved in sample space (MinSR); more samples give a better natural gradient", np, ns))
	}
	return w
}
