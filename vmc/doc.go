// Package vmc implements variational Monte Carlo for spin-1/2 lattice
// models: Metropolis sampling of |ψ(x)|² on goroutine-parallel chains with
// pluggable transition rules, exact enumeration for small systems, local
// estimators, and their statistics.
//
// # Samples, estimators and batches
//
// A sampler (Sampler, or Exact for small systems) yields configurations x_s
// into a Batch; an Estimator evaluates per-sample quantities at each of
// them from the ansatz cache of the chain that holds the sample, so that
// nothing the chain already has (log ψ, look-up tables) is recomputed. The
// estimator of a Hamiltonian is LocalEstimator: it fills the local energies
//
//	E_loc(x) = Σ_x' ⟨x|H|x'⟩ exp(log ψ(x') − log ψ(x))
//
// (complex; the connected x' come from hamiltonian.Operator.Connected, the
// log-ratios from ansatz.Cache.LogRatio, see LocalEnergy) and, on request,
// the log-derivatives O_k(x) = ∂ log ψ(x)/∂θ_k. Sample(dst, derivs) is
// SampleWith(dst, the LocalEstimator of the sampler's operator); SampleWith
// takes any estimator, or nil for configurations only (as the Rényi entropy
// of package observable needs). An expectation value is estimated as
// ⟨A⟩ ≈ Σ_s w_s A_s with w_s = 1/Ns for Monte Carlo batches and
// w_s = |ψ(x_s)|²/Z for exact ones; the energy is ⟨H⟩ = ⟨E_loc⟩ and its
// variance ⟨H²⟩ − ⟨H⟩² = ⟨|E_loc − ⟨E_loc⟩|²⟩. Both kinds of batch go
// through the same code downstream (statistics, stochastic reconfiguration).
//
// # Metropolis sampling and transition rules
//
// Sampler runs Chains independent Markov chains. From configuration x a chain
// asks its Rule for a proposal x' (the sites to flip) with the log ratio of
// proposal probabilities log q(x'→x) − log q(x→x'), and accepts it with
// probability
//
//	A(x → x') = min(1, |ψ(x')/ψ(x)|² q(x'→x)/q(x→x'))
//	          = min(1, exp(2 Re[log ψ(x') − log ψ(x)] + log q(x'→x) − log q(x→x'))),
//
// evaluated in logarithms (u < A ⟺ log u < r, u drawn only when r < 0), so
// that no ratio overflows. This is detailed balance for |ψ|². A rejected
// proposal leaves the chain where it is; the current state is recorded
// either way.
//
// A Rule makes one Proposer per chain (Rule.NewProposer, which also refuses
// a space the rule cannot sample); the proposer draws from the chain's
// stream, keeps whatever bookkeeping makes a proposal cheap, rebuilt from
// the configuration by Reset, and is told of accepted moves by Accept. The
// sampler owns the chains, sweeps, burn-in and acceptance, so a new rule
// plugs in through Options.Rule (see the Rule example). The built-in rules
// are symmetric, q(x → x') = q(x' → x), so their log ratio is 0:
//
//   - Local: flip one site i drawn uniformly from the N sites;
//     q = 1/N for each of the N neighbours.
//   - Exchange (fixed number of up spins n↑, n↓ = N − n↑ ≥ 1): draw i
//     uniformly from all N sites, then j uniformly from the sites whose spin
//     is opposite to x_i, and swap x_i and x_j. An unordered pair {i, j} with
//     x_i = ↑, x_j = ↓ is reached either as (i, j) or as (j, i), so
//     q(x → x') = (1/N)(1/n↓) + (1/N)(1/n↑), which depends only on n↑ and
//     n↓. Both are conserved, so q(x' → x) is the same number. The move
//     conserves S^z_tot = (n↑ − n↓)/2 and connects all configurations of the
//     sector, and every proposal changes the configuration.
//   - GlobalFlip{Rule, P}: with probability P the global flip x' = −x, an
//     involution, hence symmetric; otherwise a proposal of Rule. With a fixed
//     sector it requires n↑ = N/2. Options.GlobalFlip wraps Options.Move in it.
//
// A sweep is N proposals. A recorded sample follows every Sweep sweeps. When
// the chains start (the first Sample call after NewSampler, or after SetState
// with a state that is not burned in) each chain first makes BurnIn sweeps,
// and every Sample call makes Discard sweeps per chain before the first
// sample. Chains persist across calls: each call continues from the
// configurations where the previous one stopped, after resetting the caches
// of the ansatz and the proposers from them (the parameters may have changed
// in between). Initial configurations are drawn uniformly at random, in the
// sector when NUp is fixed, from the chain's own stream.
//
// # Chains, streams and reproducibility
//
// Chain c owns a PCG generator (math/rand/v2) seeded with two words derived
// from (Seed, c) by SplitMix64, its configuration, its ansatz cache and its
// proposer. The chains are handed out to Threads goroutines in any order, but
// a chain reads and writes only its own state, its estimator slot and its own
// rows of the batch, and every
// reduction (acceptance, weight normalization, statistics) runs sequentially
// in a fixed order. Hence a batch is a function of the options (Threads
// excepted), the ansatz and the sampler state only: results are bit-identical
// for any number of threads, and a sampler restored with SetState from State
// continues bit-identically. The number of chains is part of the physics
// configuration and is never derived from the thread count.
//
// The batch is chain-major: sample s = c·PerChain + t is the t-th sample of
// chain c, with PerChain = ⌈Samples/Chains⌉ and Ns = Chains·PerChain.
//
// No proposal and no local energy allocates: proposers and the per-slot
// scratch of LocalEstimator (with the callback passed to
// Operator.Connected) are created once, and chain states, proposers and
// scratch are padded so that chains on different cores do not share cache
// lines.
//
// # Exact enumeration
//
// Exact lists every configuration of a hilbert.Space (all 2^N, or the
// C(N, n↑) of one sector in increasing bit order, by Gosper's hack; the order
// of the ed basis too) and fills a Batch with weights
// W_s = |ψ(x_s)|²/Z computed with a log-sum-exp shift, Chains = 1 and
// Acceptance = 1. Estimates from it are exact up to rounding.
//
// # Statistics
//
// Statistics summarizes a real series x of Ns = M·n samples from M chains of
// length n (chain-major), with chain means m_c and global mean x̄:
//
//	Mean     x̄ = (1/Ns) Σ_s x_s
//	Variance σ² = (1/Ns) Σ_s (x_s − x̄)²
//
// Autocorrelation, within chains and averaged over chains, about the
// global mean:
//
//	Γ(t) = (1/M) Σ_c (1/n) Σ_{i=0}^{n−1−t} (x_{c,i} − x̄)(x_{c,i+t} − x̄),   ρ(t) = Γ(t)/Γ(0)
//	τ = 1 + 2 Σ_{t=1}^{W} ρ(t)
//
// Centering each chain at its own mean m_c instead (Sokal's single-chain
// form) removes the fluctuation of m_c from Γ and underestimates τ for
// short chains: 16 chains of 128 samples of an AR(1) series with ρ = 0.8
// gave 0.62 of the true τ and a 1σ coverage of 0.58. Centering at x̄ counts
// the spread of the chain means as correlation, as it is (0.96 and 0.68 in
// the same test), and makes τ, and the error, larger when chains disagree.
//
// with Sokal's automatic window: W is the smallest lag with W ≥ 5·τ(W)
// (at most n − 1). In this convention τ = 1 for independent samples and
// τ = (1+ρ)/(1−ρ) for an AR(1) process with lag-one correlation ρ, and the
// variance of the mean is τ·σ²/Ns. (NetKet's tau_corr is (τ − 1)/2.)
//
// Error of the mean: with M ≥ 32 chains, from the spread of the chain means,
// which are independent whatever the autocorrelation (NetKet's estimator):
//
//	Error = sqrt( Σ_c (m_c − x̄)² / ((M − 1) M) );
//
// with fewer chains, from the autocorrelation time:
//
//	Error = sqrt(τ σ² / Ns).
//
// Split R-hat (Gelman et al., Bayesian Data Analysis, 3rd ed., §11.4): each
// chain is cut into two halves of h = ⌊n/2⌋ samples, giving m = 2M sequences
// with means θ_j and unbiased variances s_j²;
//
//	W = (1/m) Σ_j s_j²,   B/h = Σ_j (θ_j − θ̄)² / (m − 1),   R̂ = sqrt( ((h−1)/h W + B/h) / W ).
//
// R̂ close to 1 (say below 1.05) indicates that the chains sample the same
// distribution; it is NaN for chains shorter than 4 samples.
//
// For an exact (weighted) batch: Mean = Σ_s w_s x_s, Variance =
// Σ_s w_s (x_s − Mean)², Error = 0, TauCorr = 0, RHat = NaN.
//
// For the complex local energy (Batch.EnergyStats), Mean, Error, TauCorr and
// RHat are those of Re E_loc, MeanImag is the mean of Im E_loc, and Variance
// is the variance of the complex E_loc, ⟨|E_loc − ⟨E_loc⟩|²⟩, which is the
// energy variance ⟨H²⟩ − ⟨H⟩² and vanishes for an eigenstate.
package vmc
