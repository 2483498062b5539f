package vmc

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"unsafe"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/hilbert"
	"github.com/vmc-lattice/vmc/internal/parallel"
)

// Move names the built-in proposal rules; a Move is a Rule.
type Move int

const (
	// Local flips one spin chosen uniformly at random. It needs the whole
	// space (NUp = Unconstrained).
	Local Move = iota
	// Exchange swaps a pair of opposite spins, conserving S^z_tot: site i is
	// chosen uniformly among all N sites, then j uniformly among the sites
	// whose spin is opposite to x_i. It needs a fixed NUp.
	Exchange
)

// String returns "local" or "exchange".
func (m Move) String() string {
	switch m {
	case Local:
		return "local"
	case Exchange:
		return "exchange"
	}
	return fmt.Sprintf("Move(%d)", int(m))
}

// Unconstrained is the Options.NUp value for sampling the whole Hilbert
// space; it is hilbert.Unconstrained.
const Unconstrained = hilbert.Unconstrained

// Options configures a Sampler. See the package documentation for the
// sampling scheme.
type Options struct {
	// Chains is the number of independent Markov chains (≥ 1). It is part of
	// the physics of a run, never derived from Threads.
	Chains int
	// Samples is the number of samples per Sample call, all chains together
	// (≥ Chains). Each chain contributes PerChain = ⌈Samples/Chains⌉, so a
	// batch holds Chains·PerChain ≥ Samples samples.
	Samples int
	// Sweep is the number of sweeps between recorded samples; one sweep is N
	// proposals. Zero means 1.
	Sweep int
	// BurnIn is the number of sweeps each chain discards when it starts, that
	// is, in the first Sample call after NewSampler (or after SetState with a
	// state whose burn-in is not done).
	BurnIn int
	// Discard is the number of sweeps each chain discards at the start of
	// every Sample call (after any burn-in), e.g. to let the chains adapt to
	// new parameters. Default 0.
	Discard int
	// Move is the proposal rule when Rule is nil.
	Move Move
	// GlobalFlip is the probability that a proposal is the global spin flip
	// x → −x instead of Move (the rule GlobalFlip{Move, GlobalFlip}). It
	// must lie in [0, 1]; with a fixed NUp it needs NUp = N/2. It must be 0
	// when Rule is set.
	GlobalFlip float64
	// Rule, when not nil, is the proposal rule, and Move is ignored. Wrap it
	// in GlobalFlip to mix in global flips.
	Rule Rule
	// Seed is the master seed from which every chain's stream is derived.
	Seed uint64
	// Threads is the number of goroutines that run the chains; ≤ 0 means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Threads int
	// NUp fixes the number of up spins (the sector S^z_tot = NUp − N/2), or
	// is Unconstrained (−1). Initial configurations are uniformly random in
	// the sector. A fixed NUp needs Exchange moves.
	NUp int
}

// Sampler draws configurations from |ψ(x)|²/Z with the Metropolis algorithm
// on persistent, independent chains, proposing moves by a Rule, and hands
// every kept sample, with its chain's ansatz cache, to an Estimator (by
// default the LocalEstimator of its operator: local energies and
// log-derivatives). A Sampler must not be used by several goroutines at the
// same time; it runs its chains in parallel itself.
type Sampler struct {
	psi     ansatz.Ansatz
	op      hamiltonian.Operator // nil: SampleWith only
	opt     Options
	n       int
	per     int // samples per chain and call
	threads int
	chains  []*chain
	lo, hi  int            // the block of chains Sample runs (SetBlock)
	burned  bool           // burn-in done
	local   LocalEstimator // the estimator of Sample
}

// chain is the private state of one Markov chain. Each chain is a separate
// allocation, padded at both ends and with padded buffers (see padded), so
// that two chains running on different cores never write to the same cache
// line.
type chain struct {
	_     [cacheLine]byte
	pcg   rand.PCG
	rng   *rand.Rand
	cache ansatz.Cache
	prop  Proposer
	x     []int8 // current configuration (mirrors cache.Config)

	accepted, proposed int64
	_                  [cacheLine]byte
}

// cacheLine is a generous cache-line size (two 64-byte lines, for adjacent-
// line prefetchers).
const cacheLine = 128

// padded returns a slice of length n whose backing array extends at least one
// cache line beyond it, so that no other allocation's data shares a cache
// line with the slice's last element.
func padded[T any](n int) []T {
	var z T
	size := int(max(1, unsafe.Sizeof(z)))
	return make([]T, n, n+(cacheLine+size-1)/size)
}

