package run

import (
	"fmt"
	"math"
	"runtime"

	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/sr"
	"github.com/vmc-lattice/vmc/vmc"
)

// Report is the pre-flight report of a configuration (`vmc check`): sizes,
// exact-diagonalization plan, memory and physics warnings. Memory figures
// are bytes, in floating point so that absurd sizes cannot overflow.
type Report struct {
	Config       string     `json:"config"`
	Model        string     `json:"model"`
	Lattice      string     `json:"lattice"`
	NSites       int        `json:"n_sites"`
	NEdges       int        `json:"n_edges"`
	Bipartite    bool       `json:"bipartite"`
	SignRule     bool       `json:"sign_rule"`
	TotalSz      *float64   `json:"total_sz"`
	Dimension    *int64     `json:"sector_dimension"`
	EDFeasible   bool       `json:"ed_feasible"`
	EDPlan       string     `json:"ed_plan,omitempty"`
	EDBytes      int64      `json:"ed_memory_bytes,omitempty"`
	EDWillRun    bool       `json:"ed_will_run"`
	Ansatz       string     `json:"ansatz"`
	NParameters  int        `json:"n_parameters"`
	GroupSize    int        `json:"symmetry_group_size,omitempty"` // symmetric ansatz: elements of the group
	Move         string     `json:"move"`
	Samples      int        `json:"samples_per_iteration"`
	SRSolver     string     `json:"sr_solver,omitempty"`
	SRBytes      float64    `json:"sr_memory_bytes,omitempty"`
	SRBytesBySol [3]float64 `json:"sr_memory_by_solver"` // cholesky, cg, minsr
	// Memory lists the allocations that grow with a config value, largest
	// first; MemoryBytes is their total (with ED when it will run) and
	// MemoryBudget the budget the run would be held to.
	Memory       []MemoryItem `json:"memory"`
	MemoryBytes  float64      `json:"memory_bytes"`
	MemoryBudget float64      `json:"memory_budget_bytes"`
	Warnings     []string     `json:"warnings"`
}

// Check reports on the run p describes without running it. It refuses,
// exactly as a run would, a run beyond the memory budget (bytes; ≤ 0 means
// AvailableMemory()) or an exact diagonalization that ed.mode = "on"
// demands and that cannot run.
func Check(p *Problem, budget float64) (*Report, error) {
	cfg := p.Config
	if budget <= 0 {
		budget = AvailableMemory()
	}
	if err := p.CheckMemory(budget); err != nil {
		return nil, err
	}
	psi, err := p.NewAnsatz()
	if err != nil {
		return nil, err
	}
	n := p.NumSites()
	_, bip := p.Lattice.Bipartite()
	r := &Report{
		Config: p.Name, Model: p.Model, Lattice: p.Lattice.String(), NSites: n, NEdges: len(p.Lattice.Edges()),
		Bipartite: bip, SignRule: p.SignRule, TotalSz: p.TotalSz, Ansatz: AnsatzText(cfg.Ansatz),
		NParameters: psi.NumParams(), Move: p.Move, Warnings: []string{},
	}
	if cfg.Ansatz.Symmetries != "none" {
		g, err := p.SymmetryGroup()
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
		np := psi.NumParams()
		solvers := [3]sr.Solver{sr.Cholesky, sr.CG, sr.MinSR}
		for i, s := range solvers {
			r.SRBytesBySol[i] = sr.MemoryBytes(s, float64(ns), float64(np))
		}
		solver, _ := sr.ParseSolver(cfg.Optimizer.Solver)
		if solver == sr.Auto {
			solver = sr.ChooseSolver(ns, np, psi.Holomorphic())
		}
		r.SRSolver = solver.String()
		r.SRBytes = sr.MemoryBytes(solver, float64(ns), float64(np))
	}
	r.Memory, r.MemoryBudget = p.Memory(), budget
	r.MemoryBytes = MemoryTotal(r.Memory)
	if r.EDWillRun {
		r.MemoryBytes += float64(r.EDBytes)
	}
	r.Warnings = warnings(p, psi.NumParams(), psi.Holomorphic(), ns, r)
	return r, nil
}

// Bytes formats a memory size for people.
func Bytes(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.4g GB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", b/(1<<20))
	}
	return fmt.Sprintf("%.1f kB", b/(1<<10))
}

// stoquastic is implemented by the Hamiltonians that know whether their
// off-diagonal elements are all ≤ 0 (hamiltonian.Heisenberg, Ising).
type stoquastic interface{ Stoquastic() bool }

// warnings flags combinations that run but are likely to give poor or
// misleading physics. Combinations that are wrong are config errors already.
func warnings(p *Problem, np int, holo bool, ns int, r *Report) []string {
	var w []string
	cfg := p.Config
	h := cfg.Hamiltonian
	sq, known := p.Op.(stoquastic)
	stoq := known && sq.Stoquastic()
	if h.Kind == "heisenberg" && p.SignRule && !stoq {
		w = append(w, "sign_rule = true on a frustrated model: the Marshall rule is not exact here (J2 ≠ 0); it only changes the basis")
	}
	if h.Kind == "heisenberg" && !p.SignRule && !holo && cfg.Ansatz.Kind != "ffnn" && cfg.Ansatz.Kind != "gcnn" {
		w = append(w, "real ansatz without the sign rule: a real positive wavefunction cannot represent the sign structure of this model; use dtype = \"complex\" or kind = \"ffnn\"")
	}
	// A symmetric ansatz is invariant under its group. The ground state is
	// too when H is stoquastic (no positive off-diagonal element, so the
	// ground state is positive and unique: Perron–Frobenius).
	if cfg.Ansatz.Symmetries != "none" && !stoq {
		group := "translation invariant (zero momentum)"
		if cfg.Ansatz.Symmetries == "automorphisms" {
			group = "invariant under every lattice symmetry (zero momentum, trivial point-group representation)"
		}
		if cfg.Ansatz.Kind == "gcnn" {
			group = fmt.Sprintf("of the symmetry sector ansatz.characters = %q", cfg.Ansatz.Characters)
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
		w = append(w, fmt.Sprintf("SR needs about %s; reduce samples or parameters", Bytes(r.SRBytes)))
	}
	if r.EDWillRun && r.EDBytes > 8<<30 {
		w = append(w, fmt.Sprintf("exact diagonalization needs about %s", Bytes(float64(r.EDBytes))))
	}
	if cfg.Sampler.GlobalFlip == 0 && h.Kind == "ising" && math.Abs(h.H) < 0.5*math.Abs(h.J) && h.J > 0 {
		w = append(w, "ferromagnetic Ising at small field: chains may stay in one of the two symmetry-broken states; consider sampler.global_flip = 0.1")
	}
	if np > 4*ns && cfg.Optimizer.Kind == "sr" {
		w = append(w, fmt.Sprintf("%d parameters for %d samples: SR is solved in sample space (MinSR); more samples give a better natural gradient", np, ns))
	}
	return w
}
