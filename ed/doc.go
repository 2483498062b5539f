// Package ed computes the lowest eigenvalues and eigenvectors of spin-1/2
// Hamiltonians by exact diagonalization, from the same contract as
// variational Monte Carlo: the matrix is built (or applied) by calling
// hamiltonian.Operator.Connected on every basis state, so there is one
// definition of H.
//
// # Basis and bit convention
//
// The basis comes from package hilbert, the one home of the spin-1/2
// Hilbert space and its sectors; Basis, NewBasis, Unconstrained, SectorDim,
// NumUp, StateToConfig and ConfigToState here are the same names as there.
// A basis state is a uint64 bit string: bit i set means site i is up
// (x_i = +1, S^z_i = +1/2), bit i clear means down. A Basis is either the
// full 2^N space (nUp = Unconstrained, where state k is the integer k and
// nothing is stored) or the sector of fixed magnetization
// S^z_tot = nUp − N/2 (NumUp converts a total_sz), whose C(N, nUp) states
// are stored in ascending order, the order in which vmc.Exact enumerates
// them too. The index of a state is its position in that order; vectors
// (eigenvectors, Result.Vector) are indexed the same way. Basis.All
// iterates over (index, state) pairs.
//
// Ranking is O(1) by Lin's two-table method (H. Q. Lin, Phys. Rev. B 42,
// 6561 (1990)), described in package hilbert: two table look-ups per
// state, with tables of 2^⌈N/2⌉ and 2^⌊N/2⌋ uint32 entries (4 MiB each at
// N = MaxSites = 40). Index returns -1 for a state outside the sector.
// Dimensions are limited to MaxDim = 2^31 − 1.
//
// # Matrices
//
// A Matrix is anything with a product MulVec(dst, src). Two are provided:
//
//   - CSR stores the off-diagonal elements in compressed sparse rows with
//     int32 column indices, in blocks of 4096 rows built in one parallel
//     pass, and the diagonal densely. Values are stored as one-byte codes
//     into a palette of at most 256 distinct values, or not at all when
//     every off-diagonal element is the same (the Heisenberg chain, the
//     Ising field); float64 values only when the palette overflows.
//   - MatrixFree calls Connected on every row at every product: no memory
//     beyond the basis and the vectors, about 20 times slower per product
//     than CSR for the Heisenberg chain (see benchmarks/ed/README.md).
//
// Both split rows into fixed blocks handed to goroutines; each row is
// computed by one goroutine in a fixed order, so products are bitwise
// identical for any number of threads. Reductions in the eigensolvers sum
// fixed chunks in a fixed order and the pseudo-random start vectors are
// generated per chunk, so Solve returns bitwise identical results for any
// Options.Threads. Solve picks CSR when the estimated memory fits
// Options.MemoryBudget (default: half the physical memory) and MatrixFree
// otherwise.
//
// Package ed does not use github.com/james-bowman/sparse: its product is a
// serial loop, it has no eigensolver, and its int indices and float64 values
// cost 16 bytes per element against 4 to 5 here. The tests use it as an
// independent check of the CSR product.
//
// # Momentum sectors
//
// Options.Symmetry (or NewMomentumBasis and NewMomentumCSR directly)
// restricts the problem to one translation sector inside the S^z sector,
// for momenta whose characters are real: every component of k is 0 or π,
// so χ(g) = e^{ik·T_g} = ±1 and the sector Hamiltonian is real symmetric
// and goes through the same CSR and Lanczos. A Symmetry is a group of site
// permutations (lattice.Translations(), identity first) and a character
// χ(g) ∈ {+1, −1} per element, checked to be a homomorphism (k = π on an
// odd ring is not, and is rejected). Nothing but the group property and
// the homomorphism is used, so any permutation group with a real
// one-dimensional character (reflections too) works, provided the
// operator commutes with it (not checked).
//
// Group element g acts on states by moving bit i to bit Perms[g][i]. The
// representative r of an orbit is its smallest state; it is kept when
// χ(g) = +1 on its stabilizer Stab(r) = {g : g r = r} (otherwise the
// projection of r vanishes). The sector's basis vectors are
//
//	|r̃⟩ = N_r^{−1/2} Σ_g χ(g) |g r⟩,
//	N_r = Σ_{g,h: g r = h r} χ(g)χ(h) = |G|·Σ_{s∈Stab(r)} χ(s) = |G|·|Stab(r)| = |G|²/|orbit(r)|.
//
// Since H commutes with every T_g, for H|r⟩ = Σ_{s'} H_{s'r}|s'⟩ and
// h s' = r' (r' the representative of s'),
//
//	H|r̃⟩ = N_r^{−1/2} Σ_{s'} H_{s'r} Σ_g χ(g)|g h⁻¹ r'⟩ = Σ_{s'} H_{s'r} χ(h) (N_{r'}/N_r)^{1/2} |r̃'⟩
//
// (substituting g = g'h and χ(g'h) = χ(g')χ(h)), so the sector matrix is
//
//	H_{r'r} = Σ_{s' → r'} mel(r → s') · χ(h) · sqrt(|Stab(r')|/|Stab(r)|),
//
// summed over the connections of r whose representative is r' (elements
// with r' = r go to the diagonal; connections to incompatible orbits are
// dropped). h is unique up to Stab(r'), on which χ = 1, so χ(h) is well
// defined. The tests check the sector spectra against the full spectrum,
// and that swapping the ratio or dropping χ(h) breaks symmetry or
// spectra.
//
// A group element that is a cyclic shift of the bits (i → i+k mod N: the
// chain's translations) is applied by two shifts; any other by 8-bit lookup
// tables, ⌈N/8⌉ look-ups per application. Finding r' costs |G|
// applications; its index is a binary search among the representatives
// with the same high ⌈N/2⌉ bits. The basis is enumerated over the S^z
// sector without storing it (parallel over high bits), and holds 10 bytes
// per representative; the dimension is about C(N, nUp)/|G|. Eigenvectors
// are not returned in this mode (Options.Vector is an error), and only CSR
// products are supported.
//
// Ground-state sector of the Heisenberg chain with even N: without the
// sign rule k = 0 when N/2 is even and k = π when N/2 is odd; with the
// Marshall sign rule always k = 0, since the rotation U = (−1)^{#up on B}
// obeys T U T⁻¹ = (−1)^{nUp} U (tested for N = 8 to 16, and N = 26 with
// the sign rule at k = 0). Measured sector dimensions, times and memory up
// to N = 32 are in benchmarks/ed/README.md.
//
// # Eigensolvers
//
// Lowest finds the k lowest eigenpairs. Dimensions up to Settings.DenseMax
// (256) are diagonalized densely (gonum mat.EigenSym). Larger ones use
// Lanczos, one eigenpair per run, with deflation: run r works in the
// orthogonal complement of the r eigenvectors already found, from a fresh
// pseudo-random start. A Krylov space holds only one vector of each
// degenerate eigenspace; the fresh start of every run is what finds the
// other copies, so degenerate eigenvalues come out with their multiplicity.
// Within a run the method is either
//
//   - plain Lanczos (the default): the three-term recurrence without
//     reorthogonalization, stopped as soon as the lowest Ritz pair of the
//     tridiagonal matrix has a residual β·|s_last| ≤ Tol·‖H‖ (computed by
//     bisection and inverse iteration, O(j) per step). Stopping at first
//     convergence keeps the spurious copies that loss of orthogonality
//     creates (after convergence) out of the result. The Ritz vector is
//     accumulated in a second pass that regenerates the same Krylov vectors
//     bit for bit, so only a handful of vectors are stored; without vectors
//     the second pass is skipped. Or
//   - thick-restart Lanczos (Method ThickRestart): full reorthogonalization
//     (classical Gram–Schmidt, twice) in a basis of at most BasisSize
//     vectors, restarted with the lowest half of the Ritz vectors (Wu and
//     Simon). Fewer products, but the reorthogonalization costs O(m·n) per
//     step, more than a sparse product for large n.
//
// Every eigenvector is normalized and checked by an explicit residual
// ‖Hy − θy‖, and the eigenvalue reported is its Rayleigh quotient; a run
// whose Ritz vector fails the check is restarted from it.
//
// # Cancellation
//
// SolveContext and LowestContext stop when their context is done: the
// basis enumeration and the matrix construction check it between blocks
// of rows (4096 rows, or 64 high-bit patterns of a symmetry sector), the
// Lanczos methods before every product with H, and matrix-free products
// between blocks of rows. They return an error wrapping ctx.Err() (test
// with errors.Is) within about one block or one product, and no partial
// result. Solve and Lowest are the same with context.Background().
//
// # Memory and time
//
// For a sector of dimension D with nnz off-diagonal elements, Solve needs
// about
//
//	basis      8·D                        (nothing for the full space)
//	CSR        12·D + (4 + 0, 1 or 8)·nnz (none with MatrixFree)
//	vectors    8·D·(5 + K)                (plain Lanczos)
//	           8·D·(BasisSize + 4 + K)    (thick restart)
//
// NewPlan gives this estimate before anything large is allocated. The
// ground-state vector doubles the products (second Lanczos pass) and adds
// one vector. Measured times and memory (Heisenberg chain up to N = 28,
// CSR and matrix-free) are in benchmarks/ed/README.md.
package ed
