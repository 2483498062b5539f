package observable

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/cmplx"
	"slices"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hilbert"
	"github.com/vmc-lattice/vmc/vmc"
)

// Renyi is a Monte Carlo estimate of the Rényi-2 entropy of a region.
type Renyi struct {
	// S2 = −ln ⟨Swap⟩ with the error, variance and autocorrelation of
	// ⟨Swap⟩ propagated to first order (Error = Swap.Error/Swap.Mean,
	// Variance = Swap.Variance/Swap.Mean²; TauCorr and RHat are Swap's).
	// Mean, Error and Variance are NaN when Swap.Mean ≤ 0.
	S2 vmc.Stats
	// Swap is the estimate of ⟨Swap_A⟩ = Tr ρ_A².
	Swap vmc.Stats
}

// renyiSeedMix derives the seed of the second replica from the first one's.
// Chain seeds are SplitMix64 hashes of (seed, chain), so any fixed non-zero
// mask gives unrelated streams.
const renyiSeedMix = 0x6a09e667f3bcc909

// Renyi2 estimates the Rényi-2 entropy of region (a set of sites) in the
// state psi by the replica swap estimator (see the package documentation).
// It runs two samplers of |ψ|² with the options opts, the first with
// opts.Seed and the second with a seed derived from it, draws one batch of
// opts.Samples configurations from each (after opts.BurnIn sweeps; no
// operator and no estimator, so no local energy is computed) and calls
// Renyi2Batches with opts.NUp.
//
// It returns an error if the options are invalid for vmc.NewSampler or the
// region is not a set of distinct sites of psi.
func Renyi2(psi ansatz.Ansatz, opts vmc.Options, region []int) (Renyi, error) {
	if _, err := regionMask(psi.NumSites(), region); err != nil {
		return Renyi{}, err
	}
	s1, err := vmc.NewSampler(psi, nil, opts)
	if err != nil {
		return Renyi{}, err
	}
	o2 := opts
	o2.Seed ^= renyiSeedMix
	s2, err := vmc.NewSampler(psi, nil, o2)
	if err != nil {
		return Renyi{}, err
	}
	var x, y vmc.Batch
	s1.SampleWith(&x, nil)
	s2.SampleWith(&y, nil)
	return Renyi2Batches(psi, &x, &y, region, opts.NUp, opts.Threads)
}

// Renyi2Batches evaluates the swap estimator on two Monte Carlo batches of
// the same state psi drawn by independent samplers (different seeds, same
// number of chains and samples), pairing sample s of x with sample s of y:
//
//	Swap(x, y) = Re[ψ(y_A x_B) ψ(x_A y_B) / (ψ(x) ψ(y))],
//
// or 0 when nUp is fixed and x_A, y_A hold different numbers of up spins
// (the swapped configurations then leave the sector, where ψ = 0). The
// statistics use the batches' chains: the pairs of chain c form a Markov
// chain of the product distribution. threads ≤ 0 means GOMAXPROCS; the
// result does not depend on it.
//
// It panics if the batches have different shapes or sites other than psi's.
// It returns an error if a batch is weighted (exact enumeration: use
// Renyi2Ansatz), a sample is outside the sector nUp, or the region is not a
// set of distinct sites.
func Renyi2Batches(psi ansatz.Ansatz, x, y *vmc.Batch, region []int, nUp, threads int) (Renyi, error) {
	n := psi.NumSites()
	if x.N != n || y.N != n || x.Ns != y.Ns || x.Chains != y.Chains {
		panic(fmt.Sprintf("observable: Renyi2Batches: batches of %d×%d (%d chains) and %d×%d (%d chains) for %d sites",
			x.Ns, x.N, x.Chains, y.Ns, y.N, y.Chains, n))
	}
	if x.W != nil || y.W != nil {
		return Renyi{}, errors.New("observable: Renyi2Batches needs Monte Carlo batches; use Renyi2Ansatz for exact enumeration")
	}
	if _, err := regionMask(n, region); err != nil {
		return Renyi{}, err
	}
	for _, b := range []*vmc.Batch{x, y} {
		if err := checkSamples(b, nUp); err != nil {
			return Renyi{}, err
		}
	}
	sector := nUp != vmc.Unconstrained
	ns := x.Ns
	vals := make([]float64, ns)
	threads = min(defaultThreads(threads), max(ns, 1))
	parallel(threads, threads, func(t int) {
		var cache ansatz.Cache
		var flips []int
		for s := t * ns / threads; s < (t+1)*ns/threads; s++ {
			cx, cy := x.Config(s), y.Config(s)
			flips = flips[:0]
			upX, upY := 0, 0
			for _, i := range region {
				if cx[i] > 0 {
					upX++
				}
				if cy[i] > 0 {
					upY++
				}
				if cx[i] != cy[i] {
					flips = append(flips, i)
				}
			}
			switch {
			case sector && upX != upY:
				vals[s] = 0
			case len(flips) == 0:
				vals[s] = 1 // x_A = y_A: the swap changes nothing
			default:
				if cache == nil {
					cache = psi.NewCache(cx)
				} else {
					cache.Reset(cx)
				}
				l := cache.LogRatio(flips) // log ψ(y_A x_B) − log ψ(x)
				cache.Reset(cy)
				l += cache.LogRatio(flips) // log ψ(x_A y_B) − log ψ(y)
				vals[s] = real(cmplx.Exp(l))
			}
		}
	})
	sw := vmc.Statistics(vals, x.Chains, nil)
	return Renyi{S2: entropyStats(sw), Swap: sw}, nil
}

