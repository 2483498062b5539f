package tdvp

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/sr"
	"github.com/vmc-lattice/vmc/vmc"
)

// Sampler is what the equation of motion needs from a sampler: vmc.Sampler
// (Metropolis) and vmc.Exact (exact sums) implement it. The Hamiltonian
// the sampler was built with is not used: the Equation's own estimator
// evaluates the evolution Hamiltonian and the observables.
type Sampler interface {
	SampleWith(dst *vmc.Batch, est vmc.Estimator)
}

// Options configure an Equation. The zero value is real-time evolution
// with the Cholesky/CG/MinSR solvers of package sr (Auto) and no
// regularization, which fails on a singular S: set DiagShift or RCond.
type Options struct {
	// Imaginary selects imaginary-time evolution, S θ̇ = −F, instead of
	// real time, S θ̇ = −iF.
	Imaginary bool
	// DiagShift ε ≥ 0 is added to the diagonal of S (absolute).
	DiagShift float64
	// RCond > 0 selects the pseudo-inverse solve: S (plus ε) is
	// diagonalized densely and eigenvalues below RCond·λ_max are dropped.
	// RCond = 0 uses package sr with Solver.
	RCond float64
	// Smooth replaces the hard cut-off of the pseudo-inverse by the
	// smooth one 1/λ → 1/(λ (1 + (RCond·λ_max/λ)⁶)), so that θ̇ does not
	// jump when an eigenvalue crosses the cut-off during a step (used
	// only when RCond > 0).
	Smooth bool
	// DiagScale solves the pseudo-inverse in the scale-invariant form
	// D^{-1/2} S D^{-1/2} with D = diag(Re S): DiagShift and RCond then
	// act relative to each parameter's own fluctuation, so a
	// reparametrization θ_k → c_k θ_k gives the same trajectory (used only
	// when RCond > 0; parameters with S_kk = 0 are frozen).
	DiagScale bool
	// Solver is the sr solver when RCond = 0 (sr.Auto by default).
	Solver sr.Solver
	// Threads is the number of goroutines of the sr solve (≤ 0: 1);
	// results do not depend on it.
	Threads int
}

func (o Options) validate() error {
	if !(o.DiagShift >= 0) || math.IsInf(o.DiagShift, 0) {
		return fmt.Errorf("tdvp: diagonal shift %v, want a finite value ≥ 0", o.DiagShift)
	}
	if !(o.RCond >= 0) || !(o.RCond < 1) {
		return fmt.Errorf("tdvp: rcond %v, want 0 ≤ rcond < 1", o.RCond)
	}
	return nil
}

// Equation is the right-hand side θ̇ = f(θ) of the time-dependent
// variational principle for an ansatz, a sampler and a Hamiltonian; see
// the package documentation for the equations. Each evaluation samples
// once (with exact sums: enumerates the sector), so it is deterministic
// with vmc.Exact and noisy with Metropolis sampling. An Equation is not
// safe for concurrent use.
type Equation struct {
	psi  ansatz.Ansatz
	smp  Sampler
	opt  Options
	est  *Estimator
	bat  vmc.Batch
	ws   sr.Workspace
	eg   []complex128
	last vmc.Stats
	// Evals counts evaluations of the right-hand side.
	Evals int
}

// NewEquation returns the equation of motion of psi under h, sampled by
// smp. It returns an error for invalid options or when h and psi have
// different numbers of sites.
func NewEquation(psi ansatz.Ansatz, smp Sampler, h hamiltonian.Operator, opt Options) (*Equation, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if h.NumSites() != psi.NumSites() {
		return nil, fmt.Errorf("tdvp: Hamiltonian of %d sites for an ansatz of %d", h.NumSites(), psi.NumSites())
	}
	return &Equation{psi: psi, smp: smp, opt: opt, est: &Estimator{H: h, Derivs: true}}, nil
}

// Energy returns the energy statistics of the last evaluation (at the
// parameters it was called with).
func (e *Equation) Energy() vmc.Stats { return e.last }

// Batch returns the batch of the last evaluation.
func (e *Equation) Batch() *vmc.Batch { return &e.bat }

// ErrNonFinite is returned (wrapped) when the energy or θ̇ is not finite.
var ErrNonFinite = errors.New("tdvp: non-finite energy or parameter velocity")

// Func is the right-hand side of y' = f(t, y): it writes f(t, y) into dy.
type Func func(t float64, y, dy []complex128) error

// Func returns the equation as a Func for an Integrator (the Hamiltonian
// does not depend on t).
func (e *Equation) Func() Func {
	return func(_ float64, y, dy []complex128) error { return e.Deriv(dy, y) }
}

