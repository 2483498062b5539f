//go:build openblas

// OpenBLAS (through gonum.org/v1/netlib) for the comparison benchmarks of
// gonum_bench_test.go. Never part of the default build; run with
//
//	CGO_LDFLAGS="-llapacke -lopenblas" OPENBLAS_NUM_THREADS=1 \
//		go test -tags openblas -run '^$' -bench VsBLAS -benchtime 2x ./sr/
//
// (Debian packages libopenblas-dev and liblapacke-dev).

package sr

import (
	"gonum.org/v1/gonum/blas"
	nblas "gonum.org/v1/netlib/blas/netlib"
	nlapack "gonum.org/v1/netlib/lapack/netlib"
)

func init() {
	blasImpls = append(blasImpls, blasImpl{
		name: "openblas",
		syrk: func(n, k int, a, c []float64) {
			nblas.Implementation{}.Dsyrk(blas.Lower, blas.Trans, n, k, 1, a, n, 0, c, n)
		},
		herk: func(n, k int, a, c []complex128) {
			nblas.Implementation{}.Zherk(blas.Lower, blas.ConjTrans, n, k, 1, a, n, 0, c, n)
		},
		potrs: func(n int, a, b []float64) bool {
			var impl nlapack.Implementation
			if !impl.Dpotrf(blas.Lower, n, a, n) {
				return false
			}
			impl.Dpotrs(blas.Lower, n, 1, a, n, b, 1)
			return true
		},
	})
}
