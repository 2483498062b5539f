// Package tdvp integrates the time-dependent variational principle (TDVP)
// for the variational states of package ansatz: real-time dynamics
// (quenches) and imaginary-time evolution (a ground-state method), with
// explicit Runge–Kutta integrators, fixed-step or adaptive.
//
// # Equations of motion
//
// The conventions are those of package sr (see sr/doc.go): from a batch of
// samples x_s with weights w_s, log-derivatives O_sk = ∂ log ψ(x_s)/∂θ_k
// and local energies E_s,
//
//	S_kl = ⟨O_k* O_l⟩ − ⟨O_k*⟩⟨O_l⟩,   F_k = ⟨O_k* E⟩ − ⟨O_k*⟩⟨E⟩.
//
// Projecting the Schrödinger equation i∂_t|ψ⟩ = H|ψ⟩ onto the tangent space
// of the manifold (McLachlan's principle: minimize ‖i Σ_k θ̇_k ∂_k ψ − (H −
// ⟨H⟩)ψ‖ over θ̇, the centering taking care of norm and global phase) gives,
// for holomorphic (complex) parameters,
//
//	real time:       S θ̇ = −i F
//	imaginary time:  S θ̇ = −F        (∂_τ|ψ⟩ = −(H − ⟨H⟩)|ψ⟩)
//
// (Carleo & Troyer, Science 355, 602 (2017), supplementary material). For
// real parameters θ̇ must be real; the minimum over real θ̇ is the real part
// of the same normal equations:
//
//	real time:       Re S θ̇ = Re(−i F) = Im F
//	imaginary time:  Re S θ̇ = −Re F
//
// Imaginary-time evolution with the Euler integrator and step η is exactly
// one SR iteration with learning rate η (package vmc, optimizer "sr"). A
// real-parameter ansatz with a real log ψ (real RBM, real Jastrow) has
// Im F = 0 and cannot move in real time; use complex parameters for
// dynamics.
//
// # Regularization
//
// S is singular (redundant parameters, finite samples). Equation.Deriv
// solves
//
//	(S + εI) θ̇ = −γ F                      (γ = i real time, 1 imaginary)
//
// either with the solvers of package sr (Options.Solver: Cholesky, CG,
// MinSR, Auto; the right-hand side −γF is passed to sr.Step as the force
// of the scaled local energies γE_s, since F is linear in E), which need
// ε > 0 when S is singular, or, with Options.RCond > 0, with the
// pseudo-inverse: S + εI is diagonalized densely (the Hermitian S through
// its real embedding [[Re S, −Im S], [Im S, Re S]]) and eigenvalues below
// RCond·λ_max are dropped, giving the minimum-norm solution. The shift
// biases the dynamics by O(ε/λ) on every direction with eigenvalue λ; the
// cut-off removes directions entirely. With exact sums and RCond ≈ 1e-10
// the TDVP reproduces exact dynamics whenever the manifold contains the
// exact trajectory (tested against Krylov to 1e-9). The pseudo-inverse
// costs O(P³) (8P³ for complex parameters) and forms S in O(Ns·P²): it is
// meant for up to a few hundred parameters.
//
// # Integrators
//
// Integrator advances y' = f(t, y) with an explicit Runge–Kutta method:
// Euler (order 1), Heun (2), the classical RK4 (4) with a fixed step, and
// the embedded pairs RK23 (Bogacki–Shampine, order 3 with a second-order
// estimate) and RK45 (Dormand–Prince, order 5 with a fourth-order
// estimate) with step control. An adaptive step is accepted when
//
//	err = ‖h Σ_i (b_i − b̂_i) k_i‖ / Tol ≤ 1
//
// and the next step is h·min(5, max(0.2, 0.9·err^{−1/(q+1)})), q the order
// of the embedded solution. The norm is IntegratorOptions.Norm: by default
// the root mean square over parameters, or Equation.MetricNorm,
// ‖δ‖_S = sqrt(δ†Sδ), the Hilbert-space (Fubini–Study) distance that a
// parameter error δ makes, invariant under reparametrization and blind to
// redundant directions, which is the natural choice here. Tol is then the
// tolerated local error of the state per step.
//
// With Monte Carlo sampling every evaluation of θ̇ is noisy: embedded
// error estimates then measure noise as much as truncation, so fixed-step
// RK4 (or Heun) is the robust choice; with exact sums (vmc.Exact) all
// methods are deterministic.
//
// # Observables
//
// Observables are hamiltonian.Operators (Hermitian, real matrix elements):
// their local estimators A_loc(x) = Σ_x' A_xx' ψ(x')/ψ(x) are evaluated in
// the same pass as E_loc (Estimator, Measure), and the exact curves come
// from ed.Expect on a Krylov-evolved vector (ed.Propagator) with the same
// operator, so both sides share one definition. PauliX (site-averaged
// σ^x) and PauliZZ (averaged σ^z_i σ^z_j over pairs, or σ^z_i with i = j)
// cover the quench observables; StateVector gives the exact initial
// vector of an ansatz state.
//
// Equation.Deriv leaves the ansatz at the parameters of its last
// evaluation, which for a multi-stage step is not the new y: call
// SetParams(y) before measuring.
package tdvp