// Deriv sets the parameters of the ansatz to theta, samples, and writes
// θ̇ into dst:
//
//	holomorphic:  (S + εI) θ̇ = −γ F
//	real:         (Re S + εI) θ̇ = −Re(γ F)
//
// with γ = i in real time and γ = 1 in imaginary time (solved with the
// pseudo-inverse when Options.RCond > 0). The ansatz is left at theta.
func (e *Equation) Deriv(dst, theta []complex128) error {
	p := e.psi.NumParams()
	if len(dst) != p || len(theta) != p {
		panic(fmt.Sprintf("tdvp: Deriv: len(dst) = %d, len(theta) = %d, want %d", len(dst), len(theta), p))
	}
	e.psi.SetParams(theta)
	e.smp.SampleWith(&e.bat, e.est)
	e.Evals++
	e.last = e.bat.EnergyStats()
	if !finite(e.last.Mean) || !finite(e.last.Variance) {
		return fmt.Errorf("%w: energy %v, variance %v", ErrNonFinite, e.last.Mean, e.last.Variance)
	}
	gamma := complex(1, 0)
	if !e.opt.Imaginary {
		gamma = complex(0, 1)
	}
	// F is linear in E (after centering), so F(γE) = γF: the right-hand
	// side −γF comes from the force of the scaled local energies.
	e.eg = grow(e.eg, e.bat.Ns)
	for s, v := range e.bat.E[:e.bat.Ns] {
		e.eg[s] = gamma * v
	}
	samples := sr.Samples{O: e.bat.O, E: e.eg, W: e.bat.W, Ns: e.bat.Ns, P: e.bat.P}
	holo := e.psi.Holomorphic()
	if e.opt.RCond > 0 {
		if err := pinvSolve(&e.ws, dst, samples, holo, e.opt); err != nil {
			return err
		}
	} else {
		if _, err := e.ws.Step(dst, samples, sr.Options{DiagShift: e.opt.DiagShift, Solver: e.opt.Solver, Holomorphic: holo, Threads: e.opt.Threads}); err != nil {
			return fmt.Errorf("tdvp: %w", err)
		}
	}
	for k, v := range dst {
		dst[k] = -v
		if !finite(real(v)) || !finite(imag(v)) {
			return fmt.Errorf("%w: θ̇_%d = %v", ErrNonFinite, k, v)
		}
	}
	return nil
}

// MetricNorm returns the norm of a parameter displacement δ in the metric
// of the last evaluation,
//
//	‖δ‖_S = sqrt(δ† S δ) = sqrt(Σ_s w_s |Σ_k (O_sk − ⟨O_k⟩) δ_k|²),
//
// the Fubini–Study distance (to first order) between ψ_θ and ψ_{θ+δ}. For
// real parameters δ is real and this is sqrt(δᵀ Re S δ).
func (e *Equation) MetricNorm(d []complex128) float64 {
	b := &e.bat
	ns, p := b.Ns, b.P
	mean := make([]complex128, p)
	for s := 0; s < ns; s++ {
		w := weight(b, s)
		for k, o := range b.O[s*p : (s+1)*p] {
			mean[k] += complex(w, 0) * o
		}
	}
	var sum float64
	for s := 0; s < ns; s++ {
		var v complex128
		for k, o := range b.O[s*p : (s+1)*p] {
			v += (o - mean[k]) * d[k]
		}
		sum += weight(b, s) * (real(v)*real(v) + imag(v)*imag(v))
	}
	return math.Sqrt(sum)
}

func weight(b *vmc.Batch, s int) float64 {
	if b.W == nil {
		return 1 / float64(b.Ns)
	}
	return b.W[s]
}

// pinvSolve writes x = (S + εI)⁺ F (real parameters: (Re S + εI)⁺ Re F),
// dropping eigenvalues below rcond·λ_max (or damping them smoothly, with
// opt.Smooth), in the scale-invariant form when opt.DiagScale. The
// Hermitian S = A + iB is diagonalized through its real symmetric
// embedding [[A, −B], [B, A]], whose spectrum is that of S with every
// eigenvalue doubled, acting on (Re x, Im x).
func pinvSolve(ws *sr.Workspace, dst []complex128, s sr.Samples, holo bool, opt Options) error {
	p := s.P
	sRe, sIm, fRe, fIm, err := ws.Metric(s, holo, opt.Threads)
	if err != nil {
		return err
	}
	n := p
	if holo {
		n = 2 * p
	}
	// d_k = 1/sqrt(A_kk) when scaling (0 for a parameter that does not
	// change ψ), 1 otherwise.
	d := make([]float64, p)
	for k := range d {
		d[k] = 1
		if opt.DiagScale {
			if a := sRe[k*p+k]; a > 0 {
				d[k] = 1 / math.Sqrt(a)
			} else {
				d[k] = 0
			}
		}
	}
	// [[A, −B], [B, A]] for S = A + iB, row-major n×n, scaled by d on
	// both sides.
	data := make([]float64, n*n)
	rhs := make([]float64, n)
	for k := 0; k < p; k++ {
		rhs[k] = d[k] * fRe[k]
		if holo {
			rhs[p+k] = d[k] * fIm[k]
		}
	}
	for k := 0; k < p; k++ {
		for l := 0; l < p; l++ {
			dd := d[k] * d[l]
			a := dd * sRe[k*p+l]
			data[k*n+l] = a
			if holo {
				b := dd * sIm[k*p+l]
				data[k*n+p+l] = -b
				data[(p+k)*n+l] = b
				data[(p+k)*n+p+l] = a
			}
		}
	}
	for k := 0; k < n; k++ {
		data[k*n+k] += opt.DiagShift
	}
	m := mat.NewSymDense(n, data)
	var eig mat.EigenSym
	if !eig.Factorize(m, true) {
		return fmt.Errorf("tdvp: eigendecomposition of S failed")
	}
	lam := eig.Values(nil)
	var u mat.Dense
	eig.VectorsTo(&u)
	cut := opt.RCond * lam[len(lam)-1]
	x := make([]float64, n)
	for l := range lam {
		if lam[l] <= 0 || (!opt.Smooth && !(lam[l] > cut)) {
			continue
		}
		var c float64
		for k := 0; k < n; k++ {
			c += u.At(k, l) * rhs[k]
		}
		c /= lam[l]
		if opt.Smooth {
			r := cut / lam[l]
			r *= r * r
			c /= 1 + r*r
		}
		for k := 0; k < n; k++ {
			x[k] += c * u.At(k, l)
		}
	}
	for k := 0; k < p; k++ {
		if holo {
			dst[k] = complex(d[k]*x[k], d[k]*x[p+k])
		} else {
			dst[k] = complex(d[k]*x[k], 0)
		}
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
