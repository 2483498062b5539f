package sr

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Solver selects how the regularized SR equations are solved.
type Solver int

const (
	// Auto picks MinSR when there are more parameters than the
	// sample-space dimension, Cholesky when P ≤ AutoCholeskyMax, and CG
	// otherwise. See ChooseSolver.
	Auto Solver = iota
	// Cholesky forms S (P×P) and factorizes S + εI.
	Cholesky
	// CG runs conjugate gradients with the matrix-free product
	// (S + εI)v = Ōᴴ(Ō v) + εv.
	CG
	// MinSR solves in sample space, (ŌŌᴴ + εI) y = ē, δ = Ōᴴ y.
	MinSR
)

var solverNames = [...]string{Auto: "auto", Cholesky: "cholesky", CG: "cg", MinSR: "minsr"}

// String returns the lower-case name of the solver, as ParseSolver accepts it.
func (s Solver) String() string {
	if s < 0 || int(s) >= len(solverNames) {
		return fmt.Sprintf("Solver(%d)", int(s))
	}
	return solverNames[s]
}

// ParseSolver returns the solver named "auto", "cholesky", "cg" or "minsr"
// (case-insensitive).
func ParseSolver(name string) (Solver, error) {
	for i, n := range solverNames {
		if strings.EqualFold(name, n) {
			return Solver(i), nil
		}
	}
	return Auto, fmt.Errorf("sr: unknown solver %q (want auto, cholesky, cg or minsr)", name)
}

// AutoCholeskyMax is the largest number of parameters for which Auto forms
// and factorizes the P×P matrix S when P does not exceed the sample-space
// dimension; above it Auto uses CG. Chosen by measurement (see doc.go and
// benchmarks/sr/README.md).
const AutoCholeskyMax = 2500

// Defaults applied by Step to zero (or negative) Options fields.
const (
	DefaultCGTol = 1e-8
	// The default iteration cap of CG is 10·P, as in SciPy and JAX.
	defaultCGIterFactor = 10
)

// Options configures Step. The zero value means: no diagonal shift, Auto
// solver, real parameters, one thread, CG defaults.
type Options struct {
	// DiagShift ε ≥ 0 is added to the diagonal of S (absolute shift).
	DiagShift float64
	// Solver selects the linear solver; Auto by default.
	Solver Solver
	// Holomorphic is true for complex parameters on which log ψ depends
	// holomorphically, false for real parameters (real parts of S and F).
	Holomorphic bool
	// Threads is the number of goroutines; ≤ 0 means 1. Results are
	// bit-identical for every value.
	Threads int
	// CGTol is the relative residual ‖(S+εI)x − F‖/‖F‖ at which CG stops;
	// ≤ 0 means DefaultCGTol.
	CGTol float64
	// CGMaxIter caps the CG iterations; ≤ 0 means 10·P.
	CGMaxIter int
	// Momentum μ ∈ [0, 1) with Prior (length P, the previous step's δ)
	// selects SPRING (Goldshmidt et al. 2024): δ minimizes
	// ‖Ōδ − ē‖² + ε‖δ − μ·Prior‖², that is
	//
	//	δ = μ·Prior + (S + εI)⁻¹ (F − μ S·Prior),
	//
	// for every solver. μ = 0 or a nil Prior is plain SR. For real
	// parameters Prior must be real.
	Momentum float64
	Prior    []complex128
}

// Info reports how a Step was solved.
type Info struct {
	// Solver is the solver that ran (never Auto).
	Solver Solver
	// Iterations is the number of CG iterations (0 for direct solvers).
	Iterations int
	// Residual is the relative residual ‖(S+εI)δ − F‖/‖F‖ of the returned
	// δ, recomputed with the matrix-free product (0 when F = 0).
	Residual float64
}

// Samples holds one iteration's Monte Carlo data.
type Samples struct {
	// O holds the log-derivatives O_sk = ∂ log ψ(x_s)/∂θ_k row-major:
	// O[s*P+k], length Ns·P.
	O []complex128
	// E holds the local energies E_s, length Ns.
	E []complex128
	// W holds the sample weights w_s ≥ 0, length Ns, or nil for uniform
	// weights 1/Ns. Weights are divided by their sum.
	W []float64
	// Ns is the number of samples (≥ 1) and P the number of parameters.
	Ns, P int
}

// Errors returned by Step, possibly wrapped with details; test with errors.Is.
var (
	// ErrNonFinite reports a NaN or infinity in the samples or weights.
	ErrNonFinite = errors.New("sr: non-finite input")
	// ErrNotPositiveDefinite reports that the regularized matrix could not
	// be factorized; a larger DiagShift usually helps.
	ErrNotPositiveDefinite = errors.New("sr: matrix not positive definite")
	// ErrNoConvergence reports that CG stopped at CGMaxIter above CGTol.
	ErrNoConvergence = errors.New("sr: conjugate gradients did not converge")
)

