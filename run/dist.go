package run

import (
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/vmc-lattice/vmc/internal/mpi"
	"github.com/vmc-lattice/vmc/vmc"
)

// A run spread over ranks (docs/mpi.md): rank r advances the contiguous
// block [⌊r·C/R⌋, ⌊(r+1)·C/R⌋) of the C chains of sampler.chains, and after
// every Sample call the rows of the batch (configurations, local energies,
// log-derivatives) and the acceptance counts are gathered in chain order,
// so that every rank holds the batch one process would have drawn, bit for
// bit. Every rank then takes the same deterministic optimizer step from
// the same batch (the SR solve is repeated on every rank, not split), so
// the parameters stay identical on all ranks without any further
// communication. Chain states are gathered for each checkpoint; rank 0
// writes the run file.

// distSampler is the BatchSampler of a rank: its block of the chains, and
// the other ranks' rows by Allgatherv.
type distSampler struct {
	s      *vmc.Sampler
	comm   mpi.Comm
	chains int
	// gather is the time spent in the gathers of batches, for reports.
	gather time.Duration
}

// Sample runs this rank's chains and gathers every rank's rows and counts,
// leaving dst as one process running every chain would (Acceptance from
// the summed integer counts, so it is exact too).
func (d *distSampler) Sample(dst *vmc.Batch, derivs bool) {
	d.s.Sample(dst, derivs)
	t := time.Now()
	c, size, per := d.comm, d.comm.Size(), dst.PerChain
	mpi.AllgatherOf(c, dst.Configs, mpi.Counts(d.chains, size, per*dst.N))
	mpi.AllgatherOf(c, dst.E, mpi.Counts(d.chains, size, per))
	if derivs {
		mpi.AllgatherOf(c, dst.O, mpi.Counts(d.chains, size, per*dst.P))
	}
	counts := make([]int64, 2*size)
	counts[2*c.Rank()], counts[2*c.Rank()+1] = d.s.Counts()
	mpi.AllgatherOf(c, counts, mpi.Counts(size, size, 2))
	var acc, prop int64
	for r := range size {
		acc += counts[2*r]
		prop += counts[2*r+1]
	}
	dst.Acceptance = float64(acc) / float64(prop)
	d.gather += time.Since(t)
}

// distribute spreads the engine's chains over the ranks of comm: this
// rank's sampler runs its block and the driver samples through a
// distSampler. With one rank, or an exact sum (sampler.exact, which every
// rank then computes in full), nothing changes.
func (e *Engine) distribute(comm mpi.Comm) {
	e.comm = comm
	if comm.Size() == 1 || e.Chains == nil {
		return
	}
	chains := e.Problem.Config.Sampler.Chains
	e.Chains.SetBlock(mpi.Block(chains, comm.Rank(), comm.Size()))
	e.dist = &distSampler{s: e.Chains, comm: comm, chains: chains}
	e.Sampler = e.dist
	e.Driver = vmc.NewDriver(e.Ansatz, e.Sampler, e.Problem.DriverOptions(e.threads))
}

// samplerState returns the state of every chain: with ranks, each chain's
// configuration and RNG state come from the rank that runs it (a
// collective call).
func (e *Engine) samplerState() vmc.SamplerState {
	st := e.Chains.State()
	if e.dist == nil {
		return st
	}
	c, size := e.comm, e.comm.Size()
	chains, n := len(st.Configs), e.Problem.NumSites()
	rngLen := len(must(new(rand.PCG).MarshalBinary()))
	x := make([]int8, chains*n)
	rng := make([]byte, chains*rngLen)
	lo, hi := e.Chains.Block()
	for ch := lo; ch < hi; ch++ {
		copy(x[ch*n:], st.Configs[ch])
		copy(rng[ch*rngLen:], st.RNG[ch])
	}
	mpi.AllgatherOf(c, x, mpi.Counts(chains, size, n))
	c.Allgatherv(rng, mpi.Counts(chains, size, rngLen))
	for ch := range chains {
		st.Configs[ch] = x[ch*n : (ch+1)*n : (ch+1)*n]
		st.RNG[ch] = rng[ch*rngLen : (ch+1)*rngLen : (ch+1)*rngLen]
	}
	return st
}

// GatherSeconds returns the time this rank spent gathering batches (zero
// for a run on one rank).
func (e *Engine) GatherSeconds() float64 {
	if e.dist == nil {
		return 0
	}
	return e.dist.gather.Seconds()
}

// stopped reports whether the run must stop: ctx is cancelled on this
// rank or, with ranks, on any rank (a collective call), so that every rank
// stops after the same iteration.
func (e *Engine) stopped(ctxErr error) bool {
	if e.comm == nil || e.comm.Size() == 1 {
		return ctxErr != nil
	}
	return e.comm.Any(ctxErr != nil)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// errDiverged is returned when the ranks' parameters differ after a step.
var errDiverged = errors.New("the ranks' parameters differ after the same step: the nodes compute the SR step differently (different CPU kernels, AVX-512 vs AVX2?); run on nodes of one CPU kind")

// checkAgree compares a hash of the parameters across ranks (a collective
// call; 8 bytes per rank). Every rank takes the same step from the same
// batch, so they agree unless the nodes round differently; then every
// rank returns the same error.
func (e *Engine) checkAgree() error {
	if e.dist == nil {
		return nil
	}
	h := fnv.New64a()
	h.Write(mpi.Bytes(e.Params()))
	size := e.comm.Size()
	sums := make([]int64, size)
	sums[e.comm.Rank()] = int64(h.Sum64())
	mpi.AllgatherOf(e.comm, sums, mpi.Counts(size, size, 1))
	for _, v := range sums {
		if v != sums[0] {
			return errDiverged
		}
	}
	return nil
}