// entropyStats propagates the statistics of ⟨Swap⟩ to S_2 = −ln ⟨Swap⟩.
func entropyStats(sw vmc.Stats) vmc.Stats {
	st := vmc.Stats{TauCorr: sw.TauCorr, RHat: sw.RHat}
	if !(sw.Mean > 0) {
		st.Mean, st.Error, st.Variance = math.NaN(), math.NaN(), math.NaN()
		return st
	}
	st.Mean = -math.Log(sw.Mean)
	st.Error = sw.Error / sw.Mean
	st.Variance = sw.Variance / (sw.Mean * sw.Mean)
	return st
}

// Renyi2Exact returns the Rényi-2 entropy S_2 = −ln Tr ρ_A² of region in
// the state vec over basis (an ED ground state: Result.Vector and
// Result.Basis; it need not be normalized). It returns an error if the
// region is not a set of distinct sites or the reduced density matrix of
// the smaller of the region and its complement would exceed 2^23 elements
// (128 MiB).
func Renyi2Exact(vec []float64, basis *ed.Basis, region []int) (float64, error) {
	if len(vec) != basis.Dim() {
		panic(fmt.Sprintf("observable: Renyi2Exact: vector of length %d for a basis of dimension %d", len(vec), basis.Dim()))
	}
	states := make([]uint64, 0, len(vec))
	amps := make([]complex128, 0, len(vec))
	for k, v := range vec {
		if v != 0 {
			states = append(states, basis.State(k))
			amps = append(amps, complex(v, 0))
		}
	}
	return renyiExact(basis.NumSites(), states, amps, region)
}

// Renyi2Ansatz returns the Rényi-2 entropy of region in the state psi,
// restricted to the sector with nUp up spins (vmc.Unconstrained: the whole
// space), by enumerating every configuration of the sector (see
// Renyi2Exact). It returns an error if the sector cannot be enumerated
// (hilbert.NewBasis), the region is invalid, or ψ vanishes everywhere.
func Renyi2Ansatz(psi ansatz.Ansatz, nUp int, region []int) (float64, error) {
	n := psi.NumSites()
	basis, err := hilbert.NewBasis(n, nUp)
	if err != nil {
		return 0, err
	}
	logs := make([]complex128, basis.Dim())
	x := make([]int8, n)
	top := math.Inf(-1)
	for k, s := range basis.All() {
		logs[k] = psi.LogPsi(basis.ToConfig(s, x))
		top = max(top, real(logs[k]))
	}
	if math.IsInf(top, -1) || math.IsNaN(top) {
		return 0, errors.New("observable: Renyi2Ansatz: ψ vanishes (or is NaN) on the whole sector")
	}
	states := make([]uint64, 0, len(logs))
	amps := make([]complex128, 0, len(logs))
	for k, l := range logs {
		a := cmplx.Exp(l - complex(top, 0))
		if a != 0 {
			states = append(states, basis.State(k))
			amps = append(amps, a)
		}
	}
	return renyiExact(n, states, amps, region)
}

// maxRhoEntries bounds the number of elements of the reduced density
// matrix built by the exact Rényi functions (2^23 complex128, 128 MiB).
const maxRhoEntries = 1 << 23

