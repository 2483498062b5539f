package run

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/sr"
)

// MemoryItem is one allocation of a run that grows with a configuration
// value: Key is the key that sets its size, Bytes the estimate.
type MemoryItem struct {
	Key   string  `json:"key"`
	What  string  `json:"what"`
	Bytes float64 `json:"bytes"`
}

// Memory estimates every allocation of a run of p that grows with a
// configuration value, largest first, without allocating any of them.
// Sizes are counted in floating point, so that no configuration overflows
// them. The figures are upper estimates of the dominant buffers (within a
// small factor), not of the Go runtime's overhead.
func (p *Problem) Memory() []MemoryItem {
	c := p.Config
	n := float64(p.NumSites())
	np, hidden := p.paramCount()
	group := 1.0
	if c.Ansatz.Symmetries != "none" {
		if g, err := p.SymmetryGroup(); err == nil {
			group = float64(len(g))
		}
	}
	const c16 = 16 // bytes of a complex128
	var items []MemoryItem
	add := func(key, what string, b float64) { items = append(items, MemoryItem{key, what, b}) }

	// Parameters: the ansatz, the driver's copies (current, last good,
	// direction), the gradient and, for Adam, two moments of 2P floats.
	add(paramKey(c), fmt.Sprintf("%.4g parameters and the optimizer's copies of them", np), 8*c16*np)
	// Per-chain caches (hidden-unit look-up tables, one per group element
	// for a summed symmetric ansatz) and configurations.
	chains := float64(c.Sampler.Chains)
	if c.Sampler.Exact {
		chains = float64(max(1, runtime.NumCPU()))
	}
	add("sampler.chains", "per-chain caches of the ansatz", chains*(2*n+c16*hidden*group))

	// The optimization batch: configurations, local energies and the
	// log-derivatives O (Ns × P), and the SR solver's own storage.
	ns, key := float64(c.Sampler.Samples), "sampler.samples"
	if c.Sampler.Exact {
		key = "sampler.exact"
		ns = math.Exp2(n)
		if dim, err := ed.SectorDim(p.NumSites(), p.NUp); err == nil {
			ns = float64(dim)
		}
		add(key, "the enumerated sector (configurations and weights)", ns*(8+8))
	}
	// O and the SR storage grow with samples × parameters: name whichever
	// factor is the larger.
	prodKey := key
	if np > ns {
		prodKey = paramKey(c)
	}
	add(prodKey, fmt.Sprintf("optimization batches of %.4g samples with %.4g log-derivatives each", ns, np), ns*(n+c16+8+c16*np))
	if c.Optimizer.Kind == "sr" {
		solver, _ := sr.ParseSolver(c.Optimizer.Solver)
		if solver == sr.Auto {
			solver = sr.ChooseSolver(int(math.Min(ns, math.MaxInt32)), int(math.Min(np, math.MaxInt32)), c.Ansatz.Dtype == "complex")
		}
		add(prodKey, fmt.Sprintf("stochastic reconfiguration (%s solver)", solver), sr.MemoryBytes(solver, ns, np))
	}

	// The final evaluation: a batch without log-derivatives, and the
	// per-sample series of the observables (at most 2^22 values at once).
	evalNs := float64(c.Evaluate.Samples)
	if c.Sampler.Exact {
		evalNs = ns
	} else {
		add("evaluate.samples", "the evaluation batch", evalNs*(n+c16+8))
	}
	o := c.Observables
	if o.Correlations != "none" || o.StructureFactor || o.Magnetization {
		add("evaluate.samples", "per-sample series of the observables", 8*math.Min(evalNs*n*n, math.Max(1<<22, evalNs)))
	}
	if len(o.Renyi2Region) > 0 && !c.Sampler.Exact {
		rs := float64(o.Renyi2Samples)
		add("observables.renyi2_samples", "two replica batches of the Rényi-2 estimator", 2*rs*(n+c16+8)+8*rs)
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].Bytes > items[b].Bytes })
	return items
}

