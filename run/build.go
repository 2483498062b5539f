package run

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/internal/config"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/observable"
	"github.com/vmc-lattice/vmc/sr"
	"github.com/vmc-lattice/vmc/vmc"
)

// Stream tags separate the random streams derived from one seed: the
// sampler's chains use (seed, chain) through SplitMix64; the initial
// parameters use this fixed second word.
const ansatzStream = 0x616e7361747a // "ansatz"

// NewAnsatz builds the wavefunction of [ansatz] for the problem's lattice
// with its seeded random initial parameters.
func (p *Problem) NewAnsatz() (ansatz.Ansatz, error) {
	c := p.Config
	a := c.Ansatz
	n := p.Lattice.NumSites()
	holo := a.Dtype == "complex"
	rng := rand.New(rand.NewPCG(uint64(c.Seed), ansatzStream))
	type initer interface {
		ansatz.Ansatz
		InitRandom(*rand.Rand, float64)
	}
	var psi initer
	switch a.Kind {
	case "rbm":
		psi = ansatz.NewRBM(n, a.Alpha, holo)
	case "rbm-symm":
		group, err := p.SymmetryGroup()
		if err != nil {
			return nil, err
		}
		psi = ansatz.NewSymmRBM(group, a.Alpha, holo, a.SpinFlip)
	case "ffnn":
		act, err := ansatz.ParseActivation(a.Activation)
		if err != nil {
			return nil, keyErr("ansatz.activation", "%v", err)
		}
		psi = ansatz.NewFFNN(n, a.Layers, act, holo)
	case "jastrow":
		psi = ansatz.NewJastrow(n, holo, true)
	case "gcnn":
		act, err := ansatz.ParseActivation(a.Activation)
		if err != nil {
			return nil, keyErr("ansatz.activation", "%v", err)
		}
		group, err := p.SymmetryGroup()
		if err != nil {
			return nil, err
		}
		chars, err := p.Characters(group)
		if err != nil {
			return nil, err
		}
		psi = ansatz.NewGCNN(group, a.Features, act, holo, chars)
	default:
		return nil, keyErr("ansatz.kind", "want one of %s, got %q", config.QuoteList(config.AnsatzKinds), a.Kind)
	}
	if a.Kind != "rbm-symm" && a.Kind != "gcnn" && a.Symmetries != "none" {
		group, err := p.SymmetryGroup()
		if err != nil {
			return nil, err
		}
		psi = ansatz.NewSymmetrized(psi, group)
	}
	psi.InitRandom(rng, *a.InitScale)
	if g, ok := psi.(*ansatz.GCNN); ok && a.AmplitudeScale != 1 {
		g.ScaleAmplitude(a.AmplitudeScale)
	}
	return psi, nil
}

// SymmetryGroup returns the site permutations ansatz.symmetries selects
// for a symmetric ansatz: the translations of the cluster, or the
// automorphisms of its bond graph (translations, point group and, on small
// tori, any further symmetry of the bonds).
//
// The symmetric RBM keeps alpha·|G| hidden units with N weights each; a
// group that would need more than config.MaxSymmWeights of them is refused before
// it is built (translations of an L×L torus alone are L² permutations of
// L² sites). Another ansatz summed over the group keeps |G| caches and
// evaluates the network |G| times per move; |G|·N is bounded by
// config.MaxSymmWeights/16 for it.
//
// The group is computed once per Problem; callers must not modify it (the
// ansätze copy what they keep).
func (p *Problem) SymmetryGroup() ([][]int, error) {
	if !p.grouped {
		p.group, p.groupErr = p.symmetryGroup()
		p.grouped = true
	}
	return p.group, p.groupErr
}

func (p *Problem) symmetryGroup() ([][]int, error) {
	c := p.Config
	l := p.Lattice
	n, alpha := l.NumSites(), c.Ansatz.Alpha
	if c.Ansatz.Kind != "rbm-symm" {
		alpha = 16
	}
	gcnn := c.Ansatz.Kind == "gcnn"
	tooMany := func(g int) error {
		if gcnn {
			return keyErr("ansatz.symmetries", "a gcnn over %d group elements is beyond the budget (|G| ≤ %d: its multiplication table has |G|² entries): use a smaller lattice or \"translations\"", g, config.MaxGroupOrder)
		}
		if c.Ansatz.Kind != "rbm-symm" {
			return keyErr("ansatz.symmetries", "summing the %s ansatz over %d group elements on %d sites is beyond the budget (|G|·N ≤ %d): use a smaller lattice or group", c.Ansatz.Kind, g, n, config.MaxSymmWeights/16)
		}
		return keyErr("ansatz.kind", "rbm-symm with %d filters over %d group elements on %d sites has %.3g weights in its dense form, more than %d: use a smaller alpha or lattice, or kind = \"rbm\"",
			alpha, g, n, float64(alpha)*float64(g)*float64(n), config.MaxSymmWeights)
	}
	translations := 1
	if l.Kind() != lattice.Custom {
		ext, pbc := l.Extent(), l.PBC()
		for d := range ext {
			if pbc[d] {
				translations *= ext[d]
			}
		}
	}
	if float64(alpha)*float64(translations)*float64(n) > config.MaxSymmWeights || gcnn && translations > config.MaxGroupOrder {
		return nil, tooMany(translations)
	}
	if c.Ansatz.Symmetries != "automorphisms" {
		return p.keepTerms(l.Translations()), nil
	}
	limit := config.MaxSymmWeights / (alpha * n)
	if gcnn {
		limit = min(limit, config.MaxGroupOrder)
	}
	g, err := l.AutomorphismsUpTo(limit)
	if err != nil {
		if gcnn && errors.Is(err, lattice.ErrTooManyAutomorphisms) {
			return nil, tooMany(limit + 1)
		}
		return nil, keyErr("ansatz.symmetries", "%v", err)
	}
	return p.keepTerms(g), nil
}

