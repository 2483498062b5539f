// Package sr implements stochastic reconfiguration (SR), the natural-gradient
// optimizer of variational Monte Carlo: dense Cholesky, conjugate-gradient
// and minimum-step (MinSR) solvers of the regularized SR equations.
//
// # Equations
//
// One iteration supplies Ns samples x_s with weights w_s (Σ_s w_s = 1:
// 1/Ns for Markov-chain samples, |ψ(x_s)|²/Z for exact enumeration), the
// log-derivatives O_sk = ∂ log ψ(x_s)/∂θ_k of the P parameters and the
// local energies E_s = Σ_x' H_{x_s x'} ψ(x')/ψ(x_s). With
//
//	⟨A⟩  = Σ_s w_s A_s
//	S_kl = ⟨O_k* O_l⟩ − ⟨O_k*⟩⟨O_l⟩          (quantum geometric tensor)
//	F_k  = ⟨O_k* E⟩ − ⟨O_k*⟩⟨E⟩              (force)
//
// the SR update with learning rate η and diagonal shift ε is
//
//	δθ = −η (S + εI)⁻¹ F.
//
// Step returns (S + εI)⁻¹F; the caller multiplies by −η. The shift
// ε = Options.DiagShift is absolute: ε is added to every diagonal entry,
// whatever the scale of S (no relative S_kk(1+ε) shift).
//
// In matrix form, with the centered and weighted samples
//
//	Ō_sk = √w_s (O_sk − ⟨O_k⟩),   ē_s = √w_s (E_s − ⟨E⟩),
//
// S = ŌᴴŌ and F = Ōᴴē. Step centers the data once, into a Workspace, and
// works on Ō and ē only.
//
// # Real and complex parameters: the factor 2
//
// Holomorphic parameters (Options.Holomorphic, complex θ with log ψ a
// holomorphic function of θ) use S and F as written. F is the Wirtinger
// derivative ∂E/∂θ* of the energy E = ⟨ψ|H|ψ⟩/⟨ψ|ψ⟩, so the gradient with
// respect to the real coordinates is ∂E/∂Re θ + i ∂E/∂Im θ = 2F.
//
// Real parameters (holomorphic false; log ψ may still be complex) use
// Re S and Re F. The gradient is ∂E/∂θ_k = 2 Re F_k.
//
// In both cases F is half the gradient, and the package never puts the 2
// back in:
//
//   - SR: δθ = −η (S + εI)⁻¹F (or the real parts) is the imaginary-time
//     step of length η given by the time-dependent variational principle,
//     S θ̇ = −F for holomorphic and Re S θ̇ = −Re F for real parameters
//     (Sorella 1998; Carleo & Troyer 2017). A factor 2 in the gradient
//     comes with a factor 2 in the metric and cancels, so the step, and
//     the meaning of η, are the same for both kinds of parameters.
//   - Plain gradient descent (package vmc, optimizer SGD) steps along the
//     output of Gradient, F resp. Re F, that is SR with S replaced by the
//     identity and half the gradient: δθ = −η Re F = −(η/2) ∂E/∂θ.
//     Learning rates quoted for codes that step along 2 Re F must be
//     doubled. Adam normalizes its step and is insensitive to the factor.
//
// For real parameters Step returns zero imaginary parts.
//
// # Solvers
//
// Cholesky forms the lower triangle of S (P×P) by a packed matrix product
// over the samples, adds ε and factorizes S + εI = L·Lᴴ (a blocked,
// right-looking Cholesky on the real and imaginary planes of the Hermitian
// matrix, not the 2P×2P real embedding, which would cost twice as much).
// Cost: about 2·Ns·P² + (2/3)·P³ real multiply-adds (holomorphic), memory
// 16·P² bytes.
//
// MinSR solves in sample space. By the push-through identity, exact for
// every ε > 0,
//
//	(ŌᴴŌ + εI)⁻¹ Ōᴴ ē = Ōᴴ (ŌŌᴴ + εI)⁻¹ ē,
//
// so the same solution comes from the Ns×Ns matrix T = ŌŌᴴ (Chen & Heyl
// 2023; Rende et al. 2024). For real parameters Ō and ē are replaced by
// the stacked real 2Ns×P matrix [Re Ō; Im Ō] and vector [Re ē; Im ē],
// whose Gram matrix CᵀC is Re S, so the sample-space system is 2Ns×2Ns.
// Cost (holomorphic): about 2·Ns²·P + (2/3)·Ns³ real multiply-adds, memory
// 16·Ns² bytes. T has the null vector (√w_s) (centering), so MinSR
// requires ε > 0 and Step returns an error for ε = 0.
//
// CG runs conjugate gradients (Hestenes & Stiefel 1952) from δ = 0 with the
// matrix-free product (S + εI)v = Ōᴴ(Ō v) + εv, never forming S; one
// product is one pass over Ō. A Hermitian system is run as the equivalent
// real symmetric one on (Re δ, Im δ): all CG scalars of a Hermitian
// positive definite system are real. It stops when the relative residual
// ‖(S+εI)δ − F‖/‖F‖ ≤ Options.CGTol (default 1e-8) and fails with
// ErrNoConvergence after Options.CGMaxIter (default 10·P) iterations.
//
// Info.Residual reports the relative residual of every solution,
// recomputed with one matrix-free product.
//
// # Choosing a solver
//
// Auto (see ChooseSolver) uses the smaller of the two Gram matrices: MinSR
// when P exceeds the sample-space dimension n (n = Ns for holomorphic, 2Ns
// for real parameters), else Cholesky up to P = AutoCholeskyMax = 2500, else
// CG. Cholesky's cost grows as Ns·P², independent of ε and of the
// conditioning of S, CG's as Ns·P·iterations, and the iteration count
// grows quickly as ε shrinks; up to a few thousand parameters the
// predictable, exact solver wins or loses little. The measurements behind
// the threshold are in benchmarks/sr/README.md.
//
// # Parallelism and determinism
//
// Options.Threads goroutines share the work (≤ 0 means 1). Results are
// bit-identical for every thread count: every reduction runs in an order
// fixed by the problem size alone. Each output entry of a matrix product
// is accumulated by one goroutine over reduction blocks of fixed length in
// block order; matrix-vector products sum each output entry in a fixed
// order or add fixed-size partial sums in block order; Cholesky tasks own
// disjoint rows. Goroutines only decide who computes a block, never how.
//
// Results can differ in the last bits between machines: on amd64 CPUs with
// AVX-512, or else AVX2 and FMA, the inner kernels are assembly with fused
// multiply-adds (kernel_amd64.s); elsewhere, or with the purego build tag,
// portable Go.
//
// # Why not gonum's BLAS or OpenBLAS
//
// The dense work of a step is forming S = ŌᴴŌ (or the sample-space
// T = ŌŌᴴ) and its Cholesky solve. gonum's pure-Go BLAS (blas/gonum Dsyrk,
// Zherk) computes these products with scalar, unblocked loops, several
// times to over ten times slower than the packed FMA kernels here at the
// sizes SR runs (P and Ns in the thousands), and its LAPACK (lapack/gonum
// Dpotrf) solves several times slower; it has no complex Cholesky, so
// holomorphic parameters would need the 2P×2P real embedding, twice the
// work. OpenBLAS through gonum.org/v1/netlib is about as fast as the
// kernels here on AVX-512 CPUs, but it needs cgo and system libraries
// (libopenblas, liblapacke) where the package is otherwise pure Go, its
// thread pool competes with the goroutines of the sampler
// (OPENBLAS_NUM_THREADS=1 is needed), and its results depend on its
// version, its CPU dispatch and its thread count, which would break the
// bit-for-bit determinism above. The comparison is the benchmarks
// BenchmarkVsBLASFormS and BenchmarkVsBLASSolve (OpenBLAS with the openblas
// build tag, never in the default build); measured figures are in
// benchmarks/sr/README.md.
//
// # Errors
//
// Inconsistent lengths are programming errors and panic with a message
// prefixed "sr: ". Data-dependent failures are returned: ErrNonFinite for
// NaN or infinite samples or weights, ErrNotPositiveDefinite when S + εI (or
// ŌŌᴴ + εI) cannot be factorized, ErrNoConvergence when CG stops early;
// invalid Options give a plain error.
//
// # References
//
//   - S. Sorella, Green function Monte Carlo with stochastic
//     reconfiguration, Phys. Rev. Lett. 80, 4558 (1998).
//   - G. Carleo and M. Troyer, Solving the quantum many-body problem with
//     artificial neural networks, Science 355, 602 (2017).
//   - A. Chen and M. Heyl, Efficient optimization of deep neural quantum
//     states toward machine precision, arXiv:2302.01941 (2023); published
//     as Empowering deep neural quantum states through efficient
//     optimization, Nat. Phys. (2024), doi:10.1038/s41567-024-02566-1.
//   - R. Rende, L. L. Viteritti, L. Bardone, F. Becca and S. Goldt, A simple
//     linear algebra identity to optimize large-scale neural network
//     quantum states, Commun. Phys. 7 (2024),
//     doi:10.1038/s42005-024-01732-4; arXiv:2310.05715.
//   - M. R. Hestenes and E. Stiefel, Methods of conjugate gradients for
//     solving linear systems, J. Res. Natl. Bur. Stand. 49, 409 (1952).
package sr
