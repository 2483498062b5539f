package vmc

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Rule is a Metropolis transition rule: how a chain proposes x → x'. A
// Sampler owns the chains, sweeps, burn-in and the acceptance test; a Rule
// only proposes, so a new rule plugs in through Options.Rule without any
// change to the sampler. Local and Exchange (values of Move) and GlobalFlip
// are the rules provided.
type Rule interface {
	// NewProposer returns the proposal state of one chain on
	// configurations of n sites with nUp up spins (Unconstrained: any
	// number), or an error if the rule cannot sample that space (it would
	// leave the sector, or cannot move in it). It is called once per chain.
	NewProposer(n, nUp int) (Proposer, error)
}

// Proposer is the proposal state of one chain, created by a Rule. The chain
// calls it from one goroutine only. Its state must be a function of the
// chain's configuration (rebuilt by Reset), so that a checkpoint of the
// configurations and random streams suffices to resume a chain.
type Proposer interface {
	// Reset positions the proposer at configuration x. The sampler calls it
	// at the start of every Sample call, before any proposal.
	Reset(x []int8)
	// Propose draws a proposal x → x' from rng and returns the sites
	// whose spins x' flips, distinct and at least one (a slice owned by
	// the proposer, valid until the next call), and the log ratio of the
	// proposal probabilities
	//
	//	log q(x' → x) − log q(x → x'),
	//
	// which is 0 for a symmetric rule. It must not allocate: it runs once
	// per Metropolis step.
	Propose(x []int8, rng *rand.Rand) (flips []int, logQ float64)
	// Accept tells the proposer that the chain accepted the last proposal:
	// x already holds x', in which the sites flips are flipped.
	Accept(x []int8, flips []int)
}

// NewProposer returns the proposer of the Local or Exchange rule: Local
// needs the whole space (nUp = Unconstrained), Exchange a fixed nUp with
// spins of both signs.
func (m Move) NewProposer(n, nUp int) (Proposer, error) {
	switch m {
	case Local:
		if nUp != Unconstrained {
			return nil, fmt.Errorf("vmc: local moves change S^z, so they cannot sample the sector with %d up spins; use exchange moves", nUp)
		}
		return &localProposer{flip: padded[int](1)}, nil
	case Exchange:
		if nUp == Unconstrained {
			return nil, errors.New("vmc: exchange moves conserve S^z and need a fixed number of up spins")
		}
		if nUp == 0 || nUp == n {
			return nil, fmt.Errorf("vmc: exchange moves need spins of both signs, but the sector with %d up spins of %d has one configuration", nUp, n)
		}
		return &exchangeProposer{
			up: padded[int](n), down: padded[int](n), pos: padded[int](n), flip: padded[int](2),
		}, nil
	}
	return nil, fmt.Errorf("vmc: unknown move %v", m)
}

// localProposer flips one site drawn uniformly: q = 1/N both ways.
type localProposer struct {
	flip []int // length 1
}

func (*localProposer) Reset([]int8) {}

func (l *localProposer) Propose(x []int8, rng *rand.Rand) ([]int, float64) {
	l.flip[0] = rng.IntN(len(x))
	return l.flip[:1], 0
}

func (*localProposer) Accept([]int8, []int) {}

// exchangeProposer swaps a pair of opposite spins: i uniformly among all N
// sites, then j uniformly among the sites whose spin is opposite to x_i.
// It keeps the lists of up and down sites so that j is drawn in O(1). The
// proposal is symmetric (see the package documentation). Its fields are
// written at every accepted move, so it is padded like the chain.
type exchangeProposer struct {
	_        [cacheLine]byte
	up, down []int // sites with x = +1 and x = −1
	pos      []int // pos[i]: index of site i in up or down
	flip     []int // length 2
	_        [cacheLine]byte
}

// Reset rebuilds the site lists in increasing site order.
func (e *exchangeProposer) Reset(x []int8) {
	e.up, e.down = e.up[:0], e.down[:0]
	for i, v := range x {
		if v > 0 {
			e.pos[i] = len(e.up)
			e.up = append(e.up, i)
		} else {
			e.pos[i] = len(e.down)
			e.down = append(e.down, i)
		}
	}
}

func (e *exchangeProposer) Propose(x []int8, rng *rand.Rand) ([]int, float64) {
	i := rng.IntN(len(x))
	var j int
	if x[i] > 0 {
		j = e.down[rng.IntN(len(e.down))]
	} else {
		j = e.up[rng.IntN(len(e.up))]
	}
	e.flip[0], e.flip[1] = i, j
	return e.flip[:2], 0
}

// Accept updates the site lists for any accepted move: an exchange in O(1),
// the global flip (every site flipped) by letting the lists trade roles,
// with positions unchanged, and any other set of flips site by site.
func (e *exchangeProposer) Accept(x []int8, flips []int) {
	switch {
	case len(flips) == len(x):
		e.up, e.down = e.down, e.up
	case len(flips) == 2 && x[flips[0]] != x[flips[1]]:
		i, j := flips[0], flips[1]
		if x[i] > 0 {
			i, j = j, i // i was up, j was down
		}
		e.up[e.pos[i]], e.down[e.pos[j]] = j, i
		e.pos[i], e.pos[j] = e.pos[j], e.pos[i]
	default:
		for _, i := range flips {
			if x[i] > 0 {
				e.down = e.remove(e.down, i)
				e.pos[i] = len(e.up)
				e.up = append(e.up, i)
			} else {
				e.up = e.remove(e.up, i)
				e.pos[i] = len(e.down)
				e.down = append(e.down, i)
			}
		}
	}
}