// keepTerms restricts a group of site permutations to those that map
// every term of a kind = "terms" Hamiltonian onto a term with the same
// coupling (the sign rule included): the stabilizer of H, a subgroup. The
// group of another Hamiltonian is returned as is (its models are invariant
// under every lattice symmetry).
func (p *Problem) keepTerms(g [][]int) [][]int {
	t, ok := p.Op.(*hamiltonian.Terms)
	if !ok {
		return g
	}
	var out [][]int
	for _, perm := range g {
		if t.Invariant(perm) {
			out = append(out, perm)
		}
	}
	return out
}

// Characters returns the character ansatz.characters selects on the group
// (aligned with it) for a gcnn: nil for "trivial" (all +1), the k = π
// characters of lattice.PiCharacters for "pi" (translations only), and
// the k-th non-trivial ±1 character of ansatz.SignCharacters for
// "sign<k>" (k = 1 … 2^r − 1, in the order SignCharacters lists them).
func (p *Problem) Characters(group [][]int) ([]complex128, error) {
	ch := p.Config.Ansatz.Characters
	if k := p.Config.Ansatz.Momentum; len(k) > 0 {
		return p.momentumCharacters(k, len(group))
	}
	toC := func(c []int8) []complex128 {
		out := make([]complex128, len(c))
		for g, v := range c {
			out[g] = complex(float64(v), 0)
		}
		return out
	}
	switch ch {
	case "trivial":
		return nil, nil
	case "pi":
		if p.Lattice.Kind() == lattice.Custom {
			return nil, keyErr("ansatz.characters", "a custom lattice has no translations; \"pi\" needs them")
		}
		c, err := p.Lattice.PiCharacters()
		if err != nil {
			return nil, keyErr("ansatz.characters", "%s", strings.TrimPrefix(err.Error(), "lattice: "))
		}
		return toC(c), nil
	}
	k, _ := config.SignIndex(ch) // validated at load time
	signs := ansatz.SignCharacters(group)
	if k >= len(signs) {
		return nil, keyErr("ansatz.characters", "the group of %d elements has %d non-trivial ±1 characters, got %q", len(group), len(signs)-1, ch)
	}
	return toC(signs[k]), nil
}

// momentumCharacters returns χ(t) = exp(i 2π Σ_d k_d m_d / L_d) for the
// translations of lattice.Translations, where translation t shifts the
// cells by m_d along every periodic direction d (Translations lists the
// shifts with the first periodic direction fastest); so ψ(x∘t) = χ(t) ψ(x).
// k_d must be 0 along open directions.
func (p *Problem) momentumCharacters(k []int, ng int) ([]complex128, error) {
	l := p.Lattice
	if l.Kind() == lattice.Custom {
		return nil, keyErr("ansatz.momentum", "a custom lattice has no translations")
	}
	ext, pbc := l.Extent(), l.PBC()
	if len(k) != len(ext) {
		return nil, keyErr("ansatz.momentum", "want %d components (one per lattice direction), got %v", len(ext), k)
	}
	for d := range k {
		if !pbc[d] && k[d] != 0 {
			return nil, keyErr("ansatz.momentum", "direction %d is open: its component must be 0, got %v", d+1, k)
		}
	}
	chars := make([]complex128, ng)
	for g := range chars {
		rest, phase := g, 0.0
		for d := range ext {
			if !pbc[d] {
				continue
			}
			m := rest % ext[d]
			rest /= ext[d]
			phase += 2 * math.Pi * float64(k[d]*m) / float64(ext[d])
		}
		chars[g] = cmplx.Exp(complex(0, phase))
	}
	return chars, nil
}

