// Package ed computes the lowest eigenvalues and eigenvectors of spin-1/2
// Hamiltonians by exact diagonalization, from the same contract as
// variational Monte Carlo: the matrix is built (or applied) by calling
// hamiltonian.Operator.Connected on every basis state, so there is one
// definition of H.
//
// # Basis and bit convention
//
// A basis state is a uint64 bit string: bit i set means site i is up
// (x_i = +1, S^z_i = +1/2), bit i clear means down. Basis.ToConfig and
// Basis.FromConfig convert to and from the []int8 configurations of package
// hamiltonian. A Basis is either the full 2^N space (nUp = Unconstrained,
// where state k is the integer k) or the sector of fixed magnetization
// S^z_tot = nUp − N/2 (NumUp converts a total_sz), whose C(N, nUp) states
// are stored in ascending order. The index of a state is its position in
// that order; vectors (eigenvectors, Result.Vector) are indexed the same way.
//
// Ranking is O(1) by Lin's two-table method (H. Q. Lin, Phys. Rev. B 42,
// 6561 (1990)): split a state into its high ⌈N/2⌉ and low ⌊N/2⌋ bits,
// s = hi·2^⌊N/2⌋ + lo; then
//
//	Index(s) = offHi[hi] + rankLo[lo]
//
// where offHi[hi] counts the basis states with a smaller high part and
// rankLo[lo] is the rank of lo among low patterns with the same number of
// up spins. Both tables have 2^(N/2) entries (4 MiB each at N = 40).
// Index returns -1 for a state outside the sector.
//
// # Matrices
//
// A Matrix is anything with a product MulVec(dst, src). Two are provided:
//
//   - CSR stores the off-diagonal elements with int32 column indices and
//     float64 values in blocks of rows, and the diagonal densely: about
//     12·(dim + nnz) bytes, where nnz is the number of off-diagonal
//     elements (≈ dim·(1 + N/2) for the Heisenberg chain in S^z = 0).
//   - MatrixFree calls Connected on every row at every product: no memory
//     beyond the basis, roughly ten times slower per product.
//
// Both split rows into fixed blocks handed to goroutines; each row is
// computed by one goroutine in a fixed order, so products are bitwise
// identical for any number of threads. Reductions in the eigensolvers sum
// fixed chunks in a fixed order, and the pseudo-random start vectors are
// generated per chunk, so Solve returns bitwise identical results for any
// Options.Threads. Solve picks CSR when its estimated memory fits the budget
// (Options.MemoryBudget, default 4 GiB) and MatrixFree otherwise. Package ed
// does not use github.com/james-bowman/sparse: its product is serial and
// its int index arrays cost a third more memory (the tests use it as an
// independent check of the CSR).
//
// # Eigensolvers
//
// Lowest finds the k lowest eigenpairs. Dimensions up to Settings.DenseMax
// (256) are diagonalized densely (gonum mat.EigenSym). Larger ones use
// Lanczos, one eigenpair per run, with deflation: run r works in the
// orthogonal complement of the r eigenvectors already found, from a fresh
// pseudo-random start, so a degenerate eigenvalue is found once per copy.
// Within a run, the Lanczos method is either
//
//   - plain Lanczos (the default): the three-term recurrence without
//     reorthogonalization, stopped as soon as the lowest Ritz pair of the
//     tridiagonal matrix has a residual β·|s_last| ≤ Tol·‖H‖ (computed by
//     bisection and inverse iteration, O(j) per step). The Ritz vector is
//     accumulated in a second pass that regenerates the same Krylov vectors,
//     so only four vectors are stored; without vectors the second pass is
//     skipped. Stopping at first convergence keeps spurious copies (which
//     appear only after convergence) out of the result; or
//   - thick-restart Lanczos (Method ThickRestart): full reorthogonalization
//     (classical Gram–Schmidt, twice) in a basis of at most BasisSize
//     vectors, restarted with the lowest half of the Ritz vectors.
//
// Every eigenvector is normalized and checked by an explicit residual
// ‖Hy − θy‖; the eigenvalue reported is its Rayleigh quotient.
//
// # Memory
//
// For a sector of dimension D with nnz off-diagonal elements, Solve needs
// about
//
//	basis      8·D                      (nothing for the full space)
//	CSR        12·D + 12·nnz            (0 with MatrixFree)
//	vectors    8·D·(6 + K)              (plain Lanczos)
//	           8·D·(BasisSize + 4 + K)  (thick restart)
//
// For the Heisenberg chain in S^z = 0: N = 24 (D = 2.7·10⁶, nnz = 3.4·10⁷)
// about 0.5 GB; N = 26 (D = 1.04·10⁷) about 2 GB; N = 28 (D = 4.0·10⁷)
// about 8 GB with CSR or 2.6 GB matrix-free. NewPlan gives the estimate for
// a given operator before anything large is allocated.
package ed
