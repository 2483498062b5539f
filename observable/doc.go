// Package observable estimates spin correlations, structure factors,
// magnetizations and Rényi-2 entanglement entropies of a variational state,
// from Monte Carlo or exact-weighted batches (package vmc), and computes the
// same quantities exactly from an exact-diagonalization ground state
// (package ed) for comparison.
//
// # Conventions
//
// Spin operators are spin-1/2 operators S = σ/2, whatever the units of the
// Hamiltonian, so in a configuration x (x_i = ±1, see package hamiltonian)
//
//	S^z_i = x_i / 2,   ⟨S^z_i S^z_i⟩ = ⟨S^x_i S^x_i⟩ = 1/4.
//
// Every estimate is a vmc.Stats: the mean, the error of the mean, the
// variance of the per-sample estimator, the autocorrelation time and R-hat,
// computed by vmc.Statistics from one value per sample with the batch's
// chain structure (chain-major Monte Carlo batches) or its weights (exact
// batches and ED vectors, for which Error = 0). An estimate computed from
// an ED vector is exact; its Variance is that of the same per-sample
// estimator under |ψ|², so it predicts the Monte Carlo error bars.
//
// # Estimators
//
// Diagonal observables are evaluated on each sample:
//
//	C^zz_ij = ⟨S^z_i S^z_j⟩           from x_i x_j / 4,
//	S(q)    = (1/N) Σ_ij e^{iq·(r_i − r_j)} ⟨S^z_i S^z_j⟩
//	        = ⟨|Σ_i e^{iq·r_i} S^z_i|²⟩ / N,
//	m       = ⟨|M_z|⟩ / N,             M_z = Σ_i S^z_i,
//	m_s²    = ⟨(Σ_i ε_i S^z_i)²⟩ / N², ε_i = +1 (−1) on sublattice 0 (1).
//
// S(q) is computed per sample as |Σ_i e^{iq·r_i} x_i/2|²/N, so its error bar
// includes the correlations between pairs, at every momentum of
// lattice.Momenta. m_s² needs a bipartite lattice (lattice.Bipartite); on
// other lattices its entry is absent.
//
// The off-diagonal correlation uses the local estimator of σ^x_i σ^x_j,
//
//	C^xx_ij = ⟨S^x_i S^x_j⟩ = (1/4) Σ_x |ψ(x)|²/Z · Re[ψ(x^{ij}) / ψ(x)],
//
// where x^{ij} is x with spins i and j flipped; the ratio comes from an
// ansatz.Cache positioned at the sample (Reset, then LogRatio). Its real
// part is taken because C^xx is real for any state (σ^x_i σ^x_j is a real
// symmetric matrix); the imaginary part averages to zero. For a state
// confined to a magnetization sector (Spec.NUp fixed, or an ED vector of one
// sector) ψ is zero outside the sector, so flips of two parallel spins
// contribute 0 and no ratio is computed for them. By SU(2) symmetry a
// singlet ground state has C^xx_ij = C^zz_ij, which the tests check.
//
// # Sign rule
//
// A Heisenberg operator with the Marshall sign rule (hamiltonian package,
// SignRule) describes the rotated state ψ' = Uψ, U = Π_{i∈B} σ^z_i, and both
// the optimized ansatz and the ED vector represent ψ'. Diagonal observables
// and entanglement are unchanged by U, but U σ^x_i U† = −σ^x_i on B, so
//
//	⟨S^x_i S^x_j⟩_ψ = ε_i ε_j ⟨S^x_i S^x_j⟩_ψ'.
//
// Set Spec.SignRule to the operator's SignRule() and the factor is applied,
// so that reported correlations are those of the physical state.
//
// # Distance classes
//
// With Spec.ByDistance, correlations are averaged over the pairs (i, j) at
// the same minimum-image distance
//
//	d_ij = min_n |r_j − r_i + Σ_d n_d L_d a_d|,
//
// the minimum over the periodic images of the cluster (n_d ranges over
// −2..2 along periodic directions with at least two cells; a periodic
// direction of one cell adds no images). Distances equal within 1e-8 (the
// lattice package's shell tolerance) form one class; classes are sorted by
// distance, the first being d = 0 (i = j, where C = 1/4). Pairs of
// different translation orbits at the same distance share a class. The
// class label (Entry.Labels) is the distance. Custom lattices place their
// sites on a line without periodic images, so their "distance" is |i − j|.
//
// Distance-averaged zz correlations use all pairs i ≤ j of every sample,
// which costs O(N²) products per sample. Distance-averaged xx correlations
// use only the pairs (r, j) whose first site r is a reference site: the
// smallest site of each orbit of the translation group (lattice.Translations;
// the first unit cell for built-in lattices, every site for custom ones).
// That costs O(N·N_ref) log-ratios per sample instead of O(N²), and gives
// the same expectation values for a translation-invariant state (the exact
// ground state, a symmetric ansatz); for an ansatz that breaks translation
// symmetry it reports the correlations seen from the reference cell.
//
// # Rényi-2 entropy by the replica swap
//
// For a region A and its complement B, write x = (x_A, x_B). The purity of
// the reduced density matrix is the expectation of the swap operator on two
// independent copies of the state (Hastings, González, Kallin and Melko,
// Phys. Rev. Lett. 104, 157201 (2010)):
//
//	Tr ρ_A² = ⟨Swap_A⟩ = Σ_{x,y} |ψ(x)|²|ψ(y)|²/Z² · ψ(y_A x_B) ψ(x_A y_B) / (ψ(x) ψ(y)),
//	S_2 = −ln Tr ρ_A².
//
// Renyi2 draws pairs (x, y) from two samplers of |ψ|² with different seeds
// (sample s of copy 1 with sample s of copy 2, so that chain c of the pair is
// again a Markov chain; the samplers have no operator and run no estimator,
// vmc.Sampler.SampleWith with nil, so only configurations are drawn) and
// averages the real part of the swap ratio. Both
// ratios come from one cache: with D the sites of A where x and y differ,
// ψ(y_A x_B)/ψ(x) = exp(LogRatio at x, flips D) and ψ(x_A y_B)/ψ(y) =
// exp(LogRatio at y, flips D). In a fixed magnetization sector a swapped
// configuration leaves the sector exactly when x_A and y_A hold different
// numbers of up spins; ψ is zero there, so such pairs contribute 0 and ψ is
// not evaluated. The error of S_2 is propagated from that of ⟨Swap⟩,
//
//	δS_2 = δ⟨Swap⟩ / ⟨Swap⟩.
//
// The estimator is unbiased for ⟨Swap⟩, but ⟨Swap⟩ = e^{−S_2} decays
// exponentially with the entanglement (an area law: with the size of the
// boundary of A) while the spread of the swap ratio does not, so the
// relative error grows like e^{S_2}/√Ns: regions with large entropy need
// exponentially many samples (the ratio trick of Hastings et al. is not
// implemented). When the mean of the swap ratio is not positive, S_2 is NaN.
//
// Renyi2Exact and Renyi2Ansatz compute S_2 exactly from an ED vector or from
// an ansatz by enumeration: the state is reshaped into the matrix
// ψ(a, b) (a: the configuration of the smaller of A and B), ρ = ψψ† is
// accumulated block by block (by the number of up spins of a, which a state
// of one sector conserves), and S_2 = −ln Tr ρ².
//
// # V-score
//
// VScore returns N·Var(E)/E² (Wu et al., Science 386, 296 (2024), with the
// energy zero E_∞ = 0), which vanishes for an eigenstate and does not
// depend on the units of H or on whether E is per site or total.
package observable