// SamplerOptions returns the Metropolis options of [sampler] for the
// problem p; threads only spreads the work.
func (p *Problem) SamplerOptions(threads int) vmc.Options {
	c := p.Config
	s := c.Sampler
	o := vmc.Options{
		Chains: s.Chains, Samples: s.Samples, Sweep: s.Sweep, BurnIn: s.BurnIn,
		Discard: s.Discard, GlobalFlip: s.GlobalFlip, Seed: uint64(c.Seed),
		Threads: threads, NUp: p.NUp, Move: vmc.Local,
	}
	if p.Move == "exchange" {
		o.Move = vmc.Exchange
	}
	// Rules beyond a plain Move: bond exchanges, the Hamiltonian's flip
	// sets mixed in, and the global flip around them.
	var rule vmc.Rule
	if p.Move == "bond" {
		edges := make([][2]int, 0, len(p.Lattice.Edges()))
		for _, e := range p.Lattice.Edges() {
			edges = append(edges, [2]int{e.I, e.J})
		}
		rule = vmc.BondExchange{Edges: edges, Distant: s.Distant}
	}
	if s.TermMoves > 0 {
		base := rule
		if base == nil {
			base = o.Move
		}
		rule = vmc.FlipSets{Rule: base, Sets: p.termFlipSets(), P: s.TermMoves}
	}
	if rule != nil {
		if o.GlobalFlip > 0 {
			rule = vmc.GlobalFlip{Rule: rule, P: o.GlobalFlip}
			o.GlobalFlip = 0
		}
		o.Rule = rule
	}
	return o
}

// termFlipSets returns the distinct sets of sites that the off-diagonal
// terms of a kind = "terms" Hamiltonian flip (the letters x, y, + and −),
// in the order of the terms; nil for other Hamiltonians.
func (p *Problem) termFlipSets() [][]int {
	t, ok := p.Op.(*hamiltonian.Terms)
	if !ok {
		return nil
	}
	var sets [][]int
	seen := map[string]bool{}
	for _, term := range t.List() {
		var set []int
		for k, r := range []rune(term.Op) {
			if r != 'z' {
				set = append(set, term.Sites[k])
			}
		}
		slices.Sort(set)
		key := fmt.Sprint(set)
		if len(set) > 0 && !seen[key] {
			seen[key] = true
			sets = append(sets, set)
		}
	}
	return sets
}

// DriverOptions returns the optimizer options of [optimizer].
func (p *Problem) DriverOptions(threads int) vmc.DriverOptions {
	o := p.Config.Optimizer
	kind, _ := vmc.ParseOptimizer(o.Kind) // validated at load time
	solver, _ := sr.ParseSolver(o.Solver) // validated at load time
	d := vmc.DriverOptions{Optimizer: kind, LearningRate: o.LearningRate, DiagShift: o.DiagShift, Solver: solver, Threads: threads, Momentum: o.Momentum}
	sk, _ := vmc.ParseSchedule(o.Schedule) // validated at load time
	d.LearningRateSchedule = vmc.Schedule{Kind: sk, Warmup: o.Warmup, Total: o.Iterations, Final: o.DecayTo}
	if o.DiagShiftFinal > 0 && o.DiagShiftFinal < o.DiagShift {
		d.DiagShiftSchedule = vmc.Schedule{Kind: vmc.Exponential, Total: o.Iterations, Final: o.DiagShiftFinal / o.DiagShift}
	}
	return d
}

// ObservableSpec returns what [observables] asks the final evaluation to
// measure for the problem p.
func (p *Problem) ObservableSpec(threads int) observable.Spec {
	o := p.Config.Observables
	return observable.Spec{
		ZZ: o.Correlations != "none", XX: o.XX && o.Correlations != "none",
		ByDistance:      o.Correlations == "distance",
		StructureFactor: o.StructureFactor, Magnetization: o.Magnetization,
		NUp: p.NUp, SignRule: p.SignRule, Threads: threads,
	}
}

// EDSymmetry returns the translation sector [ed] momentum selects, or nil
// for "none": "zero" gives every translation the character +1 (k = 0),
// "pi" the characters of lattice.PiCharacters (k = π along every periodic
// direction).
func (p *Problem) EDSymmetry() (*ed.Symmetry, error) {
	k := p.Config.ED.Momentum
	if k == "none" {
		return nil, nil
	}
	l := p.Lattice
	if l.Kind() == lattice.Custom {
		return nil, keyErr("ed.momentum", "a custom lattice has no translations; use \"none\"")
	}
	perms := l.Translations()
	if t, ok := p.Op.(*hamiltonian.Terms); ok {
		if !t.IsReal() {
			return nil, keyErr("ed.momentum", "momentum sectors need real matrix elements, and these terms have complex ones; use \"none\"")
		}
		for _, g := range perms {
			if !t.Invariant(g) {
				return nil, keyErr("ed.momentum", "the terms are not invariant under every translation of %v; use \"none\"", l)
			}
		}
	}
	chars := make([]int8, len(perms))
	for g := range chars {
		chars[g] = 1
	}
	if k == "pi" {
		var err error
		if chars, err = l.PiCharacters(); err != nil {
			return nil, keyErr("ed.momentum", "%s", strings.TrimPrefix(err.Error(), "lattice: "))
		}
	}
	return &ed.Symmetry{Perms: perms, Chars: chars}, nil
}
