package vmc

import "testing"

// TestSamplerBlock splits the chains of one sampler into blocks run by
// separate samplers (as processes of a distributed run do), merges their
// rows and counts, and checks that every call gives the batch of the
// sampler that runs all chains, bit for bit.
func TestSamplerBlock(t *testing.T) {
	psi := randomRBM(8, 1, true, 0.3, 51)
	op := heisenberg(t, 8, true, true)
	opt := Options{Chains: 5, Samples: 23, BurnIn: 2, Discard: 1, Move: Exchange, NUp: 4, Seed: 51, Threads: 2}
	full, err := NewSampler(psi, op, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, bounds := range [][]int{{0, 5}, {0, 2, 5}, {0, 1, 1, 3, 5}} {
		full, _ = NewSampler(psi, op, opt)
		parts := make([]*Sampler, len(bounds)-1)
		batches := make([]Batch, len(parts))
		for p := range parts {
			parts[p], _ = NewSampler(psi, op, opt)
			parts[p].SetBlock(bounds[p], bounds[p+1])
		}
		for call := range 2 {
			var want, got Batch
			full.Sample(&want, true)
			var acc, prop int64
			for p, s := range parts {
				b := &batches[p]
				s.Sample(b, true)
				if p == 0 {
					got = Batch{Ns: b.Ns, P: b.P, N: b.N, Chains: b.Chains, PerChain: b.PerChain,
						E: make([]complex128, len(b.E)), O: make([]complex128, len(b.O)), Configs: make([]int8, len(b.Configs))}
				}
				lo, hi := s.Block()
				r0, r1 := lo*b.PerChain, hi*b.PerChain
				copy(got.E[r0:r1], b.E[r0:r1])
				copy(got.O[r0*b.P:r1*b.P], b.O[r0*b.P:r1*b.P])
				copy(got.Configs[r0*b.N:r1*b.N], b.Configs[r0*b.N:r1*b.N])
				a, q := s.Counts()
				acc, prop = acc+a, prop+q
			}
			got.Acceptance = float64(acc) / float64(prop)
			if err := sameBatch(&want, &got); err != nil {
				t.Errorf("case %d (blocks %v), call %d: %v", i, bounds, call, err)
			}
		}
	}
}
