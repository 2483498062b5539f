package ed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/hamiltonian"
)

// EvolveSettings control Propagator. The zero value gives the documented
// defaults.
type EvolveSettings struct {
	// KrylovDim is the largest Krylov dimension m of one step; default 30.
	KrylovDim int
	// Tol bounds the estimated error of the evolved vector per unit time,
	// relative to its norm: a step of length dt is accepted when its error
	// estimate is at most Tol·dt. Default 1e-12.
	Tol float64
	// MaxStep caps the length of one step (0: no cap besides the
	// tolerance).
	MaxStep float64
}

func (s EvolveSettings) withDefaults() EvolveSettings {
	if s.KrylovDim <= 0 {
		s.KrylovDim = 30
	}
	if !(s.Tol > 0) {
		s.Tol = 1e-12
	}
	return s
}

// EvolveInfo reports the work of Propagator.Advance calls, accumulated
// over the life of the Propagator.
type EvolveInfo struct {
	// Steps is the number of Krylov steps, MatVecs the number of complex
	// products with H (each is two real MulVec calls).
	Steps, MatVecs int
	// ErrorEstimate is the sum over steps of the a-posteriori error
	// estimates, relative to the norm: a bound on the accumulated error
	// of the vector as far as the estimates are sharp.
	ErrorEstimate float64
}

// Propagator applies the real-time evolution operator of a real symmetric
// matrix H to complex vectors,
//
//	ψ(t + τ) = e^{−iHτ} ψ(t),
//
// by short-iterative Lanczos (Park and Light, J. Chem. Phys. 85, 5870
// (1986)). One step builds the Krylov space K_m(H, ψ) = span{ψ, Hψ, …,
// H^{m−1}ψ} with the Lanczos recurrence on complex vectors (α_j real, β_j
// real and positive, H being Hermitian) and full reorthogonalization
// (classical Gram–Schmidt, twice), so that H Q_m = Q_m T_m + β_m q_{m+1}
// e_mᵀ with Q_m orthonormal and T_m real tridiagonal. Then
//
//	e^{−iHτ} ψ ≈ ‖ψ‖ Q_m e^{−iT_mτ} e_1,
//
// with e^{−iT_mτ} computed exactly from the eigendecomposition of the small
// matrix T_m = U Λ Uᵀ. The error is estimated by the first neglected term
// of the expansion (Saad, SIAM J. Numer. Anal. 29, 209 (1992)),
//
//	err(τ) ≈ ‖ψ‖ β_m |[e^{−iT_mτ} e_1]_m|,
//
// which costs nothing once T_m is diagonalized, so the step length τ is
// chosen on the same Krylov space: the largest τ (the remaining time, or
// the previous step doubled, then halved as often as needed) with
// err(τ) ≤ max(Tol·τ, 32 ε_mach)·‖ψ‖ (the second term is the rounding
// level of the estimate itself). When the recurrence breaks down (β_j ≈ 0) the Krylov
// space is invariant and the step is exact for any τ. The evolution is
// unitary up to the error estimate: the norm and ⟨H⟩ are conserved to
// about Tol·t.
//
// A Propagator keeps m+1 complex vectors (16·D·(m+1) bytes) and two real
// scratch vectors, and is not safe for concurrent use. Reductions are
// serial in index order, so results are bitwise reproducible; the
// products with H use the matrix's own goroutines.
type Propagator struct {
	a    Matrix
	set  EvolveSettings
	q    [][]complex128
	re   []float64
	im   []float64
	hre  []float64
	him  []float64
	last float64 // length of the previous step
	info EvolveInfo
}

// NewPropagator returns a propagator for a (nil settings: defaults).
func NewPropagator(a Matrix, set *EvolveSettings) *Propagator {
	var s EvolveSettings
	if set != nil {
		s = *set
	}
	s = s.withDefaults()
	n := a.Dim()
	if s.KrylovDim > n {
		s.KrylovDim = max(n, 1)
	}
	return &Propagator{
		a: a, set: s,
		re: make([]float64, n), im: make([]float64, n),
		hre: make([]float64, n), him: make([]float64, n),
	}
}