// remove deletes site i from list by moving the last element into its place.
func (e *exchangeProposer) remove(list []int, i int) []int {
	k, last := e.pos[i], list[len(list)-1]
	list[k], e.pos[last] = last, k
	return list[:len(list)-1]
}

// GlobalFlip mixes the global spin flip x → −x into another rule: each
// proposal is the global flip with probability P, and a proposal of Rule
// otherwise. The global flip is an involution, hence symmetric, so the
// mixture passes Rule's log proposal ratio through unchanged; this is exact
// when Rule is symmetric or never proposes −x itself. In a sector (fixed
// nUp) the global flip needs nUp = N/2. With P = 0 no random number is drawn
// for the choice, and the chain is that of Rule alone.
type GlobalFlip struct {
	Rule Rule
	P    float64 // probability of the global flip, in [0, 1]
}

// NewProposer returns the mixture's proposer, or an error if P is outside
// [0, 1], Rule is nil or fails, or the global flip leaves the sector.
func (g GlobalFlip) NewProposer(n, nUp int) (Proposer, error) {
	switch {
	case !(g.P >= 0 && g.P <= 1):
		return nil, fmt.Errorf("vmc: global flip probability %g is not in [0, 1]", g.P)
	case g.Rule == nil:
		return nil, errors.New("vmc: GlobalFlip needs a rule to mix with")
	case g.P > 0 && nUp != Unconstrained && 2*nUp != n:
		return nil, fmt.Errorf("vmc: a global spin flip leaves the sector with %d up spins of %d", nUp, n)
	}
	base, err := g.Rule.NewProposer(n, nUp)
	if err != nil {
		return nil, err
	}
	all := make([]int, n) // read only
	for i := range all {
		all[i] = i
	}
	return &globalFlipProposer{base: base, p: g.P, all: all}, nil
}

type globalFlipProposer struct {
	base Proposer
	p    float64
	all  []int // 0..N−1
}

func (g *globalFlipProposer) Reset(x []int8) { g.base.Reset(x) }

func (g *globalFlipProposer) Propose(x []int8, rng *rand.Rand) ([]int, float64) {
	if g.p > 0 && rng.Float64() < g.p {
		return g.all, 0
	}
	return g.base.Propose(x, rng)
}

func (g *globalFlipProposer) Accept(x []int8, flips []int) { g.base.Accept(x, flips) }

// FlipSets mixes moves that flip a whole set of sites into another rule:
// each proposal flips a set drawn uniformly from Sets with probability P,
// and is a proposal of Rule otherwise. Flipping a fixed set is an
// involution and the set is drawn independently of x, so these moves are
// symmetric and the mixture passes Rule's log proposal ratio through
// unchanged. They reach configurations that single flips and exchanges
// cannot connect through amplitudes that are not small: the plaquettes of
// the toric code, the ring exchanges of a Hamiltonian's terms. In a sector
// (fixed nUp) a set flip that changes the number of up spins is proposed
// with log ratio −Inf, hence always rejected. With P = 0 no random number is
// drawn for the choice, and the chain is that of Rule alone.
type FlipSets struct {
	Rule Rule
	Sets [][]int // each a list of distinct sites
	P    float64 // probability of a set flip, in [0, 1]
}

// NewProposer returns the mixture's proposer, or an error if P is outside
// [0, 1], Rule is nil or fails, or a set is empty or names a site twice or
// outside 0..n−1.
func (f FlipSets) NewProposer(n, nUp int) (Proposer, error) {
	switch {
	case !(f.P >= 0 && f.P <= 1):
		return nil, fmt.Errorf("vmc: set-flip probability %g is not in [0, 1]", f.P)
	case f.Rule == nil:
		return nil, errors.New("vmc: FlipSets needs a rule to mix with")
	case f.P > 0 && len(f.Sets) == 0:
		return nil, errors.New("vmc: FlipSets with P > 0 needs at least one set")
	}
	for k, s := range f.Sets {
		seen := map[int]bool{}
		for _, i := range s {
			if i < 0 || i >= n || seen[i] {
				return nil, fmt.Errorf("vmc: flip set %d %v: sites must be distinct, in 0..%d", k, s, n-1)
			}
			seen[i] = true
		}
		if len(s) == 0 {
			return nil, fmt.Errorf("vmc: flip set %d is empty", k)
		}
	}
	base, err := f.Rule.NewProposer(n, nUp)
	if err != nil {
		return nil, err
	}
	sets := make([][]int, len(f.Sets)) // copies: read only from here
	for k, s := range f.Sets {
		sets[k] = append([]int(nil), s...)
	}
	return &flipSetsProposer{base: base, p: f.P, sets: sets, sector: nUp != Unconstrained}, nil
}

type flipSetsProposer struct {
	base   Proposer
	p      float64
	sets   [][]int
	sector bool
}

func (f *flipSetsProposer) Reset(x []int8) { f.base.Reset(x) }

func (f *flipSetsProposer) Propose(x []int8, rng *rand.Rand) ([]int, float64) {
	if f.p > 0 && rng.Float64() < f.p {
		s := f.sets[rng.IntN(len(f.sets))]
		if f.sector {
			dz := 0
			for _, i := range s {
				dz += int(x[i])
			}
			if dz != 0 {
				return s, math.Inf(-1)
			}
		}
		return s, 0
	}
	return f.base.Propose(x, rng)
}

func (f *flipSetsProposer) Accept(x []int8, flips []int) { f.base.Accept(x, flips) }
