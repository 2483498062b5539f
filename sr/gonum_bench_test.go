package sr

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	gblas "gonum.org/v1/gonum/blas/gonum"
	glapack "gonum.org/v1/gonum/lapack/gonum"
)

// Benchmarks of the hot dense kernels of SR against gonum's pure-Go BLAS
// and LAPACK (and, with the openblas build tag, OpenBLAS through
// gonum.org/v1/netlib; see netlib_bench_test.go). They back the choice,
// explained in doc.go, of writing the packed products and the Cholesky
// factorization here instead of calling a BLAS; the figures are recorded
// in benchmarks/sr/README.md. Run with a small -benchtime (1x to 3x): the
// gonum cases take seconds per operation.

// blasImpl is a BLAS/LAPACK provider compared with this package.
type blasImpl struct {
	name string
	// syrk sets the lower triangle of c (n×n, row-major) to aᵀa for the
	// k×n row-major a.
	syrk func(n, k int, a, c []float64)
	// herk sets the lower triangle of c (n×n) to aᴴa for the k×n a.
	herk func(n, k int, a, c []complex128)
	// potrs factorizes the symmetric positive definite a (n×n, lower
	// triangle) in place and overwrites b with a⁻¹b; false if not
	// positive definite.
	potrs func(n int, a, b []float64) bool
}

// blasImpls lists gonum's pure-Go implementation, and OpenBLAS when built
// with the openblas tag.
var blasImpls = []blasImpl{{
	name: "gonum",
	syrk: func(n, k int, a, c []float64) {
		gblas.Implementation{}.Dsyrk(blas.Lower, blas.Trans, n, k, 1, a, n, 0, c, n)
	},
	herk: func(n, k int, a, c []complex128) {
		gblas.Implementation{}.Zherk(blas.Lower, blas.ConjTrans, n, k, 1, a, n, 0, c, n)
	},
	potrs: func(n int, a, b []float64) bool {
		var impl glapack.Implementation
		if !impl.Dpotrf(blas.Lower, n, a, n) {
			return false
		}
		impl.Dpotrs(blas.Lower, n, 1, a, n, b, 1)
		return true
	},
}}

// gonumBenchSizes are representative shapes: an RBM with N = 20, α = 2
// (P = 840) and N = 40, α = 1 (P = 1640) at typical sample counts.
var gonumBenchSizes = []struct{ ns, n, m, p int }{
	{1000, 20, 40, 840},
	{2000, 40, 40, 1640},
}

// benchWorkspace returns a workspace holding the centered samples of an
// RBM of the given shape.
func benchWorkspace(b *testing.B, ns, n, m, p, threads int) *Workspace {
	s := rbmSamples(rand.New(rand.NewPCG(7, uint64(p))), ns, n, m, p)
	ws := &Workspace{threads: threads}
	if err := ws.center(&s); err != nil {
		b.Fatal(err)
	}
	return ws
}

// reportFlops reports the rate of b.N operations of flops floating-point
// operations each.
func reportFlops(b *testing.B, flops float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFlop/s")
}

// BenchmarkVsBLASFormS forms S = ŌᴴŌ: for real parameters the P×P lower
// triangle of CᵀC with the stacked 2Ns×P C = [Re Ō; Im Ō] (BLAS dsyrk),
// for holomorphic ones the Hermitian ŌᴴŌ (BLAS zherk).
func BenchmarkVsBLASFormS(b *testing.B) {
	for _, sz := range gonumBenchSizes {
		ns, p := sz.ns, sz.p
		for _, holo := range []bool{false, true} {
			kind, flops := "real", float64(p)*float64(p+1)*float64(2*ns) // lower triangle, 2 flops per madd
			if holo {
				kind, flops = "complex", 4*float64(p)*float64(p+1)*float64(ns)
			}
			name := fmt.Sprintf("%s/Ns=%d,P=%d", kind, ns, p)
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/sr/threads=%d", name, threads), func(b *testing.B) {
					ws := benchWorkspace(b, ns, sz.n, sz.m, p, threads)
					for b.Loop() {
						ws.formS(holo)
					}
					reportFlops(b, flops)
				})
			}
			for _, impl := range blasImpls {
				b.Run(fmt.Sprintf("%s/%s", name, impl.name), func(b *testing.B) {
					ws := benchWorkspace(b, ns, sz.n, sz.m, p, 1)
					if !holo {
						c := make([]float64, p*p)
						for b.Loop() {
							impl.syrk(p, 2*ns, ws.c[:2*ns*p], c)
						}
						reportFlops(b, flops)
						return
					}
					a := make([]complex128, ns*p)
					for i := range a {
						a[i] = complex(ws.c[i], ws.c[ns*p+i])
					}
					c := make([]complex128, p*p)
					for b.Loop() {
						impl.herk(p, ns, a, c)
					}
					reportFlops(b, flops)
				})
			}
		}
	}
}

