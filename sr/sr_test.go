package sr

import (
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomSamples returns Ns samples of P log-derivatives with independent
// standard complex normal entries, a non-zero mean per parameter (so that
// centering matters), energies correlated with the derivatives, and
// weights ∝ exp(normal) when weighted.
func randomSamples(rng *rand.Rand, ns, p int, weighted bool) Samples {
	s := Samples{O: make([]complex128, ns*p), E: make([]complex128, ns), Ns: ns, P: p}
	mean := make([]complex128, p)
	coef := make([]complex128, p)
	for k := range mean {
		mean[k] = complex(rng.NormFloat64(), rng.NormFloat64())
		coef[k] = complex(rng.NormFloat64(), rng.NormFloat64()) / complex(math.Sqrt(float64(p)), 0)
	}
	for i := 0; i < ns; i++ {
		e := complex(-3+0.3*rng.NormFloat64(), 0.1*rng.NormFloat64())
		for k := 0; k < p; k++ {
			o := mean[k] + complex(rng.NormFloat64(), rng.NormFloat64())
			s.O[i*p+k] = o
			e += coef[k] * o
		}
		s.E[i] = e
	}
	if weighted {
		s.W = make([]float64, ns)
		var sum float64
		for i := range s.W {
			s.W[i] = math.Exp(rng.NormFloat64())
			sum += s.W[i]
		}
		for i := range s.W {
			s.W[i] /= sum
		}
	}
	return s
}

// naive computes S and F from their definitions,
//
//	S_kl = ⟨O_k* O_l⟩ − ⟨O_k*⟩⟨O_l⟩,  F_k = ⟨O_k* E⟩ − ⟨O_k*⟩⟨E⟩,
//
// in O(Ns·P²), taking real parts for real parameters.
func naive(s Samples, holo bool) (S [][]complex128, F []complex128) {
	ns, p := s.Ns, s.P
	w := make([]float64, ns)
	for i := range w {
		if s.W == nil {
			w[i] = 1 / float64(ns)
		} else {
			w[i] = s.W[i]
		}
	}
	mo := make([]complex128, p)
	var me complex128
	for i := 0; i < ns; i++ {
		me += complex(w[i], 0) * s.E[i]
		for k := 0; k < p; k++ {
			mo[k] += complex(w[i], 0) * s.O[i*p+k]
		}
	}
	S = make([][]complex128, p)
	F = make([]complex128, p)
	for k := 0; k < p; k++ {
		S[k] = make([]complex128, p)
		for l := 0; l < p; l++ {
			var v complex128
			for i := 0; i < ns; i++ {
				v += complex(w[i], 0) * cmplx.Conj(s.O[i*p+k]) * s.O[i*p+l]
			}
			S[k][l] = v - cmplx.Conj(mo[k])*mo[l]
		}
		var v complex128
		for i := 0; i < ns; i++ {
			v += complex(w[i], 0) * cmplx.Conj(s.O[i*p+k]) * s.E[i]
		}
		F[k] = v - cmplx.Conj(mo[k])*me
	}
	if !holo {
		for k := range S {
			for l := range S[k] {
				S[k][l] = complex(real(S[k][l]), 0)
			}
			F[k] = complex(real(F[k]), 0)
		}
	}
	return S, F
}

// naiveSolve solves (S + εI)x = F by Gaussian elimination with partial
// pivoting.
func naiveSolve(S [][]complex128, F []complex128, eps float64) []complex128 {
	p := len(F)
	a := make([][]complex128, p)
	for k := range a {
		a[k] = append(append([]complex128(nil), S[k]...), F[k])
		a[k][k] += complex(eps, 0)
	}
	for c := 0; c < p; c++ {
		piv := c
		for r := c + 1; r < p; r++ {
			if cmplx.Abs(a[r][c]) > cmplx.Abs(a[piv][c]) {
				piv = r
			}
		}
		a[c], a[piv] = a[piv], a[c]
		for r := c + 1; r < p; r++ {
			f := a[r][c] / a[c][c]
			for j := c; j <= p; j++ {
				a[r][j] -= f * a[c][j]
			}
		}
	}
	x := make([]complex128, p)
	for r := p - 1; r >= 0; r-- {
		v := a[r][p]
		for j := r + 1; j < p; j++ {
			v -= a[r][j] * x[j]
		}
		x[r] = v / a[r][r]
	}
	return x
}

// relDiff returns ‖a − b‖/‖b‖.
func relDiff(a, b []complex128) float64 {
	var d, n float64
	for i := range a {
		d += sq(cmplx.Abs(a[i] - b[i]))
		n += sq(cmplx.Abs(b[i]))
	}
	return math.Sqrt(d / n)
}

func sq(x float64) float64 { return x * x }

// Dimensions of the small cases: Ns > P, Ns < P, and sizes that cross
// the micro-kernel's edges (mr = 8, nr = 24) but stay cheap for naive.
var smallCases = []struct{ ns, p int }{
	{40, 7}, {9, 30}, {61, 61}, {25, 50}, {200, 37},
}

func TestMatricesAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	// Entries of S and F are sums of Ns terms of order one and S is
	// accumulated in a different order than naive: 1e-12 absolute
	// (relative to entries of order one) covers rounding.
	const tol = 1e-12
	for ci, tc := range smallCases {
		for _, holo := range []bool{true, false} {
			for _, weighted := range []bool{false, true} {
				s := randomSamples(rng, tc.ns, tc.p, weighted)
				S, F := naive(s, holo)
				var ws Workspace
				ws.threads = 2
				if err := ws.center(&s); err != nil {
					t.Fatal(err)
				}
				mim := ws.formS(holo)
				p := tc.p
				for k := 0; k < p; k++ {
					for l := 0; l <= k; l++ {
						got := complex(ws.mre[k*p+l], 0)
						if holo {
							got = complex(ws.mre[k*p+l], mim[k*p+l])
						}
						if cmplx.Abs(got-S[k][l]) > tol {
							t.Fatalf("case %d holo=%v weighted=%v: S[%d,%d] = %v, want %v", ci, holo, weighted, k, l, got, S[k][l])
						}
					}
				}
				g := make([]complex128, p)
				Gradient(g, s, holo)
				if d := relDiff(g, F); d > tol {
					t.Fatalf("case %d holo=%v weighted=%v: Gradient differs from naive F by %g", ci, holo, weighted, d)
				}
				// The sample-space matrix: T = ŌŌᴴ, compared entry-wise with
				// its definition from the centered data.
				n, tim := ws.formT(holo)
				for i := 0; i < n; i++ {
					for j := 0; j <= i; j++ {
						var want complex128
						for k := 0; k < p; k++ {
							if holo {
								a := complex(ws.c[i*p+k], ws.c[(tc.ns+i)*p+k])
								b := complex(ws.c[j*p+k], ws.c[(tc.ns+j)*p+k])
								want += a * cmplx.Conj(b)
							} else {
								want += complex(ws.c[i*p+k]*ws.c[j*p+k], 0)
							}
						}
						got := complex(ws.mre[i*n+j], 0)
						if holo {
							got = complex(ws.mre[i*n+j], tim[i*n+j])
						}
						if cmplx.Abs(got-want) > tol*float64(p) {
							t.Fatalf("case %d holo=%v: T[%d,%d] = %v, want %v", ci, holo, i, j, got, want)
						}
					}
				}
			}
		}
	}
}

func TestSolversAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	// cond(S + εI) ≤ ~λmax/ε ~ 1e4 here; CG is run to 1e-13, so every
	// solver is within ~1e-9 of the exact solution and 1e-8 is safe.
	const tol = 1e-8
	for ci, tc := range smallCases {
		for _, holo := range []bool{true, false} {
			for _, weighted := range []bool{false, true} {
				for _, eps := range []float64{1e-2, 1e-3} {
					s := randomSamples(rng, tc.ns, tc.p, weighted)
					S, F := naive(s, holo)
					want := naiveSolve(S, F, eps)
					var ws Workspace
					for _, solver := range []Solver{Cholesky, CG, MinSR, Auto} {
						got := make([]complex128, tc.p)
						opt := Options{DiagShift: eps, Solver: solver, Holomorphic: holo, Threads: 2, CGTol: 1e-13}
						info, err := ws.Step(got, s, opt)
						if err != nil {
							t.Fatalf("case %d %v holo=%v weighted=%v eps=%g: %v", ci, solver, holo, weighted, eps, err)
						}
						if d := relDiff(got, want); d > tol {
							t.Errorf("case %d %v holo=%v weighted=%v eps=%g: relative difference %g from naive solve (info %+v)",
								ci, solver, holo, weighted, eps, d, info)
						}
						if info.Residual > tol {
							t.Errorf("case %d %v: residual %g", ci, solver, info.Residual)
						}
						if !holo {
							for k, v := range got {
								if imag(v) != 0 {
									t.Fatalf("case %d %v: real parameters, dst[%d] = %v", ci, solver, k, v)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestThreadsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	// Sizes beyond every block size: tiles (192), reduction blocks (512),
	// Cholesky panels (128), column chunks (256), row chunks (8), partial
	// sums of the matrix-free product (32 rows).
	cases := []struct {
		ns, p  int
		solver Solver
	}{
		{300, 520, MinSR},
		{530, 300, Cholesky},
		{150, 600, CG},
	}
	if testing.Short() {
		cases = cases[:1]
	}
	for ci, tc := range cases {
		for _, holo := range []bool{true, false} {
			s := randomSamples(rng, tc.ns, tc.p, true)
			var ref []complex128
			var refInfo Info
			for _, threads := range []int{1, 2, 3} {
				got := make([]complex128, tc.p)
				info, err := Step(got, s, Options{DiagShift: 1e-3, Solver: tc.solver, Holomorphic: holo, Threads: threads})
				if err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					ref, refInfo = got, info
					continue
				}
				if info != refInfo {
					t.Fatalf("case %d holo=%v threads=%d: info %+v, want %+v", ci, holo, threads, info, refInfo)
				}
				for k := range got {
					if got[k] != ref[k] {
						t.Fatalf("case %d %v holo=%v threads=%d: dst[%d] = %v, with 1 thread %v",
							ci, tc.solver, holo, threads, k, got[k], ref[k])
					}
				}
			}
		}
	}
}

// TestAllKernels checks every micro-kernel this CPU can run, and the
// portable vector kernels, end to end against the ones in use.
func TestAllKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	s := randomSamples(rng, 70, 150, true)
	want := make([]complex128, s.P)
	if _, err := Step(want, s, Options{DiagShift: 1e-3, Solver: MinSR, Holomorphic: true}); err != nil {
		t.Fatal(err)
	}
	k, d, a := kernel, dot4, axpy2
	defer func() { kernel, dot4, axpy2 = k, d, a }()
	dot4, axpy2 = dot4Go, axpy2Go
	for name, kern := range kernels {
		kernel = kern
		for _, solver := range []Solver{MinSR, Cholesky, CG} {
			got := make([]complex128, s.P)
			opt := Options{DiagShift: 1e-3, Solver: solver, Holomorphic: true, Threads: 2, CGTol: 1e-13}
			if _, err := Step(got, s, opt); err != nil {
				t.Fatal(err)
			}
			// Same algebra with and without fused multiply-adds: rounding
			// times cond(S + εI) ≲ 1e4.
			if d := relDiff(got, want); d > 1e-9 {
				t.Errorf("%v with kernel %s: relative difference %g", solver, name, d)
			}
		}
	}
}

func TestOneParameter(t *testing.T) {
	// Two equally weighted samples with O = ±i around mean 2+i... worked by
	// hand: O − ⟨O⟩ = ±i, E − ⟨E⟩ = ∓1, so
	//   S = ½(|i|² + |−i|²) = 1,
	//   F = ½(conj(i)·(−1) + conj(−i)·(+1)) = ½(i + i) = i,
	//   δ = F/(S + ε) = i/1.25 = 0.8i   for ε = 0.25.
	// For real parameters Re F = 0 and δ = 0: a purely imaginary
	// derivative (a phase) cannot lower the energy through a real θ.
	s := Samples{
		O:  []complex128{2 + 2i, 2},
		E:  []complex128{1, 3},
		Ns: 2, P: 1,
	}
	for _, tc := range []struct {
		holo bool
		want complex128
	}{{true, 0.8i}, {false, 0}} {
		for _, solver := range []Solver{Cholesky, CG, MinSR} {
			dst := make([]complex128, 1)
			if _, err := Step(dst, s, Options{DiagShift: 0.25, Solver: solver, Holomorphic: tc.holo}); err != nil {
				t.Fatal(err)
			}
			// Exact up to a few roundings of numbers of order one.
			if cmplx.Abs(dst[0]-tc.want) > 1e-15 {
				t.Errorf("%v holo=%v: δ = %v, want %v", solver, tc.holo, dst[0], tc.want)
			}
		}
		g := make([]complex128, 1)
		if e := Gradient(g, s, tc.holo); e != 2 {
			t.Errorf("mean energy %v, want 2", e)
		}
		wantF := complex128(1i)
		if !tc.holo {
			wantF = 0
		}
		if g[0] != wantF {
			t.Errorf("holo=%v: F = %v, want %v", tc.holo, g[0], wantF)
		}
	}
}

func TestDegenerate(t *testing.T) {
	// One sample: Ō = 0 and ē = 0, so F = 0 and every solver returns 0.
	one := Samples{O: []complex128{1 + 2i, 3}, E: []complex128{-1}, Ns: 1, P: 2}
	for _, solver := range []Solver{Auto, Cholesky, CG, MinSR} {
		dst := []complex128{7, 7}
		info, err := Step(dst, one, Options{DiagShift: 1e-3, Solver: solver, Holomorphic: true})
		if err != nil || dst[0] != 0 || dst[1] != 0 || info.Residual != 0 {
			t.Errorf("%v, one sample: dst %v, info %+v, err %v", solver, dst, info, err)
		}
	}
	// No parameters.
	none := Samples{E: []complex128{1, 2}, Ns: 2}
	if _, err := Step(nil, none, Options{}); err != nil {
		t.Errorf("P = 0: %v", err)
	}
}

func TestErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	base := randomSamples(rng, 20, 10, false)
	constant := Samples{O: make([]complex128, 20*10), E: base.E, Ns: 20, P: 10}
	for i := range constant.O {
		constant.O[i] = 1 + 1i // Ō = 0, so S = 0
	}
	// Finite samples whose products overflow: S and ŌŌᴴ hold infinities.
	huge := Samples{O: make([]complex128, 20*10), E: base.E, Ns: 20, P: 10}
	for i := range huge.O {
		huge.O[i] = complex(float64(1-2*(i/10%2))*1e200, 0)
	}
	withO := func(i int, v complex128) Samples {
		s := base
		s.O = append([]complex128(nil), base.O...)
		s.O[i] = v
		return s
	}
	withE := func(i int, v complex128) Samples {
		s := base
		s.E = append([]complex128(nil), base.E...)
		s.E[i] = v
		return s
	}
	withW := func(i int, v float64) Samples {
		s := base
		s.W = make([]float64, s.Ns)
		for j := range s.W {
			s.W[j] = 1 / float64(s.Ns)
		}
		s.W[i] = v
		return s
	}
	for ci, tc := range []struct {
		s    Samples
		opt  Options
		want error
	}{
		{withO(17, complex(math.NaN(), 0)), Options{DiagShift: 1e-2}, ErrNonFinite},
		{withO(3, complex(0, math.Inf(-1))), Options{DiagShift: 1e-2, Solver: MinSR}, ErrNonFinite},
		{withE(4, complex(math.NaN(), 1)), Options{DiagShift: 1e-2}, ErrNonFinite},
		{withW(2, math.NaN()), Options{DiagShift: 1e-2}, ErrNonFinite},
		{withW(2, -0.5), Options{DiagShift: 1e-2}, ErrNonFinite},
		{constant, Options{Solver: Cholesky}, ErrNotPositiveDefinite},
		{huge, Options{DiagShift: 1, Solver: MinSR, Holomorphic: true}, ErrNotPositiveDefinite},
		{huge, Options{DiagShift: 1, Solver: Cholesky}, ErrNotPositiveDefinite},
		{base, Options{Solver: MinSR}, nil}, // MinSR needs ε > 0
		{base, Options{DiagShift: 1e-6, Solver: CG, Holomorphic: true, CGMaxIter: 2, CGTol: 1e-14}, ErrNoConvergence},
		{base, Options{DiagShift: -1}, nil},
		{base, Options{DiagShift: math.NaN()}, nil},
		{base, Options{Solver: Solver(9)}, nil},
	} {
		dst := make([]complex128, tc.s.P)
		_, err := Step(dst, tc.s, tc.opt)
		if err == nil {
			t.Errorf("case %d: no error", ci)
			continue
		}
		if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("case %d: error %q, want %q", ci, err, tc.want)
		}
	}
}

func TestPanics(t *testing.T) {
	s := Samples{O: make([]complex128, 6), E: make([]complex128, 2), Ns: 2, P: 3}
	for ci, f := range []func(){
		func() { Step(make([]complex128, 2), s, Options{}) },
		func() { s := s; s.O = s.O[:5]; Step(make([]complex128, 3), s, Options{}) },
		func() { s := s; s.E = s.E[:1]; Gradient(make([]complex128, 3), s, true) },
		func() { s := s; s.W = []float64{1}; Step(make([]complex128, 3), s, Options{}) },
		func() { s := s; s.Ns = 0; s.O = nil; s.E = nil; Step(nil, s, Options{}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("case %d: no panic", ci)
				}
			}()
			f()
		}()
	}
}

func TestParseSolver(t *testing.T) {
	for _, s := range []Solver{Auto, Cholesky, CG, MinSR} {
		got, err := ParseSolver(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSolver(%q) = %v, %v", s.String(), got, err)
		}
	}
	if got, err := ParseSolver("MinSR"); err != nil || got != MinSR {
		t.Errorf("ParseSolver(MinSR) = %v, %v", got, err)
	}
	if _, err := ParseSolver("lu"); err == nil {
		t.Error("ParseSolver(lu): no error")
	}
}

func TestChooseSolver(t *testing.T) {
	for _, tc := range []struct {
		ns, p int
		holo  bool
		want  Solver
	}{
		{1000, 10200, true, MinSR},
		{1000, 1500, false, Cholesky}, // sample space of real parameters: 2Ns
		{1000, 2500, false, MinSR},
		{1000, 840, true, Cholesky},
		{100000, AutoCholeskyMax + 1, true, CG},
	} {
		if got := ChooseSolver(tc.ns, tc.p, tc.holo); got != tc.want {
			t.Errorf("ChooseSolver(%d, %d, %v) = %v, want %v", tc.ns, tc.p, tc.holo, got, tc.want)
		}
	}
}

// TestSpring checks the SPRING step against its definition: δ solves
// (S + εI)δ = F + εμ·prior (the normal equations of
// ‖Ōδ − ē‖² + ε‖δ − μ·prior‖²), solved naively, for every solver, real and
// holomorphic parameters; and that a thread count does not change it.
func TestSpring(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const tol = 1e-8 // as TestSolversAgree
	for ci, tc := range smallCases {
		for _, holo := range []bool{true, false} {
			s := randomSamples(rng, tc.ns, tc.p, true)
			prior := make([]complex128, tc.p)
			for k := range prior {
				prior[k] = complex(rng.NormFloat64(), rng.NormFloat64())
				if !holo {
					prior[k] = complex(real(prior[k]), 0)
				}
			}
			const eps, mu = 1e-2, 0.9
			S, F := naive(s, holo)
			for k := range F {
				F[k] += complex(eps*mu, 0) * prior[k]
			}
			want := naiveSolve(S, F, eps)
			for _, solver := range []Solver{Cholesky, CG, MinSR} {
				var ref []complex128
				for _, threads := range []int{1, 2} {
					got := make([]complex128, tc.p)
					opt := Options{DiagShift: eps, Solver: solver, Holomorphic: holo, Threads: threads, CGTol: 1e-13, Momentum: mu, Prior: prior}
					if _, err := Step(got, s, opt); err != nil {
						t.Fatalf("case %d %v: %v", ci, solver, err)
					}
					if d := relDiff(got, want); d > tol {
						t.Errorf("case %d %v holo=%v: relative difference %g from the naive SPRING solve", ci, solver, holo, d)
					}
					if ref == nil {
						ref = got
					} else if !slices.Equal(got, ref) {
						t.Errorf("case %d %v holo=%v: 2 threads differ from 1", ci, solver, holo)
					}
				}
			}
		}
	}
	if _, err := Step(make([]complex128, 2), randomSamples(rng, 4, 2, false), Options{DiagShift: 1, Momentum: 1}); err == nil {
		t.Error("momentum 1 accepted")
	}
}

// TestMetric checks the dense S and F of Workspace.Metric against the
// naive sums, for holomorphic and real parameters.
func TestMetric(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for ci, tc := range smallCases {
		for _, holo := range []bool{true, false} {
			s := randomSamples(rng, tc.ns, tc.p, true)
			S, F := naive(s, holo)
			var ws Workspace
			sRe, sIm, fRe, fIm, err := ws.Metric(s, holo, 2)
			if err != nil {
				t.Fatal(err)
			}
			var d, scale float64
			for k := 0; k < tc.p; k++ {
				f := complex(fRe[k], 0)
				if holo {
					f = complex(fRe[k], fIm[k])
				}
				d = max(d, cmplx.Abs(f-F[k]))
				scale = max(scale, cmplx.Abs(F[k]))
				for l := 0; l < tc.p; l++ {
					v := complex(sRe[k*tc.p+l], 0)
					if holo {
						v = complex(sRe[k*tc.p+l], sIm[k*tc.p+l])
					}
					d = max(d, cmplx.Abs(v-S[k][l]))
					scale = max(scale, cmplx.Abs(S[k][l]))
				}
			}
			if d > 1e-12*scale {
				t.Errorf("case %d holo=%v: max difference %g from the naive S and F (scale %g)", ci, holo, d, scale)
			}
		}
	}
}