// Info returns the work done so far.
func (p *Propagator) Info() EvolveInfo { return p.info }

// ErrEvolve reports a Krylov step that produced a non-finite result.
var ErrEvolve = errors.New("ed: Krylov evolution failed")

// Advance sets psi = e^{−iHt} psi (t ≥ 0), in as many Krylov steps as the
// tolerance requires. It checks ctx before every product with H and
// returns an error wrapping ctx.Err() when it is done (psi then holds the
// state at an intermediate time and must be discarded). It panics if
// len(psi) differs from the dimension of H or t < 0.
func (p *Propagator) Advance(ctx context.Context, psi []complex128, t float64) error {
	if len(psi) != p.a.Dim() {
		panic(fmt.Sprintf("ed: Propagator.Advance: len(psi) = %d, dimension %d", len(psi), p.a.Dim()))
	}
	if t < 0 || math.IsNaN(t) {
		panic(fmt.Sprintf("ed: Propagator.Advance: negative time %v", t))
	}
	left := t
	for left > 0 {
		tau, err := p.step(ctx, psi, left)
		if err != nil {
			return err
		}
		left -= tau
		if left <= 1e-14*t {
			break
		}
	}
	return nil
}

// mul sets dst = H src for complex vectors through two real products.
func (p *Propagator) mul(dst, src []complex128) {
	for i, v := range src {
		p.re[i], p.im[i] = real(v), imag(v)
	}
	p.a.MulVec(p.hre, p.re)
	p.a.MulVec(p.him, p.im)
	for i := range dst {
		dst[i] = complex(p.hre[i], p.him[i])
	}
	p.info.MatVecs++
}

// cdot returns ⟨a|b⟩ = Σ conj(a_i) b_i.
func cdot(a, b []complex128) complex128 {
	var sr, si float64
	for i, x := range a {
		y := b[i]
		sr += real(x)*real(y) + imag(x)*imag(y)
		si += real(x)*imag(y) - imag(x)*real(y)
	}
	return complex(sr, si)
}

func cnorm(a []complex128) float64 {
	var s float64
	for _, x := range a {
		s += real(x)*real(x) + imag(x)*imag(x)
	}
	return math.Sqrt(s)
}