// BenchmarkVsBLASSolve factorizes S + εI = L·Lᵀ (real parameters, P×P)
// and solves for one right-hand side (LAPACK dpotrf + dpotrs). Each
// operation includes an O(P²) copy of the matrix, as the factorization
// works in place.
func BenchmarkVsBLASSolve(b *testing.B) {
	for _, sz := range gonumBenchSizes {
		ns, p := sz.ns, sz.p
		ws := benchWorkspace(b, ns, sz.n, sz.m, p, 2)
		ws.formS(false)
		s := make([]float64, p*p)
		copy(s, ws.mre[:p*p])
		for k := 0; k < p; k++ {
			s[k*p+k] += 1e-2
		}
		rhs := make([]float64, p)
		for k := range rhs {
			rhs[k] = float64(k%7) - 3
		}
		flops := float64(p) * float64(p) * float64(p) / 3 // Cholesky; the solves add 2P²
		a := make([]float64, p*p)
		x := make([]float64, p)
		name := fmt.Sprintf("P=%d", p)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/sr/threads=%d", name, threads), func(b *testing.B) {
				var g gemm
				for b.Loop() {
					copy(a, s)
					copy(x, rhs)
					if !g.cholesky(threads, a, nil, p, p) {
						b.Fatal("not positive definite")
					}
					cholSolve(a, nil, p, p, x, nil)
				}
				reportFlops(b, flops)
			})
		}
		for _, impl := range blasImpls {
			b.Run(fmt.Sprintf("%s/%s", name, impl.name), func(b *testing.B) {
				for b.Loop() {
					copy(a, s)
					copy(x, rhs)
					if !impl.potrs(p, a, x) {
						b.Fatal("not positive definite")
					}
				}
				reportFlops(b, flops)
			})
		}
	}
}

// TestVsBLASAgree checks that the benchmarked operations compute the same
// thing: S from formS against dsyrk and zherk, and the Cholesky solution
// against dpotrf + dpotrs, for every provider in blasImpls.
func TestVsBLASAgree(t *testing.T) {
	const ns, n, m, p = 60, 6, 6, 40
	s := rbmSamples(rand.New(rand.NewPCG(3, 4)), ns, n, m, p)
	ws := &Workspace{threads: 2}
	if err := ws.center(&s); err != nil {
		t.Fatal(err)
	}
	a := make([]complex128, ns*p)
	for i := range a {
		a[i] = complex(ws.c[i], ws.c[ns*p+i])
	}
	// Tolerance: sums of 2Ns products of O(1) numbers in different orders
	// and with or without fused multiply-adds; |S_kl| ≲ 10.
	const tol = 1e-12
	for _, impl := range blasImpls {
		ws.formS(false)
		c := make([]float64, p*p)
		impl.syrk(p, 2*ns, ws.c[:2*ns*p], c)
		for i := 0; i < p; i++ {
			for j := 0; j <= i; j++ {
				if d := ws.mre[i*p+j] - c[i*p+j]; d > tol || d < -tol {
					t.Fatalf("%s: real S[%d][%d] = %v, syrk %v", impl.name, i, j, ws.mre[i*p+j], c[i*p+j])
				}
			}
		}
		sre := append([]float64(nil), ws.mre[:p*p]...)
		mim := ws.formS(true)
		cc := make([]complex128, p*p)
		impl.herk(p, ns, a, cc)
		for i := 0; i < p; i++ {
			for j := 0; j <= i; j++ {
				got := complex(ws.mre[i*p+j], mim[i*p+j])
				if d := got - cc[i*p+j]; real(d) > tol || real(d) < -tol || imag(d) > tol || imag(d) < -tol {
					t.Fatalf("%s: complex S[%d][%d] = %v, herk %v", impl.name, i, j, got, cc[i*p+j])
				}
			}
		}
		for k := 0; k < p; k++ {
			sre[k*p+k] += 1e-2
		}
		a1, a2 := append([]float64(nil), sre...), append([]float64(nil), sre...)
		x1, x2 := make([]float64, p), make([]float64, p)
		for k := range x1 {
			x1[k] = float64(k%5) - 2
			x2[k] = x1[k]
		}
		var g gemm
		if !g.cholesky(2, a1, nil, p, p) || !impl.potrs(p, a2, x2) {
			t.Fatalf("%s: not positive definite", impl.name)
		}
		cholSolve(a1, nil, p, p, x1, nil)
		// cond(S + εI) ≤ ‖S‖/ε ≈ 1e3: rounding times the condition number.
		for k := range x1 {
			if d := x1[k] - x2[k]; d > 1e-9 || d < -1e-9 {
				t.Fatalf("%s: x[%d] = %v, potrs %v", impl.name, k, x1[k], x2[k])
			}
		}
	}
}
