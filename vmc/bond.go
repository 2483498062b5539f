package vmc

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// BondExchange is a transition rule in a fixed-S^z sector that mixes local
// and distant exchanges: with probability 1 − Distant it swaps the spins of
// a bond drawn uniformly among the antiparallel bonds of Edges (the moves
// the Hamiltonian itself makes, with a high acceptance), and with
// probability Distant it makes the Exchange move, a pair of opposite spins
// anywhere on the lattice (which crosses the barriers that local moves
// cannot, e.g. between the sublattice patterns of a frustrated magnet).
//
// With A(x) the number of antiparallel bonds of x, b_ij the number of bonds
// joining i and j, and c = (1/N)(1/N↑ + 1/N↓) the probability that the
// Exchange move proposes a given pair,
//
//	q(x → x') = (1 − Distant) b_ij / A(x) + Distant · c,
//
// which is not symmetric (A(x') ≠ A(x) in general), so Propose returns
// log q(x' → x) − log q(x → x'). A(x) is kept up to date in O(degree) per
// flipped site. Edges must connect the sites (then every configuration
// with spins of both signs has an antiparallel bond).
type BondExchange struct {
	Edges   [][2]int
	Distant float64 // probability of a distant exchange, in [0, 1]
}

// NewProposer returns the proposer of one chain, or an error if the sector
// is not fixed or has one configuration, Distant is outside [0, 1], an
// edge is out of range or a loop, or the edges do not connect the sites.
func (b BondExchange) NewProposer(n, nUp int) (Proposer, error) {
	switch {
	case !(b.Distant >= 0 && b.Distant <= 1):
		return nil, fmt.Errorf("vmc: bond exchange: distant probability %g is not in [0, 1]", b.Distant)
	case nUp == Unconstrained:
		return nil, errors.New("vmc: bond exchange moves conserve S^z and need a fixed number of up spins")
	case nUp == 0 || nUp == n:
		return nil, fmt.Errorf("vmc: bond exchange moves need spins of both signs, but the sector with %d up spins of %d has one configuration", nUp, n)
	}
	adj := make([][]int, n)
	for _, e := range b.Edges {
		i, j := e[0], e[1]
		if i < 0 || j < 0 || i >= n || j >= n || i == j {
			return nil, fmt.Errorf("vmc: bond exchange: edge %v is out of range or a loop on %d sites", e, n)
		}
		adj[i] = append(adj[i], j)
		adj[j] = append(adj[j], i)
	}
	// Connectivity by breadth-first search.
	seen := make([]bool, n)
	seen[0] = true
	queue := []int{0}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, j := range adj[i] {
			if !seen[j] {
				seen[j] = true
				queue = append(queue, j)
			}
		}
	}
	for i, s := range seen {
		if !s {
			return nil, fmt.Errorf("vmc: bond exchange: site %d is not connected to site 0 by the edges", i)
		}
	}
	ex, err := Exchange.NewProposer(n, nUp)
	if err != nil {
		return nil, err
	}
	p := &bondProposer{
		ex: ex, edges: append([][2]int(nil), b.Edges...), adj: adj, distant: b.Distant,
		c: (1/float64(nUp) + 1/float64(n-nUp)) / float64(n),
	}
	p.flip = padded[int](2)
	return p, nil
}

type bondProposer struct {
	_       [cacheLine]byte
	ex      Proposer // the distant exchange
	edges   [][2]int
	adj     [][]int
	distant float64
	c       float64 // probability of a given pair under Exchange
	anti    int     // A(x)
	flip    []int
	_       [cacheLine]byte
}

// Reset counts the antiparallel bonds and resets the distant exchange.
func (p *bondProposer) Reset(x []int8) {
	p.ex.Reset(x)
	p.anti = 0
	for _, e := range p.edges {
		if x[e[0]] != x[e[1]] {
			p.anti++
		}
	}
}

// bonds returns b_ij, the number of edges joining i and j.
func (p *bondProposer) bonds(i, j int) int {
	b := 0
	for _, k := range p.adj[i] {
		if k == j {
			b++
		}
	}
	return b
}

// antiAfter returns A(x') for x' = x with the opposite spins i, j swapped.
func (p *bondProposer) antiAfter(x []int8, i, j int) int {
	a := p.anti
	for _, s := range [2]int{i, j} {
		for _, k := range p.adj[s] {
			if k == i || k == j {
				continue // the bond i–j stays antiparallel
			}
			if x[k] != x[s] {
				a-- // antiparallel before, parallel after
			} else {
				a++
			}
		}
	}
	return a
}

// Propose draws the move and returns its log proposal ratio.
func (p *bondProposer) Propose(x []int8, rng *rand.Rand) ([]int, float64) {
	var i, j int
	if p.distant > 0 && (p.distant == 1 || rng.Float64() < p.distant) {
		f, _ := p.ex.Propose(x, rng)
		i, j = f[0], f[1]
	} else {
		for { // uniform among the antiparallel bonds, by rejection
			e := p.edges[rng.IntN(len(p.edges))]
			if x[e[0]] != x[e[1]] {
				i, j = e[0], e[1]
				break
			}
		}
	}
	p.flip[0], p.flip[1] = i, j
	b := float64(p.bonds(i, j))
	fwd := (1-p.distant)*b/float64(p.anti) + p.distant*p.c
	back := p.distant * p.c
	if b > 0 {
		back += (1 - p.distant) * b / float64(p.antiAfter(x, i, j))
	}
	return p.flip[:2], math.Log(back) - math.Log(fwd)
}

// Accept updates A(x) over the bonds of the flipped sites (x holds x') and
// the distant exchange's site lists.
func (p *bondProposer) Accept(x []int8, flips []int) {
	p.ex.Accept(x, flips)
	if len(flips) == len(x) {
		return // a global flip keeps every bond's parallelism
	}
	// Count the bonds touching a flipped site once each: a bond between
	// two flipped sites keeps its parallelism.
	for _, s := range flips {
		for _, k := range p.adj[s] {
			if contains(flips, k) {
				continue
			}
			if x[k] != x[s] {
				p.anti++ // parallel before, antiparallel now
			} else {
				p.anti--
			}
		}
	}
}

func contains(s []int, v int) bool {
	for _, w := range s {
		if w == v {
			return true
		}
	}
	return false
}
