package ed

import (
	"context"
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

// krylovTol is the agreement required with the dense propagator: the
// Krylov steps run at Tol = 1e-12 per unit time, and the dense reference
// (gonum EigenSym) is accurate to about 1e-13 on these small matrices.
const krylovTol = 1e-10

// denseProp is the dense propagator of op on b: the eigendecomposition of
// the matrix built by naiveDense (independent of the CSR code).
type denseProp struct {
	lam []float64
	u   mat.Dense
}

func newDenseProp(t *testing.T, op hamiltonian.Operator, b *Basis) *denseProp {
	t.Helper()
	h := naiveDense(t, op, b)
	n := b.Dim()
	sym := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			sym.SetSym(i, j, h.At(i, j))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		t.Fatal("dense eigendecomposition failed")
	}
	d := &denseProp{lam: eig.Values(nil)}
	eig.VectorsTo(&d.u)
	return d
}

// evolve returns U e^{−iΛt} Uᵀ psi.
func (d *denseProp) evolve(psi []complex128, time float64) []complex128 {
	n := len(psi)
	out := make([]complex128, n)
	for l := 0; l < n; l++ {
		var c complex128
		for i := 0; i < n; i++ {
			c += complex(d.u.At(i, l), 0) * psi[i]
		}
		c *= cmplx.Exp(complex(0, -d.lam[l]*time))
		for i := 0; i < n; i++ {
			out[i] += complex(d.u.At(i, l), 0) * c
		}
	}
	return out
}

