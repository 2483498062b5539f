// Package ansatz provides variational wavefunctions for spin-1/2 systems:
// log-amplitudes, fast log-ratios for a few flipped spins, and
// log-derivatives with respect to the variational parameters.
//
// # Configurations
//
// A configuration x of N spins is a []int8 with one entry per site:
// +1 for spin up (σz = +1) and -1 for spin down. No other values are
// allowed; they are not checked on the hot paths. A move is given as the
// list of (distinct) sites whose spins are flipped, the same form in which
// package hamiltonian reports connected configurations.
//
// # Amplitudes
//
// LogPsi returns log ψ(x) as a complex128; ψ is not normalized. The real
// part is log |ψ(x)| and the imaginary part the phase, defined modulo 2π:
// two implementations (or a cache and a fresh evaluation) may differ in the
// imaginary part by a multiple of 2π, so compare phases modulo 2π. Ratios
// are differences of logarithms,
//
//	ψ(x')/ψ(x) = exp(log ψ(x') − log ψ(x)),
//
// which is what a Cache returns through LogRatio without ever forming ψ, so
// neither large nor small amplitudes overflow. A zero amplitude is log ψ =
// −Inf.
//
// # Caches
//
// An Ansatz is immutable between calls to SetParams and may be shared by
// many goroutines. Everything that changes along a Markov chain lives in a
// Cache created by NewCache: for the RBM, the look-up table θ = W x + b and
// tanh θ. A Cache is used by one goroutine at a time; caches of the same
// ansatz share no mutable state. LogRatio, Accept and LogDeriv allocate
// nothing. After SetParams every existing cache is stale and must be Reset.
//
// # Parameters
//
// Parameters are exchanged as a flat []complex128 of length NumParams in a
// fixed order documented by each ansatz. For the RBM with N visible and
// M = alpha·N hidden units the order is
//
//	a_0 … a_{N−1}            visible biases   (N)
//	b_0 … b_{M−1}            hidden biases    (M)
//	W_00 … W_{M−1,N−1}       weights W[j*N+i] (M×N, row-major, row j = hidden unit)
//
// # Real and holomorphic parameters
//
// A holomorphic ansatz (Holomorphic() == true) has complex parameters θ_k
// and log ψ is a holomorphic function of each of them; then
//
//	O_k(x) = ∂ log ψ(x) / ∂θ_k
//
// is the complex derivative and the stochastic-reconfiguration equations
// use it directly.
//
// An ansatz with real parameters (Holomorphic() == false) still exchanges
// them as complex128: Params reports zero imaginary parts and SetParams
// ignores the imaginary parts it is given. O_k is still reported as a
// complex128, the derivative of the (in general complex) log ψ along the
// real parameter θ_k; for the real RBM log ψ and O_k are real (zero
// imaginary part), so the amplitudes are positive. See package sr for how
// real parameters use the real parts of the SR equations.
//
// # Other ansätze
//
// Besides the RBM the package provides, behind the same Ansatz and Cache
// contract (and each with InitRandom(rng, scale) and a String method):
//
//   - FFNN, a feed-forward network with any number of hidden layers and an
//     Activation (lncosh, tanh, softplus; see ParseActivation). Holomorphic:
//     complex weights and log ψ = Σ of the last hidden layer. Real: real
//     weights and two linear heads, log ψ = a(x) + i φ(x), so that a real
//     network carries a sign or phase structure. Parameter order: per layer
//     b_l then W_l (row-major), then the heads v^a, v^φ. A cache keeps the
//     first layer's pre-activations and evaluates the rest forward;
//     log-derivatives by back-propagation.
//   - SymmRBM, an RBM with parameters shared over a permutation group (the
//     lattice translations), alpha·|G| hidden units and 1 + alpha + alpha·N
//     parameters (order a, b, W), exactly invariant under the group and
//     optionally under the global spin flip. Its caches are those of the
//     equivalent dense RBM.
//   - Jastrow, log ψ = Σ_{i<j} x_i J_ij x_j (+ Σ_i h_i x_i), parameters in
//     upper-triangle row order then h; a cheap baseline.
//   - GCNN, a group-convolutional network over a permutation group G
//     (translations or lattice automorphisms): an embedding of the spins
//     into F₁ features per group element, group convolutions with kernels
//     over G (from the group's multiplication table), and the output
//     log ψ = log Σ_g χ(g)* exp φ_g projected onto a one-dimensional
//     character χ (trivial, momentum, or a ±1 character from
//     SignCharacters), so that ψ(x∘t) = χ(t) ψ(x): ground states outside
//     k = 0 and excited states of other sectors are reachable. Complex
//     (holomorphic) or real weights with an amplitude and a phase readout.
//     A cache updates the embedding per flipped spin and recomputes the
//     convolutions (O(F²|G|²) per log-ratio).
//   - Symmetrized, any of the above summed over a permutation group,
//     ψ(x) = Σ_g ψ_b(x∘g)/|G|: exactly invariant with the base's parameters,
//     at |G| base evaluations per move (one base cache per element).
//
// Initial parameters are normal with standard deviation scale (RBM,
// SymmRBM, Jastrow) or scale/√fan-in for the FFNN's weights (LeCun), with
// real and imaginary parts drawn separately for complex parameters.
// Typical scales: 0.01 for the RBMs and the Jastrow, 0.5 for the FFNN (deep
// lncosh networks stall from small scales, see FFNN), 1.0 for the GCNN
// (whose weights are also scaled by 1/√fan-in; from 0.1–0.3 it starts next
// to the uniform state, an eigenstate where the SR force vanishes).
//
// What each can represent matters as much as its size. In SR runs with
// exact enumeration on the Heisenberg ring of 10 sites (S^z = 0, 300 steps,
// learning rate 0.05, diagonal shift 0.01), relative errors of the energy
// were: with the Marshall sign rule, SymmRBM (alpha 2, 23 parameters) 1e-6,
// RBM (alpha 2) 4e-5, real FFNN [20 10] 1e-4, Jastrow 2e-4; without it,
// the RBM 1e-4 and the real FFNN (tanh, scale 0.5) 3e-4, while the
// SymmRBM stalls at 9% (the ground state has momentum π, outside its
// zero-momentum sector), the Jastrow without field at 14% (with field it
// was at 1.6% and still improving), the holomorphic FFNN at 0.2–30%
// depending on activation and scale. A GCNN [4 4] over the 10 translations
// projected onto k = π (characters of lattice.PiCharacters) reaches 4e-14
// without the sign rule in 200 steps, and 12% when projected onto k = 0.
// One seed per setting: indications, not benchmarks.
package ansatz