// step performs one Krylov step of length at most left and returns its
// length.
func (p *Propagator) step(ctx context.Context, psi []complex128, left float64) (float64, error) {
	m := p.set.KrylovDim
	n := len(psi)
	for len(p.q) < m+1 {
		p.q = append(p.q, make([]complex128, n))
	}
	beta0 := cnorm(psi)
	if beta0 == 0 {
		return left, nil
	}
	q := p.q
	for i, v := range psi {
		q[0][i] = v / complex(beta0, 0)
	}
	alpha := make([]float64, 0, m)
	beta := make([]float64, 0, m)
	var hnorm float64
	k := 0 // Krylov dimension reached
	breakdown := false
	for j := 0; j < m; j++ {
		if err := interrupted(ctx, "Krylov evolution"); err != nil {
			return 0, err
		}
		w := q[j+1]
		p.mul(w, q[j])
		a := real(cdot(q[j], w))
		for pass := 0; pass < 2; pass++ {
			for i := 0; i <= j; i++ {
				c := cdot(q[i], w)
				qi := q[i]
				for r := range w {
					w[r] -= c * qi[r]
				}
			}
		}
		b := cnorm(w)
		alpha = append(alpha, a)
		hnorm = max(hnorm, math.Abs(a)+b+lastOr0(beta))
		k = j + 1
		if !(b > 1e-13*max(hnorm, 1e-300)) || math.IsNaN(b) {
			if math.IsNaN(b) {
				return 0, fmt.Errorf("%w: non-finite Krylov vector", ErrEvolve)
			}
			breakdown = true
			break
		}
		beta = append(beta, b)
		for r := range w {
			w[r] /= complex(b, 0)
		}
	}
	// Eigendecomposition of T_k.
	t := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		t.SetSym(i, i, alpha[i])
		if i+1 < k {
			t.SetSym(i, i+1, beta[i])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(t, true) {
		return 0, fmt.Errorf("%w: tridiagonal eigendecomposition failed", ErrEvolve)
	}
	lam := eig.Values(nil)
	var u mat.Dense
	eig.VectorsTo(&u)
	coef := make([]complex128, k)
	expT := func(tau float64) {
		for r := 0; r < k; r++ {
			var s complex128
			for l := 0; l < k; l++ {
				s += complex(u.At(r, l)*u.At(0, l), 0) * cmplx.Exp(complex(0, -lam[l]*tau))
			}
			coef[r] = s
		}
	}
	tau := left
	if p.set.MaxStep > 0 {
		tau = min(tau, p.set.MaxStep)
	}
	var errEst float64
	if !breakdown {
		if p.last > 0 {
			tau = min(tau, 2*p.last)
		}
		bm := beta[k-1]
		for {
			expT(tau)
			errEst = bm * cmplx.Abs(coef[k-1])
			if errEst <= max(p.set.Tol*tau, roundoffFloor) || tau < 1e-300 {
				break
			}
			tau /= 2
		}
	} else {
		expT(tau)
	}
	if !(tau > 0) {
		return 0, fmt.Errorf("%w: no step length meets the tolerance", ErrEvolve)
	}
	for i := range psi {
		psi[i] = 0
	}
	for l := 0; l < k; l++ {
		c := complex(beta0, 0) * coef[l]
		ql := q[l]
		for i := range psi {
			psi[i] += c * ql[i]
		}
	}
	p.last = tau
	p.info.Steps++
	p.info.ErrorEstimate += errEst
	return tau, nil
}

// roundoffFloor is the smallest error estimate that means anything: the
// last component of e^{−iTτ}e_1 is a sum of O(1) terms that cancel for
// small τ, with rounding errors of a few ulps. Without the floor the step
// control would shrink τ forever; with it a step is accepted once its
// estimate is at the rounding level.
const roundoffFloor = 32 * 0x1p-52

func lastOr0(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return x[len(x)-1]
}

// Expect returns the expectation value ⟨ψ|O|ψ⟩/⟨ψ|ψ⟩ of an operator, given
// through the Operator contract, in a complex vector on the basis b:
//
//	⟨O⟩ = Σ_s Σ_{s'} conj(ψ_{s'}) ⟨s'|O|s⟩ ψ_s / Σ_s |ψ_s|²,
//
// the inner sum over the connections s' of s that lie in the basis (an
// operator that leaves the sector, such as σ^x_i in a fixed-S^z sector, has
// those elements dropped, which is exact: ψ vanishes outside). The matrix
// elements of op are real and op is Hermitian (so real symmetric) by the
// contract, hence ⟨O⟩ is real up to rounding; the imaginary part is
// returned for checks. It panics on mismatched sizes.
func Expect(op hamiltonian.Operator, b *Basis, psi []complex128) complex128 {
	if op.NumSites() != b.NumSites() || len(psi) != b.Dim() {
		panic(fmt.Sprintf("ed: Expect: %d sites and %d amplitudes for a basis of %d sites and dimension %d",
			op.NumSites(), len(psi), b.NumSites(), b.Dim()))
	}
	x := make([]int8, b.NumSites())
	var num complex128
	var den float64
	for k, s := range b.All() {
		a := psi[k]
		if a == 0 {
			continue
		}
		den += real(a)*real(a) + imag(a)*imag(a)
		b.ToConfig(s, x)
		op.Connected(x, func(flips []int, mel float64) {
			if len(flips) == 0 {
				num += complex(mel, 0) * complex(real(a)*real(a)+imag(a)*imag(a), 0)
				return
			}
			t := s
			for _, i := range flips {
				t ^= 1 << uint(i)
			}
			j := b.Index(t)
			if j < 0 {
				return
			}
			num += cmplx.Conj(psi[j]) * complex(mel, 0) * a
		})
	}
	if den == 0 {
		return cmplx.NaN()
	}
	return num / complex(den, 0)
}