// regionMask checks that region lists distinct sites of 0..n−1 and returns
// them as a bit mask.
func regionMask(n int, region []int) (uint64, error) {
	if n > 64 {
		return 0, fmt.Errorf("observable: %d sites: regions are limited to 64 sites", n)
	}
	var m uint64
	for k, i := range region {
		if i < 0 || i >= n {
			return 0, fmt.Errorf("observable: region[%d] = %d is not a site of 0..%d", k, i, n-1)
		}
		if m>>uint(i)&1 != 0 {
			return 0, fmt.Errorf("observable: region[%d] = %d repeats a site", k, i)
		}
		m |= 1 << uint(i)
	}
	return m, nil
}

// renyiExact computes −ln Tr ρ_A² for the state Σ_k amps[k] |states[k]⟩.
//
// With S the smaller of A and its complement (a pure state has the same
// purity on both sides) and a, b the bits of S and of the rest, ρ_S[a][a']
// = Σ_b ψ(a,b) ψ*(a',b) / Z. If every state has the same number of up spins,
// ρ_S is block diagonal in the number of up spins of a, and each block is
// indexed by the rank of a among the patterns of that popcount; otherwise it
// is one dense block indexed by a. Terms are summed in a fixed order (states
// sorted by b, then a).
func renyiExact(n int, states []uint64, amps []complex128, region []int) (float64, error) {
	mask, err := regionMask(n, region)
	if err != nil {
		return 0, err
	}
	full := uint64(1)<<uint(n) - 1
	if bits.OnesCount64(mask) > n/2 {
		mask = full &^ mask
	}
	k := bits.OnesCount64(mask)
	if len(states) == 0 {
		return 0, errors.New("observable: the state is zero")
	}
	sector := true
	for _, s := range states {
		if bits.OnesCount64(s) != bits.OnesCount64(states[0]) {
			sector = false
			break
		}
	}
	// Block layout: block of a, rank of a within it, and block sizes.
	nblk := 1
	if sector {
		nblk = k + 1
	}
	size := make([]int, nblk)
	rank := make([]int32, 1<<uint(k))
	for a := range rank {
		blk := 0
		if sector {
			blk = bits.OnesCount64(uint64(a))
		}
		rank[a] = int32(size[blk])
		size[blk]++
	}
	var entries int
	off := make([]int, nblk)
	for b, m := range size {
		off[b] = entries
		entries += m * m
	}
	if entries > maxRhoEntries {
		return 0, fmt.Errorf("observable: the reduced density matrix of %d sites has %d elements, above the limit %d", k, entries, maxRhoEntries)
	}
	type term struct {
		a, b uint64
		amp  complex128
	}
	terms := make([]term, len(states))
	var z float64
	for t, s := range states {
		terms[t] = term{a: extract(s, mask), b: extract(s, full&^mask), amp: amps[t]}
		z += real(amps[t])*real(amps[t]) + imag(amps[t])*imag(amps[t])
	}
	slices.SortFunc(terms, func(p, q term) int {
		if p.b != q.b {
			if p.b < q.b {
				return -1
			}
			return 1
		}
		switch {
		case p.a < q.a:
			return -1
		case p.a > q.a:
			return 1
		}
		return 0
	})
	rho := make([]complex128, entries)
	for lo := 0; lo < len(terms); {
		hi := lo + 1
		for hi < len(terms) && terms[hi].b == terms[lo].b {
			hi++
		}
		for p := lo; p < hi; p++ {
			tp := terms[p]
			bp := 0
			if sector {
				bp = bits.OnesCount64(tp.a)
			}
			row := off[bp] + int(rank[tp.a])*size[bp]
			for q := lo; q < hi; q++ {
				tq := terms[q]
				if sector && bits.OnesCount64(tq.a) != bp {
					continue
				}
				rho[row+int(rank[tq.a])] += tp.amp * cmplx.Conj(tq.amp)
			}
		}
		lo = hi
	}
	var purity float64
	for _, v := range rho {
		purity += real(v)*real(v) + imag(v)*imag(v)
	}
	return -math.Log(purity / (z * z)), nil
}

// extract gathers the bits of s selected by mask into the low bits of the
// result, in increasing site order.
func extract(s, mask uint64) uint64 {
	var out uint64
	var k uint
	for m := mask; m != 0; m &= m - 1 {
		i := uint(bits.TrailingZeros64(m))
		out |= (s >> i & 1) << k
		k++
	}
	return out
}