// NewSampler returns a sampler of |ψ|² for the ansatz psi and the operator op
// with the given options, its chains initialized uniformly at random in the
// sector and not yet burned in. The operator is what Sample estimates; it
// may be nil for a sampler used only through SampleWith. NewSampler returns
// an error for invalid options: no chains, fewer samples than chains,
// negative sweep counts, NUp out of range, a rule that cannot sample the
// sector (Exchange moves without a fixed NUp or in a sector with all spins
// equal, Local moves with a fixed NUp, a GlobalFlip outside [0, 1] or one
// that leaves the sector), GlobalFlip set together with Rule, a fixed NUp
// with an operator that does not conserve S^z, or op and psi with different
// numbers of sites.
func NewSampler(psi ansatz.Ansatz, op hamiltonian.Operator, opt Options) (*Sampler, error) {
	n := psi.NumSites()
	if err := checkOperator(psi, op, opt.NUp); err != nil {
		return nil, err
	}
	if opt.Sweep == 0 {
		opt.Sweep = 1
	}
	switch {
	case opt.Chains < 1:
		return nil, fmt.Errorf("vmc: chains = %d, want at least 1", opt.Chains)
	case opt.Samples < opt.Chains:
		return nil, fmt.Errorf("vmc: samples = %d is fewer than chains = %d", opt.Samples, opt.Chains)
	case opt.Sweep < 0:
		return nil, fmt.Errorf("vmc: sweep = %d, want at least 1", opt.Sweep)
	case opt.BurnIn < 0:
		return nil, fmt.Errorf("vmc: burn_in = %d, want at least 0", opt.BurnIn)
	case opt.Discard < 0:
		return nil, fmt.Errorf("vmc: discard = %d, want at least 0", opt.Discard)
	case opt.Rule != nil && opt.GlobalFlip != 0:
		return nil, errors.New("vmc: GlobalFlip is set together with Rule; wrap the rule in GlobalFlip instead")
	}
	rule := opt.Rule
	if rule == nil {
		rule = opt.Move
		if opt.GlobalFlip != 0 {
			rule = GlobalFlip{Rule: opt.Move, P: opt.GlobalFlip}
		}
	}

	per := (opt.Samples + opt.Chains - 1) / opt.Chains
	threads := opt.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, opt.Chains)
	s := &Sampler{psi: psi, op: op, opt: opt, n: n, per: per, threads: threads, hi: opt.Chains}
	s.local.Op = op
	s.chains = make([]*chain, opt.Chains)
	perm := make([]int, n)
	for c := range s.chains {
		prop, err := rule.NewProposer(n, opt.NUp)
		if err != nil {
			return nil, err
		}
		ch := &chain{x: padded[int8](n), prop: prop}
		ch.pcg.Seed(chainSeed(opt.Seed, c))
		ch.rng = rand.New(&ch.pcg)
		ch.randomConfig(opt.NUp, perm)
		ch.cache = psi.NewCache(ch.x)
		s.chains[c] = ch
	}
	return s, nil
}

// checkOperator reports a mismatch between psi and op, a sector that op
// does not conserve, or nUp out of range. A nil op is no operator.
func checkOperator(psi ansatz.Ansatz, op hamiltonian.Operator, nUp int) error {
	n := psi.NumSites()
	if op != nil && op.NumSites() != n {
		return fmt.Errorf("vmc: the operator acts on %d sites but the ansatz has %d", op.NumSites(), n)
	}
	if nUp < Unconstrained || nUp > n {
		return fmt.Errorf("vmc: number of up spins %d is not in [0, %d] (or -1 for unconstrained)", nUp, n)
	}
	if c, ok := op.(hamiltonian.SzConserver); ok && nUp != Unconstrained && !c.ConservesSz() {
		return fmt.Errorf("vmc: the operator does not conserve S^z, so it cannot be sampled in the sector with %d up spins", nUp)
	}
	return nil
}

// chainSeed derives the two PCG seed words of chain c from the master seed
// with SplitMix64 (Steele, Lea and Flood, OOPSLA 2014), so that nearby seeds
// and chain indices give unrelated streams.
func chainSeed(seed uint64, c int) (uint64, uint64) {
	z := seed ^ splitmix64(uint64(c)+0x5851f42d4c957f2d)
	return splitmix64(z), splitmix64(z + 0x9e3779b97f4a7c15)
}