func randomState(n int, seed uint64) []complex128 {
	rng := rand.New(rand.NewPCG(seed, 7))
	psi := make([]complex128, n)
	for i := range psi {
		psi[i] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	nrm := cnorm(psi)
	for i := range psi {
		psi[i] /= complex(nrm, 0)
	}
	return psi
}

type evolveCase struct {
	name string
	op   hamiltonian.Operator
	nUp  int
}

func evolveCases(t *testing.T) []evolveCase {
	chain := func(n int) *lattice.Lattice { return mustLattice(t, lattice.Chain, []int{n}) }
	return []evolveCase{
		{"TFI chain 8 h=1", mustIsing(t, chain(8), hamiltonian.IsingParams{J: 1, H: 1}), Unconstrained},
		{"TFI chain 9 OBC h=0.5", mustIsing(t, mustLattice(t, lattice.Chain, []int{9}, false), hamiltonian.IsingParams{J: 1, H: 0.5}), Unconstrained},
		{"XXZ chain 10 Δ=0.5 Sz=0", mustHeisenberg(t, chain(10), hamiltonian.HeisenbergParams{J: 1, Delta: 0.5}), 5},
		{"J1-J2 chain 9 Sz=1/2", mustHeisenberg(t, chain(9), hamiltonian.HeisenbergParams{J: 1, J2: 0.4}), 5},
	}
}

// TestPropagatorAgainstDense compares Krylov evolution with the dense
// e^{−iHt} at several times, for CSR and matrix-free products and small
// Krylov dimensions that force many steps.
func TestPropagatorAgainstDense(t *testing.T) {
	for ci, tc := range evolveCases(t) {
		b := mustBasis(t, tc.op.NumSites(), tc.nUp)
		csr, err := NewCSR(tc.op, b, 2)
		if err != nil {
			t.Fatal(err)
		}
		free, err := NewMatrixFree(tc.op, b, 2)
		if err != nil {
			t.Fatal(err)
		}
		dense := newDenseProp(t, tc.op, b)
		psi0 := randomState(b.Dim(), uint64(ci))
		mats := []Matrix{csr, free}
		if testing.Short() {
			mats = mats[:1] // the matrix-free product is the same H, slower
		}
		for _, m := range mats {
			for _, kdim := range []int{6, 30} {
				p := NewPropagator(m, &EvolveSettings{KrylovDim: kdim})
				psi := append([]complex128(nil), psi0...)
				now := 0.0
				for _, time := range []float64{0.1, 0.5, 2, 3.7} {
					if err := p.Advance(context.Background(), psi, time-now); err != nil {
						t.Fatal(err)
					}
					now = time
					want := dense.evolve(psi0, time)
					var d float64
					for i := range psi {
						d = max(d, cmplx.Abs(psi[i]-want[i]))
					}
					if d > krylovTol {
						t.Errorf("case %d (%s) m=%d: max |ψ−ψ_dense| = %g at t = %g", ci, tc.name, kdim, d, time)
					}
				}
				if kdim == 6 && p.Info().Steps < 5 {
					t.Errorf("case %d: only %d steps with m = 6", ci, p.Info().Steps)
				}
			}
		}
	}
}

// TestPropagatorConserves checks that the norm and the energy stay
// constant over a long evolution, and that Expect agrees with the matrix.
func TestPropagatorConserves(t *testing.T) {
	for ci, tc := range evolveCases(t) {
		b := mustBasis(t, tc.op.NumSites(), tc.nUp)
		csr, err := NewCSR(tc.op, b, 1)
		if err != nil {
			t.Fatal(err)
		}
		psi := randomState(b.Dim(), 100+uint64(ci))
		e0 := Expect(tc.op, b, psi)
		if math.Abs(imag(e0)) > 1e-12 {
			t.Errorf("case %d: Im⟨H⟩ = %g", ci, imag(e0))
		}
		// ⟨H⟩ from the CSR product, as a cross-check of Expect.
		re := make([]float64, b.Dim())
		im := make([]float64, b.Dim())
		hr := make([]float64, b.Dim())
		hi := make([]float64, b.Dim())
		for i, v := range psi {
			re[i], im[i] = real(v), imag(v)
		}
		csr.MulVec(hr, re)
		csr.MulVec(hi, im)
		var eh float64
		for i := range re {
			eh += re[i]*hr[i] + im[i]*hi[i]
		}
		if math.Abs(eh-real(e0)) > 1e-12 {
			t.Errorf("case %d: Expect %g, CSR %g", ci, real(e0), eh)
		}
		p := NewPropagator(csr, nil)
		if err := p.Advance(context.Background(), psi, 20); err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(cnorm(psi) - 1); d > 1e-11 {
			t.Errorf("case %d (%s): norm drift %g", ci, tc.name, d)
		}
		if d := math.Abs(real(Expect(tc.op, b, psi)) - real(e0)); d > 1e-10 {
			t.Errorf("case %d (%s): energy drift %g", ci, tc.name, d)
		}
		if info := p.Info(); info.ErrorEstimate > 20*1e-12 {
			t.Errorf("case %d: error estimate %g above Tol·t", ci, info.ErrorEstimate)
		}
	}
}

// siteOp is σ^x_i (x = true) or σ^z_i σ^z_j, for Expect tests.
type siteOp struct {
	n, i, j int
	x       bool
}

func (o siteOp) NumSites() int     { return o.n }
func (o siteOp) MaxConnected() int { return 1 }
func (o siteOp) Connected(x []int8, visit func([]int, float64)) {
	if o.x {
		visit([]int{o.i}, 1)
		return
	}
	visit(nil, float64(x[o.i]*x[o.j]))
}

// TestExpectPauli checks ⟨σ^x_i⟩ and ⟨σ^z_i σ^z_j⟩ on product states with
// known values, and that σ^x drops out of a fixed-S^z sector.
func TestExpectPauli(t *testing.T) {
	const n = 5
	b := mustBasis(t, n, Unconstrained)
	// Product state: spin i at polar angle θ_i in the x–z plane,
	// ⟨σ^x_i⟩ = sin θ_i, ⟨σ^z_i⟩ = cos θ_i.
	theta := []float64{0.3, 1.1, 2.0, 0.7, 2.9}
	psi := make([]complex128, b.Dim())
	for k, s := range b.All() {
		a := complex(1, 0)
		for i := 0; i < n; i++ {
			if s>>uint(i)&1 == 1 {
				a *= complex(math.Cos(theta[i]/2), 0)
			} else {
				a *= complex(math.Sin(theta[i]/2), 0)
			}
		}
		psi[k] = a * cmplx.Exp(complex(0, 0.4)) // a global phase changes nothing
	}
	for i := 0; i < n; i++ {
		if got := real(Expect(siteOp{n: n, i: i, x: true}, b, psi)); math.Abs(got-math.Sin(theta[i])) > 1e-14 {
			t.Errorf("⟨σx_%d⟩ = %g, want %g", i, got, math.Sin(theta[i]))
		}
		j := (i + 1) % n
		want := math.Cos(theta[i]) * math.Cos(theta[j])
		if got := real(Expect(siteOp{n: n, i: i, j: j}, b, psi)); math.Abs(got-want) > 1e-14 {
			t.Errorf("⟨σz_%d σz_%d⟩ = %g, want %g", i, j, got, want)
		}
	}
	sec := mustBasis(t, n, 2)
	if got := Expect(siteOp{n: n, i: 1, x: true}, sec, randomState(sec.Dim(), 1)); got != 0 {
		t.Errorf("⟨σx⟩ in a sector = %v, want 0", got)
	}
}

// TestPropagatorCancel checks that a cancelled context stops Advance.
func TestPropagatorCancel(t *testing.T) {
	op := mustIsing(t, mustLattice(t, lattice.Chain, []int{6}), hamiltonian.IsingParams{J: 1, H: 1})
	b := mustBasis(t, 6, Unconstrained)
	csr, err := NewCSR(op, b, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = NewPropagator(csr, nil).Advance(ctx, randomState(b.Dim(), 3), 1)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
