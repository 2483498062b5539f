package tdvp

import (
	"context"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

func chainIsing(t *testing.T, n int, pbc bool, j, h float64) *hamiltonian.Ising {
	t.Helper()
	l, err := lattice.New(lattice.Chain, []int{n}, []bool{pbc})
	if err != nil {
		t.Fatal(err)
	}
	op, err := hamiltonian.NewIsing(l, hamiltonian.IsingParams{J: j, H: h})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// exactCurve evolves vec under h with Krylov and returns ⟨op_a⟩ at times.
func exactCurve(t *testing.T, h hamiltonian.Operator, b *ed.Basis, vec []complex128, ops []hamiltonian.Operator, times []float64) [][]float64 {
	t.Helper()
	csr, err := ed.NewCSR(h, b, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := ed.NewPropagator(csr, nil)
	out := make([][]float64, len(times))
	now := 0.0
	for i, tm := range times {
		if err := p.Advance(context.Background(), vec, tm-now); err != nil {
			t.Fatal(err)
		}
		now = tm
		for _, op := range ops {
			out[i] = append(out[i], real(ed.Expect(op, b, vec)))
		}
	}
	return out
}

// tdvpCurve evolves psi with the TDVP and returns ⟨op_a⟩ at times.
func tdvpCurve(t *testing.T, psi ansatz.Ansatz, h hamiltonian.Operator, ops []hamiltonian.Operator, times []float64, m Method, io IntegratorOptions, opt Options) [][]float64 {
	t.Helper()
	smp, err := vmc.NewExact(psi, nil, ed.Unconstrained, 1)
	if err != nil {
		t.Fatal(err)
	}
	eq, err := NewEquation(psi, smp, h, opt)
	if err != nil {
		t.Fatal(err)
	}
	if io.Norm == nil && m.Adaptive() {
		io.Norm = eq.MetricNorm
	}
	y := make([]complex128, psi.NumParams())
	psi.Params(y)
	in, err := NewIntegrator(m, eq.Func(), len(y), io)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(times))
	now := 0.0
	var b vmc.Batch
	for i, tm := range times {
		if tm > now {
			if _, err := in.Advance(now, y, tm); err != nil {
				t.Fatal(err)
			}
		}
		now = tm
		psi.SetParams(y)
		_, st := Measure(smp, h, ops, &b)
		for _, s := range st {
			out[i] = append(out[i], s.Mean)
		}
	}
	return out
}

// manifoldTol is the agreement required between TDVP on an exact manifold
// and Krylov: the integrator's error (RK4 at dt = 0.01: about
// (dt·‖θ̇‖)⁴ per unit time, or RK45 at Tol = 1e-9) stays well below it.
const manifoldTol = 1e-6

// TestTDVPExactManifold runs the TDVP where the variational manifold
// contains the exact trajectory, so that it must reproduce the Krylov
// curves: (1) two spins with a holomorphic Jastrow with field, whose three
// parameters and the free norm and phase span all four amplitudes; (2)
// six non-interacting spins precessing in a transverse field from a
// product state, which stays a product state (the two-body Jastrow terms
// are redundant and must stay zero).
func TestTDVPExactManifold(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type tcase struct {
		name string
		n    int
		h    hamiltonian.Operator
		init func(p []complex128)
		m    Method
		io   IntegratorOptions
		opt  Options
	}
	cases := []tcase{
		{"2 spins TFI, Jastrow, rk4", 2, chainIsing(t, 2, false, 1, 0.8), nil, RK4, IntegratorOptions{Dt: 0.01}, Options{RCond: 1e-12}},
		{"2 spins TFI, Jastrow, rk45", 2, chainIsing(t, 2, false, 1, 0.8), nil, RK45, IntegratorOptions{Dt: 0.01, Tol: 1e-9}, Options{RCond: 1e-12}},
		{"2 spins TFI, Jastrow, rk4, smooth scale-invariant pseudo-inverse", 2, chainIsing(t, 2, false, 1, 0.8), nil, RK4, IntegratorOptions{Dt: 0.01}, Options{RCond: 1e-12, Smooth: true, DiagScale: true}},
		{"2 spins TFI, Jastrow, rk4 + sr cholesky", 2, chainIsing(t, 2, false, 1, 0.8), nil, RK4, IntegratorOptions{Dt: 0.01}, Options{DiagShift: 1e-12}},
		{"6 free spins, product state, rk4", 6, chainIsing(t, 6, true, 0, 1.3), func(p []complex128) {
			for k := range p[:15] { // J_ij = 0: a product state
				p[k] = 0
			}
		}, RK4, IntegratorOptions{Dt: 0.01}, Options{RCond: 1e-10}},
	}
	times := []float64{0, 0.25, 0.5, 1, 1.5, 2}
	for ci, tc := range cases {
		psi := ansatz.NewJastrow(tc.n, true, true)
		p := make([]complex128, psi.NumParams())
		for k := range p {
			p[k] = complex(0.3*rng.NormFloat64(), 0.3*rng.NormFloat64())
		}
		if tc.init != nil {
			tc.init(p)
		}
		psi.SetParams(p)
		pairs := [][2]int{}
		for i := 0; i < tc.n; i++ {
			pairs = append(pairs, [2]int{i, (i + 1) % tc.n})
		}
		ops := []hamiltonian.Operator{NewPauliX(tc.n, nil), &PauliZZ{N: tc.n, Pairs: pairs}, &PauliZZ{N: tc.n, Pairs: [][2]int{{0, 0}}}, tc.h}
		b, err := ed.NewBasis(tc.n, ed.Unconstrained)
		if err != nil {
			t.Fatal(err)
		}
		want := exactCurve(t, tc.h, b, StateVector(psi, b), ops, times)
		got := tdvpCurve(t, psi, tc.h, ops, times, tc.m, tc.io, tc.opt)
		for i := range times {
			for a := range ops {
				if d := math.Abs(got[i][a] - want[i][a]); d > manifoldTol || math.IsNaN(d) {
					t.Errorf("case %d (%s): t = %g, observable %d: TDVP %.10f, Krylov %.10f (|Δ| = %.2g)", ci, tc.name, times[i], a, got[i][a], want[i][a], d)
				}
			}
		}
		// Energy conservation (last observable is H).
		if d := math.Abs(got[len(times)-1][3] - got[0][3]); d > manifoldTol {
			t.Errorf("case %d: energy drift %g", ci, d)
		}
	}
}

// TestImaginaryTimeGroundState checks that imaginary-time evolution of an
// RBM with exact sums converges to the ED ground energy of a 6-site TFI
// ring at the critical point.
func TestImaginaryTimeGroundState(t *testing.T) {
	const n = 6
	h := chainIsing(t, n, true, 1, 1)
	res, err := ed.Solve(h, ed.Unconstrained, ed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	psi := ansatz.NewRBM(n, 2, true)
	psi.InitRandom(rand.New(rand.NewPCG(3, 4)), 0.05)
	smp, err := vmc.NewExact(psi, nil, ed.Unconstrained, 1)
	if err != nil {
		t.Fatal(err)
	}
	eq, err := NewEquation(psi, smp, h, Options{Imaginary: true, DiagShift: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	y := make([]complex128, psi.NumParams())
	psi.Params(y)
	in, err := NewIntegrator(RK23, eq.Func(), len(y), IntegratorOptions{Dt: 0.05, Tol: 1e-3, Norm: eq.MetricNorm})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Advance(0, y, 8); err != nil {
		t.Fatal(err)
	}
	psi.SetParams(y)
	var b vmc.Batch
	e, _ := Measure(smp, h, nil, &b)
	// Tolerance: an α = 2 RBM reaches ~1e-5 relative on this ring; the
	// shift ε = 1e-4 slows the last decay but does not bias the fixed point.
	if rel := math.Abs(e.Mean-res.Energies[0]) / math.Abs(res.Energies[0]); rel > 1e-4 {
		t.Errorf("imaginary time: E = %.8f, ED %.8f, relative error %.2g (%d steps, %d rejected)", e.Mean, res.Energies[0], rel, in.Steps, in.Rejected)
	}
}

// TestIntegratorOrder integrates the linear ODE y' = λy (λ = −0.3 + 2i,
// y(0) = 1) to t = 1 with fixed steps h and h/2 and checks the observed
// order log2(err(h)/err(h/2)) of every method. Adaptive methods are run
// with fixed steps through try.
func TestIntegratorOrder(t *testing.T) {
	lam := complex(-0.3, 2)
	f := func(_ float64, y, dy []complex128) error {
		for i := range y {
			dy[i] = lam * y[i]
		}
		return nil
	}
	exact := cmplx.Exp(lam)
	run := func(m Method, steps int) float64 {
		in, err := NewIntegrator(m, f, 1, IntegratorOptions{Dt: 1 / float64(steps), Tol: 1})
		if err != nil {
			t.Fatal(err)
		}
		y := []complex128{1}
		h := 1 / float64(steps)
		for s := 0; s < steps; s++ {
			if _, err := in.try(float64(s)*h, y, h); err != nil {
				t.Fatal(err)
			}
		}
		return cmplx.Abs(y[0] - exact)
	}
	for ci, tc := range []struct {
		m     Method
		order float64
		steps int
	}{{Euler, 1, 200}, {Heun, 2, 100}, {RK4, 4, 40}, {RK23, 3, 40}, {RK45, 5, 16}} {
		e1, e2 := run(tc.m, tc.steps), run(tc.m, 2*tc.steps)
		got := math.Log2(e1 / e2)
		// Asymptotic slope to within 0.15: the step sizes are in the
		// asymptotic range (|λh| ≤ 0.1) but not infinitely deep in it.
		if math.Abs(got-tc.order) > 0.15 {
			t.Errorf("case %d (%s): observed order %.3f, want %g (errors %g, %g)", ci, tc.m, got, tc.order, e1, e2)
		}
	}
}

// TestAdaptiveTolerance checks that the adaptive methods meet their
// tolerance on the linear ODE and take fewer steps for looser ones.
func TestAdaptiveTolerance(t *testing.T) {
	lam := complex(-0.3, 2)
	f := func(_ float64, y, dy []complex128) error {
		dy[0] = lam * y[0]
		return nil
	}
	for _, m := range []Method{RK23, RK45} {
		prev := 0
		for _, tol := range []float64{1e-10, 1e-7, 1e-4} {
			in, err := NewIntegrator(m, f, 1, IntegratorOptions{Dt: 0.1, Tol: tol})
			if err != nil {
				t.Fatal(err)
			}
			y := []complex128{1}
			if _, err := in.Advance(0, y, 3); err != nil {
				t.Fatal(err)
			}
			// Global error ≲ steps × tol (local errors add up).
			if d := cmplx.Abs(y[0] - cmplx.Exp(3*lam)); d > 10*float64(in.Steps)*tol {
				t.Errorf("%s tol %g: error %g after %d steps", m, tol, d, in.Steps)
			}
			if prev > 0 && in.Steps >= prev {
				t.Errorf("%s tol %g: %d steps, not fewer than %d at the tighter tolerance", m, tol, in.Steps, prev)
			}
			prev = in.Steps
		}
	}
}