// splitmix64 returns the SplitMix64 output for state x: x + golden gamma
// passed through the variant-13 finalizer of MurmurHash3.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// randomConfig draws a uniformly random configuration, in the sector with
// nUp up spins unless nUp is Unconstrained, from the chain's stream; perm
// is scratch of length N.
func (c *chain) randomConfig(nUp int, perm []int) {
	x := c.x
	if nUp == Unconstrained {
		for i := range x {
			x[i] = int8(2*c.rng.IntN(2) - 1)
		}
		return
	}
	// A partial Fisher–Yates shuffle picks nUp distinct sites uniformly.
	for i := range perm {
		perm[i] = i
		x[i] = -1
	}
	for k := 0; k < nUp; k++ {
		j := k + c.rng.IntN(len(perm)-k)
		perm[k], perm[j] = perm[j], perm[k]
		x[perm[k]] = 1
	}
}

// prepare positions the cache and the proposer at the chain's configuration
// (the parameters may have changed since the last call).
func (c *chain) prepare() {
	c.cache.Reset(c.x)
	c.prop.Reset(c.x)
}

// step makes one Metropolis proposal and reports whether it was accepted.
// The acceptance probability
//
//	A(x → x') = min(1, |ψ(x')/ψ(x)|² q(x'→x)/q(x→x'))
//
// is compared in logs, r = 2 Re log-ratio + log q-ratio, with the random
// number drawn only when r < 0. A NaN ratio is rejected.
func (c *chain) step() bool {
	flips, logQ := c.prop.Propose(c.x, c.rng)
	r := 2*real(c.cache.LogRatio(flips)) + logQ
	if !(r >= 0) && !(math.Log(c.rng.Float64()) < r) {
		return false
	}
	c.cache.Accept(flips)
	for _, i := range flips {
		c.x[i] = -c.x[i]
	}
	c.prop.Accept(c.x, flips)
	return true
}

// sweeps makes k sweeps (k·N proposals) and returns the number accepted.
func (c *chain) sweeps(k int) int64 {
	var acc int64
	for range k * len(c.x) {
		if c.step() {
			acc++
		}
	}
	return acc
}

// run advances the chain through one Sample call, writing its samples into
// rows [ci·per, (ci+1)·per) of dst and handing each to est (if not nil) on
// worker slot ci.
func (c *chain) run(s *Sampler, dst *Batch, ci int, est Estimator) {
	c.prepare()
	if !s.burned {
		c.sweeps(s.opt.BurnIn)
	}
	c.sweeps(s.opt.Discard)
	c.accepted, c.proposed = 0, 0
	n := s.n
	for t := range s.per {
		c.accepted += c.sweeps(s.opt.Sweep)
		c.proposed += int64(s.opt.Sweep * n)
		k := ci*s.per + t
		copy(dst.Configs[k*n:(k+1)*n], c.x)
		if est != nil {
			est.Estimate(dst, ci, k, c.cache)
		}
	}
}

// SetSamples changes the number of samples per Sample call (all chains
// together) to n, keeping the chains, e.g. for a final evaluation with more
// samples than the optimization used. It returns an error if n < Chains.
func (s *Sampler) SetSamples(n int) error {
	if n < len(s.chains) {
		return fmt.Errorf("vmc: samples = %d is fewer than chains = %d", n, len(s.chains))
	}
	s.opt.Samples = n
	s.per = (n + len(s.chains) - 1) / len(s.chains)
	return nil
}

// NumSamples returns the number of samples per Sample call, Chains·PerChain.
func (s *Sampler) NumSamples() int { return len(s.chains) * s.per }

// Options returns the options in use, defaults filled in (Threads as given).
func (s *Sampler) Options() Options { return s.opt }

// Sample advances every chain and fills dst with Chains·PerChain samples in
// chain-major order (sample c·PerChain + t is the t-th sample of chain c):
// configurations, local energies of the sampler's operator, and, when
// derivs is true, the log-derivatives O_k. It is SampleWith with the
// LocalEstimator of the operator, and panics if the sampler has none.
func (s *Sampler) Sample(dst *Batch, derivs bool) {
	if s.op == nil {
		panic("vmc: Sampler.Sample on a sampler without an operator; use SampleWith")
	}
	s.local.Derivs = derivs
	s.SampleWith(dst, &s.local)
}

// SampleWith advances every chain and fills dst with Chains·PerChain
// configurations in chain-major order (sample c·PerChain + t is the t-th
// sample of chain c), handing each kept sample, with its chain's cache, to
// est on worker slot c (see Estimator). With a nil est only the
// configurations are recorded and E and O are empty. Each call first resets
// every chain's cache and proposer from its configuration, so the ansatz
// parameters may change freely between calls; chains then run their
// burn-in (first call only) and Discard sweeps, and record a sample after
// every Sweep sweeps. The chains persist: the next call continues from where
// this one stopped.
//
// The configurations in dst depend on the options (Threads excepted), the
// ansatz and the sampler's state only, not on est: they are bit-identical
// for any Threads, and so is what a deterministic estimator computes.
func (s *Sampler) SampleWith(dst *Batch, est Estimator) {
	dst.resize(s.NumSamples(), s.n, s.psi.NumParams(), len(s.chains), s.per, false)
	if est != nil {
		est.Begin(dst, len(s.chains))
	}
	block := s.chains[s.lo:s.hi]
	parallel.For(min(s.threads, len(block)), len(block), func(_, i int) {
		s.chains[s.lo+i].run(s, dst, s.lo+i, est)
	})
	s.burned = true
	acc, prop := s.Counts()
	dst.Acceptance = float64(acc) / float64(prop)
}

