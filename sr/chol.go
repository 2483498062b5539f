package sr

import (
	"math"

	"github.com/vmc-lattice/vmc/internal/parallel"
)

// cholBlock is the panel width of the blocked Cholesky factorization.
const cholBlock = 128

// trsmRows is the number of rows per task of the panel's triangular solve.
const trsmRows = 32

// cholesky factorizes in place the Hermitian positive definite n×n matrix
// A = re + i·im (row-major, leading dimension ld, lower triangle read,
// strictly upper triangle ignored) as A = L·Lᴴ, L lower triangular with a
// real positive diagonal, overwriting the lower triangle with L. With
// im == nil the matrix is real symmetric. It reports false, leaving the
// matrix in an unspecified state, if A is not numerically positive definite
// (a pivot is not > 0, including NaN).
//
// The algorithm is the right-looking blocked Cholesky of LAPACK's potrf:
// for each panel of cholBlock columns, factor the diagonal block, solve
// for the rows below (L21 = A21·L11⁻ᴴ) and update the trailing matrix
// A22 -= L21·L21ᴴ with the packed gemm.
func (g *gemm) cholesky(threads int, re, im []float64, n, ld int) bool {
	cplx := im != nil
	for j0 := 0; j0 < n; j0 += cholBlock {
		jb := min(cholBlock, n-j0)
		if !cholDiag(re, im, j0, jb, ld) {
			return false
		}
		r0 := j0 + jb
		if r0 == n {
			break
		}
		tasks := (n - r0 + trsmRows - 1) / trsmRows
		parallel.For(threads, tasks, func(_, t int) {
			for r := r0 + t*trsmRows; r < min(r0+(t+1)*trsmRows, n); r++ {
				trsmRow(re, im, r, j0, jb, ld)
			}
		})
		m := n - r0
		ops := []operand{
			{data: re, off: r0*ld + j0, ld: ld, items: m},
		}
		prods := []product{
			{c: re, off: r0*ld + r0, ldc: ld, x: 0, y: 0, sub: true},
		}
		if cplx {
			ops = append(ops, operand{data: im, off: r0*ld + j0, ld: ld, items: m})
			// Re A22 -= Lr·Lrᵀ + Li·Liᵀ; Im A22 -= Li·Lrᵀ - Lr·Liᵀ.
			prods = append(prods,
				product{c: re, off: r0*ld + r0, ldc: ld, x: 1, y: 1, sub: true},
				product{c: im, off: r0*ld + r0, ldc: ld, x: 1, y: 0, sub: true},
				product{c: im, off: r0*ld + r0, ldc: ld, x: 0, y: 1, sub: false},
			)
		}
		g.run(threads, jb, true, ops, prods)
	}
	return true
}

// cholDiag factorizes the jb×jb diagonal block starting at (j0, j0), whose
// earlier panels' contributions have already been subtracted.
func cholDiag(re, im []float64, j0, jb, ld int) bool {
	for j := j0; j < j0+jb; j++ {
		rj := re[j*ld+j0 : j*ld+j]
		d := re[j*ld+j]
		if im == nil {
			for _, v := range rj {
				d -= v * v
			}
		} else {
			ij := im[j*ld+j0 : j*ld+j]
			for k, v := range rj {
				d -= v*v + ij[k]*ij[k]
			}
		}
		if !(d > 0) || math.IsInf(d, 1) {
			return false
		}
		d = math.Sqrt(d)
		re[j*ld+j] = d
		if im != nil {
			im[j*ld+j] = 0
		}
		for i := j + 1; i < j0+jb; i++ {
			solveEntry(re, im, i, j, j0, ld, d)
		}
	}
	return true
}

// trsmRow computes row r of the panel, L[r, j0:j0+jb] = A[r, j0:j0+jb]·L11⁻ᴴ,
// by forward substitution along the row.
func trsmRow(re, im []float64, r, j0, jb, ld int) {
	for j := j0; j < j0+jb; j++ {
		solveEntry(re, im, r, j, j0, ld, re[j*ld+j])
	}
}

// solveEntry sets L_ij = (A_ij − Σ_{j0≤k<j} L_ik·conj(L_jk)) / d.
func solveEntry(re, im []float64, i, j, j0, ld int, d float64) {
	ri := re[i*ld+j0 : i*ld+j]
	rj := re[j*ld+j0 : j*ld+j]
	if im == nil {
		ax, _, _, _ := dot4(ri, ri, rj, rj)
		re[i*ld+j] = (re[i*ld+j] - ax) / d
		return
	}
	ii := im[i*ld+j0 : i*ld+j]
	ij := im[j*ld+j0 : j*ld+j]
	// Σ (a + ib)(c − ie) = Σ ac + be + i(bc − ae)
	ac, be, ae, bc := dot4(ri, ii, rj, ij)
	re[i*ld+j] = (re[i*ld+j] - (ac + be)) / d
	im[i*ld+j] = (im[i*ld+j] - (bc - ae)) / d
}

// cholSolve overwrites b = br + i·bi with (L·Lᴴ)⁻¹·b, where L is the factor
// left by cholesky (bi and im nil for the real case).
func cholSolve(re, im []float64, n, ld int, br, bi []float64) {
	// Forward: L y = b.
	for i := 0; i < n; i++ {
		lr := re[i*ld : i*ld+i]
		yr := br[:i]
		sr := br[i]
		if im == nil {
			for k, v := range lr {
				sr -= v * yr[k]
			}
			br[i] = sr / re[i*ld+i]
			continue
		}
		li := im[i*ld : i*ld+i]
		yi := bi[:i]
		si := bi[i]
		for k, a := range lr {
			b := li[k]
			c, e := yr[k], yi[k]
			sr -= a*c - b*e
			si -= a*e + b*c
		}
		d := re[i*ld+i]
		br[i] = sr / d
		bi[i] = si / d
	}
	// Backward: Lᴴ x = y, column by column of Lᴴ (row by row of L).
	for i := n - 1; i >= 0; i-- {
		d := re[i*ld+i]
		xr := br[i] / d
		br[i] = xr
		lr := re[i*ld : i*ld+i]
		yr := br[:i]
		if im == nil {
			for k, v := range lr {
				yr[k] -= v * xr
			}
			continue
		}
		xi := bi[i] / d
		bi[i] = xi
		li := im[i*ld : i*ld+i]
		yi := bi[:i]
		for k, a := range lr {
			b := li[k]
			// conj(L_ik)·x = (a - ib)(xr + i xi) = a xr + b xi + i(a xi - b xr)
			yr[k] -= a*xr + b*xi
			yi[k] -= a*xi - b*xr
		}
	}
}
