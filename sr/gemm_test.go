package sr

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for ci, tc := range []struct {
		m, n, K  int
		lower    bool
		colItems bool
	}{
		{1, 1, 1, true, false},
		{7, 7, 5, true, false},
		{30, 30, 300, true, true},
		{200, 200, 130, true, false},
		{50, 33, 257, false, true},
		{193, 401, 64, false, false},
		{60, 60, 1100, true, false}, // several reduction blocks
		{25, 70, 1030, false, true},
	} {
		newOp := func(items int) operand {
			ld := tc.K + 3
			if tc.colItems {
				ld = items + 2
			}
			data := make([]float64, 5+ld*max(items, tc.K))
			for i := range data {
				data[i] = rng.NormFloat64()
			}
			return operand{data: data, off: 5, ld: ld, items: items, colItems: tc.colItems}
		}
		ops := []operand{newOp(tc.m), newOp(tc.n)}
		if tc.lower {
			ops[1] = newOp(tc.m)
		}
		ldc := tc.n + 1
		c := make([]float64, 2+tc.m*ldc)
		for i := range c {
			c[i] = rng.NormFloat64()
		}
		want := append([]float64(nil), c...)
		val := func(o operand, i, k int) float64 {
			if o.colItems {
				return o.data[o.off+k*o.ld+i]
			}
			return o.data[o.off+i*o.ld+k]
		}
		prods := []product{{c: c, off: 2, ldc: ldc, x: 0, y: 1}, {c: c, off: 2, ldc: ldc, x: 0, y: 0, sub: true}}
		if !tc.lower {
			prods = prods[:1]
		}
		for _, p := range prods {
			for i := 0; i < tc.m; i++ {
				for j := 0; j < tc.n; j++ {
					if tc.lower && j > i {
						continue
					}
					var s float64
					for k := 0; k < tc.K; k++ {
						s += val(ops[p.x], i, k) * val(ops[p.y], j, k)
					}
					if p.sub {
						want[p.off+i*ldc+j] -= s
					} else {
						want[p.off+i*ldc+j] += s
					}
				}
			}
		}
		var g gemm
		for _, threads := range []int{1, 3} {
			got := append([]float64(nil), c...)
			for i := range prods {
				prods[i].c = got
			}
			g.run(threads, tc.K, tc.lower, ops, prods)
			for i := range got {
				// Sums of K products of standard normals, differently
				// ordered: rounding ~ 1e-16·sqrt(K)·|terms|.
				if math.Abs(got[i]-want[i]) > 1e-13*float64(tc.K) {
					t.Fatalf("case %d threads %d: c[%d] = %v, want %v", ci, threads, i, got[i], want[i])
				}
			}
		}
	}
}

func TestCholesky(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for ci, n := range []int{1, 2, 17, 130, 300} {
		for _, cplx := range []bool{false, true} {
			ld := n + 3
			// A = B Bᴴ / n + I, B standard complex normal: well conditioned.
			br := make([]float64, n*n)
			bi := make([]float64, n*n)
			for i := range br {
				br[i] = rng.NormFloat64()
				if cplx {
					bi[i] = rng.NormFloat64()
				}
			}
			ar := make([]float64, n*ld)
			ai := make([]float64, n*ld)
			for i := 0; i < n; i++ {
				for j := 0; j <= i; j++ {
					var sr, si float64
					for k := 0; k < n; k++ {
						a, b := br[i*n+k], bi[i*n+k]
						c, e := br[j*n+k], bi[j*n+k]
						sr += a*c + b*e
						si += b*c - a*e
					}
					ar[i*ld+j] = sr / float64(n)
					ai[i*ld+j] = si / float64(n)
				}
				ar[i*ld+i]++
			}
			x := make([]complex128, n)
			for i := range x {
				x[i] = complex(rng.NormFloat64(), rng.NormFloat64())
				if !cplx {
					x[i] = complex(real(x[i]), 0)
				}
			}
			bre := make([]float64, n)
			bim := make([]float64, n)
			at := func(i, j int) complex128 {
				if j <= i {
					return complex(ar[i*ld+j], ai[i*ld+j])
				}
				return complex(ar[j*ld+i], -ai[j*ld+i])
			}
			for i := 0; i < n; i++ {
				var s complex128
				for j := 0; j < n; j++ {
					s += at(i, j) * x[j]
				}
				bre[i], bim[i] = real(s), imag(s)
			}
			aim := ai
			if !cplx {
				aim, bim = nil, nil
			}
			var g gemm
			if !g.cholesky(2, ar, aim, n, ld) {
				t.Fatalf("case %d: not positive definite", ci)
			}
			cholSolve(ar, aim, n, ld, bre, bim)
			for i := range x {
				got := complex(bre[i], 0)
				if cplx {
					got = complex(bre[i], bim[i])
				}
				// cond(A) ≲ 5: errors of a few ulps times n.
				if d := got - x[i]; math.Hypot(real(d), imag(d)) > 1e-12 {
					t.Fatalf("case %d cplx %v: x[%d] = %v, want %v", ci, cplx, i, got, x[i])
				}
			}
		}
	}
}