// SetBlock restricts Sample and SampleWith to the chains [lo, hi), for a
// run spread over processes (package internal/mpi): each process advances
// its own block of the same chains, and the batch rows of the other chains
// are left as they are, for the caller to fill with the other processes'
// rows. The batch keeps the shape of all chains, and Acceptance is that of
// the block (NaN for an empty one); Counts gives its raw counts. Every
// chain's stream depends on (seed, chain index) only, so the rows of a
// block are bit-identical to those of a sampler that runs all chains.
// SetBlock(0, Chains) restores the default. It panics if the block is not
// within [0, Chains].
func (s *Sampler) SetBlock(lo, hi int) {
	if lo < 0 || hi < lo || hi > len(s.chains) {
		panic(fmt.Sprintf("vmc: SetBlock(%d, %d) with %d chains", lo, hi, len(s.chains)))
	}
	s.lo, s.hi = lo, hi
}

// Block returns the chains [lo, hi) that Sample runs (all by default).
func (s *Sampler) Block() (lo, hi int) { return s.lo, s.hi }

// Counts returns the accepted and proposed Metropolis moves behind the
// last Sample call's samples, summed over the chains of the block.
func (s *Sampler) Counts() (accepted, proposed int64) {
	for _, c := range s.chains[s.lo:s.hi] {
		accepted += c.accepted
		proposed += c.proposed
	}
	return accepted, proposed
}

// SamplerState is the complete state of a Sampler's chains, for
// checkpointing: a Sampler built with the same options (Threads may differ)
// and given this state by SetState continues bit-identically.
type SamplerState struct {
	// Configs holds each chain's configuration (+1/−1 per site).
	Configs [][]int8
	// RNG holds each chain's PCG state as returned by (*rand.PCG).MarshalBinary.
	RNG [][]byte
	// BurnedIn reports whether the chains have done their burn-in.
	BurnedIn bool
}

// State returns a copy of the chains' configurations and random-number
// generator states.
func (s *Sampler) State() SamplerState {
	st := SamplerState{
		Configs:  make([][]int8, len(s.chains)),
		RNG:      make([][]byte, len(s.chains)),
		BurnedIn: s.burned,
	}
	for c, ch := range s.chains {
		st.Configs[c] = append([]int8(nil), ch.x...)
		b, err := ch.pcg.MarshalBinary()
		if err != nil {
			panic("vmc: PCG state: " + err.Error()) // never happens
		}
		st.RNG[c] = b
	}
	return st
}

// SetState restores the chains from st, typically read from a checkpoint.
// It returns an error, and leaves the sampler unchanged, if st does not
// match the sampler: wrong number of chains or sites, spins other than ±1, a
// configuration outside the sector, or an invalid RNG state.
func (s *Sampler) SetState(st SamplerState) error {
	m := len(s.chains)
	if len(st.Configs) != m || len(st.RNG) != m {
		return fmt.Errorf("vmc: sampler state has %d configurations and %d RNG states, want %d chains", len(st.Configs), len(st.RNG), m)
	}
	pcgs := make([]rand.PCG, m)
	for c := range m {
		x := st.Configs[c]
		if len(x) != s.n {
			return fmt.Errorf("vmc: sampler state: chain %d has %d sites, want %d", c, len(x), s.n)
		}
		up := 0
		for i, v := range x {
			if v != 1 && v != -1 {
				return fmt.Errorf("vmc: sampler state: chain %d, site %d has spin %d, want ±1", c, i, v)
			}
			if v > 0 {
				up++
			}
		}
		if s.opt.NUp != Unconstrained && up != s.opt.NUp {
			return fmt.Errorf("vmc: sampler state: chain %d has %d up spins, want %d", c, up, s.opt.NUp)
		}
		if err := pcgs[c].UnmarshalBinary(st.RNG[c]); err != nil {
			return fmt.Errorf("vmc: sampler state: chain %d: %w", c, err)
		}
	}
	for c, ch := range s.chains {
		copy(ch.x, st.Configs[c])
		ch.pcg = pcgs[c]
	}
	s.burned = st.BurnedIn
	return nil
}