// check panics on inconsistent lengths: that is a programming error.
func (s *Samples) check() {
	if s.Ns < 1 || s.P < 0 {
		panic(fmt.Sprintf("sr: bad dimensions Ns=%d P=%d", s.Ns, s.P))
	}
	if len(s.O) != s.Ns*s.P {
		panic(fmt.Sprintf("sr: len(O) = %d, want Ns·P = %d", len(s.O), s.Ns*s.P))
	}
	if len(s.E) != s.Ns {
		panic(fmt.Sprintf("sr: len(E) = %d, want Ns = %d", len(s.E), s.Ns))
	}
	if s.W != nil && len(s.W) != s.Ns {
		panic(fmt.Sprintf("sr: len(W) = %d, want Ns = %d", len(s.W), s.Ns))
	}
}

// ChooseSolver returns the solver that Auto selects for ns samples and p
// parameters:
//
//	MinSR     if p > n, where n = ns (holomorphic) or 2·ns (real parameters)
//	Cholesky  if p ≤ n and p ≤ AutoCholeskyMax
//	CG        otherwise
//
// n is the dimension of the sample-space matrix ŌŌᴴ (real parameters stack
// real and imaginary parts), so the dense solver always works on the
// smaller of the two Gram matrices.
func ChooseSolver(ns, p int, holomorphic bool) Solver {
	n := 2 * ns
	if holomorphic {
		n = ns
	}
	switch {
	case p > n:
		return MinSR
	case p <= AutoCholeskyMax:
		return Cholesky
	default:
		return CG
	}
}

// MemoryBytes estimates the memory the solver needs for ns samples and p
// complex parameters: the centered log-derivatives (ns × p complex128)
// plus the S matrix (p × p) for Cholesky or the sample-space kernel
// (ns × ns) for MinSR; conjugate gradients needs no matrix. Sizes are
// floating-point numbers so that no size overflows.
func MemoryBytes(solver Solver, ns, p float64) float64 {
	o := 16 * ns * p
	switch solver {
	case Cholesky:
		return o + 16*p*p
	case MinSR:
		return o + 16*ns*ns
	}
	return o
}

// Gradient writes the force F into dst (length P) and returns the mean
// energy ⟨E⟩:
//
//	F_k = Σ_s w_s O_sk* (E_s − ⟨E⟩)   (= ⟨O_k* E⟩ − ⟨O_k*⟩⟨E⟩)
//
// For real parameters (holomorphic false) dst receives Re F with zero
// imaginary parts; the gradient of the energy with respect to real θ is
// 2 Re F. Gradient does not validate the data: NaN in gives NaN out.
// It panics if the lengths are inconsistent.
func Gradient(dst []complex128, s Samples, holomorphic bool) (meanE complex128) {
	s.check()
	if len(dst) != s.P {
		panic(fmt.Sprintf("sr: len(dst) = %d, want P = %d", len(dst), s.P))
	}
	var wsum float64
	w := func(i int) float64 { return 1 / float64(s.Ns) }
	if s.W != nil {
		for _, v := range s.W {
			wsum += v
		}
		w = func(i int) float64 { return s.W[i] / wsum }
	}
	for i, e := range s.E {
		if w(i) != 0 { // zero-weight samples may carry infinite E and O
			meanE += complex(w(i), 0) * e
		}
	}
	clear(dst)
	for i := 0; i < s.Ns; i++ {
		if w(i) == 0 {
			continue
		}
		c := complex(w(i), 0) * (s.E[i] - meanE)
		cr, ci := real(c), imag(c)
		row := s.O[i*s.P : (i+1)*s.P]
		for k, o := range row {
			// conj(o)·c
			or, oi := real(o), imag(o)
			dst[k] += complex(or*cr+oi*ci, or*ci-oi*cr)
		}
	}
	if !holomorphic {
		for k, v := range dst {
			dst[k] = complex(real(v), 0)
		}
	}
	return meanE
}

// Step solves the regularized SR equations and writes the solution, the
// natural-gradient direction without the learning rate, into dst
// (length P):
//
//	dst = (S + εI)⁻¹ F,   so that   δθ = −η·dst.
//
// For real parameters S and F are replaced by Re S and Re F and dst has
// zero imaginary parts. See the package documentation for the solvers and
// the factor-2 convention.
//
// Step panics if the lengths of dst and the sample slices do not match
// Ns and P. Data-dependent failures are returned as errors wrapping
// ErrNonFinite, ErrNotPositiveDefinite or ErrNoConvergence; dst is then
// left unchanged. Step allocates a new Workspace; iterative callers should
// keep one and call its Step method instead.
func Step(dst []complex128, s Samples, opt Options) (Info, error) {
	var ws Workspace
	return ws.Step(dst, s, opt)
}

func (opt *Options) validate() error {
	if !(opt.DiagShift >= 0) || math.IsInf(opt.DiagShift, 1) {
		return fmt.Errorf("sr: diag shift %v, want a finite value ≥ 0", opt.DiagShift)
	}
	if opt.Solver < Auto || opt.Solver > MinSR {
		return fmt.Errorf("sr: unknown solver %v", opt.Solver)
	}
	if math.IsNaN(opt.CGTol) {
		return fmt.Errorf("sr: CG tolerance is NaN")
	}
	if !(opt.Momentum >= 0 && opt.Momentum < 1) {
		return fmt.Errorf("sr: momentum %v, want 0 ≤ μ < 1", opt.Momentum)
	}
	return nil
}
