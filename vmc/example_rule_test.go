package vmc_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

// oneOrTwo is a transition rule on the whole space: with probability 1/2 it
// flips one site drawn uniformly, otherwise two distinct sites drawn
// uniformly. Both kinds are symmetric, q(x → x') = q(x' → x) (1/(2N) for a
// single flip, 1/(N(N−1)) for a pair), so the log proposal ratio is 0.
type oneOrTwo struct{}

func (oneOrTwo) NewProposer(n, nUp int) (vmc.Proposer, error) {
	if nUp != vmc.Unconstrained || n < 2 {
		return nil, fmt.Errorf("oneOrTwo: needs the whole space of at least 2 sites")
	}
	return &oneOrTwoProposer{flips: make([]int, 2)}, nil
}

type oneOrTwoProposer struct{ flips []int }

func (*oneOrTwoProposer) Reset([]int8)         {} // no state beyond x
func (*oneOrTwoProposer) Accept([]int8, []int) {}

func (p *oneOrTwoProposer) Propose(x []int8, rng *rand.Rand) ([]int, float64) {
	n := len(x)
	i := rng.IntN(n)
	if rng.IntN(2) == 0 {
		p.flips[0] = i
		return p.flips[:1], 0
	}
	j := rng.IntN(n - 1)
	if j >= i {
		j++ // uniform over the sites other than i
	}
	p.flips[0], p.flips[1] = i, j
	return p.flips[:2], 0
}

// A new transition rule plugs into the sampler through Options.Rule, and
// mixes with global flips through GlobalFlip. The Metropolis energy of a
// random RBM for the transverse-field Ising ring agrees with exact
// enumeration within 5 error bars (the probability of a larger deviation is
// about 6e-7 for a correct sampler).
func ExampleRule() {
	l, _ := lattice.New(lattice.Chain, []int{6}, []bool{true})
	h, _ := hamiltonian.NewIsing(l, hamiltonian.IsingParams{J: 1, H: 1})
	psi := ansatz.NewRBM(6, 1, true)
	psi.InitRandom(rand.New(rand.NewPCG(1, 2)), 0.3)

	s, err := vmc.NewSampler(psi, h, vmc.Options{
		Chains: 8, Samples: 4000, BurnIn: 20, NUp: vmc.Unconstrained, Seed: 1,
		Rule: vmc.GlobalFlip{Rule: oneOrTwo{}, P: 0.1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var mc, exact vmc.Batch
	s.Sample(&mc, false)
	ex, _ := vmc.NewExact(psi, h, vmc.Unconstrained, 1)
	ex.Sample(&exact, false)
	got, want := mc.EnergyStats(), exact.EnergyStats()
	fmt.Println("samples:", mc.Ns)
	fmt.Println("within 5 error bars of exact:", math.Abs(got.Mean-want.Mean) < 5*got.Error)
	fmt.Println("some proposals rejected:", mc.Acceptance < 1)
	// Output:
	// samples: 4000
	// within 5 error bars of exact: true
	// some proposals rejected: true
}