// paramCount returns the number of variational parameters of the ansatz of
// p and the size of one cache (hidden units or first-layer width), computed
// from the config without building anything.
func (p *Problem) paramCount() (params, hidden float64) {
	a := p.Config.Ansatz
	n := float64(p.NumSites())
	switch a.Kind {
	case "rbm":
		m := float64(a.Alpha) * n
		return n + m + n*m, m
	case "rbm-symm":
		g := 1.0
		if gr, err := p.SymmetryGroup(); err == nil {
			g = float64(len(gr))
		}
		return 1 + float64(a.Alpha)*(1+n), float64(a.Alpha) * g
	case "ffnn":
		prev := n
		for _, w := range a.Layers {
			params += prev*float64(w) + float64(w)
			prev = float64(w)
		}
		first := 0.0
		if len(a.Layers) > 0 {
			first = float64(a.Layers[0])
		}
		return params + 2*(prev+1), first
	case "jastrow":
		return n*(n-1)/2 + n, n
	case "gcnn":
		// The per-chain memory multiplies hidden by |G| (Memory's group).
		g := 1.0
		if gr, err := p.SymmetryGroup(); err == nil {
			g = float64(len(gr))
		}
		return gcnnCount(a, n, g)
	}
	return 0, 0
}

func paramKey(c *config.Config) string {
	switch c.Ansatz.Kind {
	case "ffnn":
		return "ansatz.layers"
	case "gcnn":
		return "ansatz.features"
	case "jastrow":
		return "lattice"
	}
	return "ansatz.alpha"
}

// MemoryTotal returns the sum of the items.
func MemoryTotal(items []MemoryItem) float64 {
	var t float64
	for _, it := range items {
		t += it.Bytes
	}
	return t
}

// AvailableMemory returns the memory the machine can give a new process
// now (MemAvailable of /proc/meminfo), or 4 GiB where that cannot be read:
// the default budget of a run.
func AvailableMemory() float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
				f := strings.Fields(v)
				if len(f) == 2 && f[1] == "kB" {
					if kb, err := strconv.ParseFloat(f[0], 64); err == nil && kb > 0 {
						return kb * 1024
					}
				}
			}
		}
	}
	return 4 << 30
}

// ParseBytes reads a memory size: a number of bytes, or a number with one
// of the suffixes k, M, G, T (powers of 1024; "B", "iB" and "b" may
// follow: 512MB, 2GiB, 1.5G).
func ParseBytes(s string) (float64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(t, "B"), "i"), "b")
	mult := 1.0
	if k := len(t); k > 0 {
		switch t[k-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:k-1]
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("want a positive memory size such as 512M or 8G, got %q", s)
	}
	return v * mult, nil
}

// CheckMemory refuses a run of p whose estimated memory exceeds budget
// bytes (≤ 0: AvailableMemory()) or whose exact diagonalization, asked for
// with ed.mode = "on", cannot run: a *config.Error naming the key that sets
// the largest allocation. It allocates nothing.
func (p *Problem) CheckMemory(budget float64) error {
	if budget <= 0 {
		budget = AvailableMemory()
	}
	items := p.Memory()
	if p.Config.ED.Mode == "on" {
		plan, err := p.edPlan(0)
		if err != nil {
			return &config.Error{File: p.Name, Key: "ed.mode", Msg: fmt.Sprintf("\"on\", but exact diagonalization cannot run here: %s; use \"auto\" or \"off\"", strings.TrimPrefix(err.Error(), "ed: "))}
		}
		items = append(items, MemoryItem{"ed.mode", "exact diagonalization", float64(plan.TotalBytes)})
	}
	total := MemoryTotal(items)
	if total <= budget {
		return nil
	}
	top := items[0]
	for _, it := range items {
		if it.Bytes > top.Bytes {
			top = it
		}
	}
	return &config.Error{File: p.Name, Key: top.Key, Msg: fmt.Sprintf("the run needs about %s (%s: %s), more than the %s available; lower %s (or raise --max-memory)",
		Bytes(total), top.What, Bytes(top.Bytes), Bytes(budget), top.Key)}
}

// edPlan returns the exact-diagonalization plan of p's sector (threads 0:
// all CPUs), or the reason it cannot run.
func (p *Problem) edPlan(threads int) (*ed.Plan, error) {
	if _, err := ed.SectorDim(p.NumSites(), p.NUp); err != nil {
		return nil, err
	}
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	return ed.NewPlan(p.Op, p.NUp, ed.Options{K: 1, Threads: threads})
}
