package sr

import (
	"github.com/vmc-lattice/vmc/internal/parallel"

	"fmt"
	"math"
)

// Workspace owns the scratch memory of Step: the centered log-derivatives
// (2·Ns·P float64), the dense P×P or sample-space matrix of the direct
// solvers and the packing buffers. Reusing one Workspace across iterations
// avoids allocating these on every step. The zero value is ready to use.
// A Workspace must not be used by several goroutines at once. Its memory,
// about 16·Ns·P bytes for the centered data plus 16·n² bytes for the dense
// matrix (n = P for Cholesky, the sample-space dimension for MinSR), is
// kept until the Workspace is dropped: some 180 MB for Ns = 1000,
// P = 10200 with MinSR.
type Workspace struct {
	ns, p   int
	threads int
	// c holds the centered, weighted log-derivatives split into planes:
	// c[s*P+k] = Re Ō_sk and c[Ns*P+s*P+k] = Im Ō_sk, where
	// Ō_sk = √w_s (O_sk − ⟨O_k⟩). Read as a 2Ns×P real matrix it is the
	// stacked [Re Ō; Im Ō] used for real parameters.
	c []float64
	// e holds ē_s = √w_s (E_s − ⟨E⟩): e[s] real, e[Ns+s] imaginary parts.
	e  []float64
	w  []float64 // normalized weights
	mu []float64 // means ⟨O_k⟩: real parts then imaginary parts
	f  []float64 // F: real parts then imaginary parts
	// mre, mim hold the dense Hermitian matrix of the direct solvers.
	mre, mim []float64
	// vectors of CG and of the residual check
	u, x, r, q, z []float64
	part          []float64 // partial sums of apply
	g             gemm
}

// chunk of parameters per task of the column-wise reductions.
const colChunk = 256

// rowChunk is the number of samples per task of the centering.
const rowChunk = 8

// Step is like the package-level Step but reuses the workspace's memory.
func (ws *Workspace) Step(dst []complex128, s Samples, opt Options) (Info, error) {
	s.check()
	if len(dst) != s.P {
		panic(fmt.Sprintf("sr: len(dst) = %d, want P = %d", len(dst), s.P))
	}
	if err := opt.validate(); err != nil {
		return Info{}, err
	}
	ws.threads = max(opt.Threads, 1)
	solver := opt.Solver
	if solver == Auto {
		solver = ChooseSolver(s.Ns, s.P, opt.Holomorphic)
	}
	info := Info{Solver: solver}
	if s.P == 0 {
		return info, nil
	}
	if solver == MinSR && opt.DiagShift == 0 {
		// ŌŌᴴ always has the null vector (√w_s): the centering.
		return info, fmt.Errorf("sr: MinSR needs a diag shift > 0")
	}
	if err := ws.center(&s); err != nil {
		return info, err
	}
	holo := opt.Holomorphic
	p := s.P
	spring := opt.Momentum > 0 && opt.Prior != nil
	if spring {
		if len(opt.Prior) != p {
			panic(fmt.Sprintf("sr: len(Prior) = %d, want P = %d", len(opt.Prior), p))
		}
		ws.shiftResidual(opt.Prior, opt.Momentum, holo)
	}
	ws.f = grow(ws.f, 2*p)
	fr, fi := ws.f[:p], ws.f[p:]
	ws.adjoint(fr, fi, ws.e[:s.Ns], ws.e[s.Ns:], holo)
	if !holo {
		clear(fi)
	}
	ws.x = grow(ws.x, 2*p)
	xr, xi := ws.x[:p], ws.x[p:]
	clear(ws.x)
	var err error
	switch solver {
	case Cholesky:
		err = ws.solveCholesky(xr, xi, opt.DiagShift, holo)
	case MinSR:
		err = ws.solveMinSR(xr, xi, opt.DiagShift, holo)
	case CG:
		tol := opt.CGTol
		if tol <= 0 {
			tol = DefaultCGTol
		}
		maxIter := opt.CGMaxIter
		if maxIter <= 0 {
			maxIter = defaultCGIterFactor * p
		}
		info.Iterations, err = ws.solveCG(opt.DiagShift, holo, tol, maxIter)
	}
	if err != nil {
		return info, err
	}
	info.Residual = ws.residual(opt.DiagShift, holo)
	if math.IsNaN(info.Residual) {
		return info, fmt.Errorf("%w: solution contains NaN", ErrNotPositiveDefinite)
	}
	for k := range dst {
		dst[k] = complex(xr[k], xi[k])
	}
	if spring {
		mu := complex(opt.Momentum, 0)
		for k, v := range opt.Prior {
			if !holo {
				v = complex(real(v), 0)
			}
			dst[k] += mu * v
		}
	}
	return info, nil
}

// shiftResidual replaces ē by ē − μ Ō·prior (SPRING): the solve that
// follows then gives (S + εI)⁻¹(F − μ S·prior). Each sample's product is
// one dot over its row, so the result does not depend on the thread
// count.
func (ws *Workspace) shiftResidual(prior []complex128, mu float64, holo bool) {
	ns, p := ws.ns, ws.p
	ws.u = grow(ws.u, 2*p)
	vr, vi := ws.u[:p], ws.u[p:]
	for k, v := range prior {
		vr[k], vi[k] = real(v), imag(v)
		if !holo {
			vi[k] = 0
		}
	}
	parallel.For(ws.threads, (ns+rowChunk-1)/rowChunk, func(_, t int) {
		for s := t * rowChunk; s < min((t+1)*rowChunk, ns); s++ {
			a := ws.c[s*p : (s+1)*p]
			b := ws.c[(ns+s)*p : (ns+s+1)*p]
			ax, by, ay, bx := dot4(a, b, vr, vi)
			ws.e[s] -= mu * (ax - by)
			ws.e[ns+s] -= mu * (ay + bx)
		}
	})
}

// center fills w, mu, c and e from the samples and checks that the input is
// finite.
func (ws *Workspace) center(s *Samples) error {
	ns, p := s.Ns, s.P
	ws.ns, ws.p = ns, p
	ws.w = grow(ws.w, ns)
	if s.W == nil {
		for i := range ws.w {
			ws.w[i] = 1 / float64(ns)
		}
	} else {
		var sum float64
		for i, v := range s.W {
			if !(v >= 0) || math.IsInf(v, 1) {
				return fmt.Errorf("%w: weight W[%d] = %v", ErrNonFinite, i, v)
			}
			sum += v
		}
		if !(sum > 0) || math.IsInf(sum, 1) {
			return fmt.Errorf("%w: weights sum to %v", ErrNonFinite, sum)
		}
		for i, v := range s.W {
			ws.w[i] = v / sum
		}
	}
	// Samples of zero weight (configurations with ψ = 0 in an exact sum)
	// are skipped everywhere: their local energy and log-derivatives may
	// be infinite, and 0·Inf would be NaN.
	var meanE complex128
	for i, e := range s.E {
		if ws.w[i] != 0 {
			meanE += complex(ws.w[i], 0) * e
		}
	}
	if !finite(real(meanE)) || !finite(imag(meanE)) {
		for i, e := range s.E {
			if ws.w[i] != 0 && (!finite(real(e)) || !finite(imag(e))) {
				return fmt.Errorf("%w: E[%d] = %v", ErrNonFinite, i, e)
			}
		}
		return fmt.Errorf("%w: mean energy %v", ErrNonFinite, meanE)
	}
	ws.e = grow(ws.e, 2*ns)
	for i, e := range s.E {
		if ws.w[i] == 0 {
			ws.e[i], ws.e[ns+i] = 0, 0
			continue
		}
		sw := math.Sqrt(ws.w[i])
		ws.e[i] = sw * (real(e) - real(meanE))
		ws.e[ns+i] = sw * (imag(e) - imag(meanE))
	}

	// Means, by column chunks; each entry sums over s in order.
	ws.mu = grow(ws.mu, 2*p)
	mr, mi := ws.mu[:p], ws.mu[p:]
	clear(ws.mu)
	parallel.For(ws.threads, (p+colChunk-1)/colChunk, func(_, t int) {
		k0, k1 := t*colChunk, min((t+1)*colChunk, p)
		ar, ai := mr[k0:k1], mi[k0:k1]
		for i := 0; i < ns; i++ {
			if ws.w[i] != 0 {
				addScaled(ar, ai, s.O[i*p+k0:i*p+k1], ws.w[i])
			}
		}
	})
	// A NaN or infinite O_sk of a sample with weight makes its column's
	// mean non-finite, so checking the means suffices.
	for k := 0; k < p; k++ {
		if !finite(mr[k]) || !finite(mi[k]) {
			for i := 0; i < ns; i++ {
				if o := s.O[i*p+k]; ws.w[i] != 0 && (!finite(real(o)) || !finite(imag(o))) {
					return fmt.Errorf("%w: O[%d, %d] = %v", ErrNonFinite, i, k, o)
				}
			}
			return fmt.Errorf("%w: mean of O[:, %d] overflows", ErrNonFinite, k)
		}
	}

	ws.c = grow(ws.c, 2*ns*p)
	parallel.For(ws.threads, (ns+rowChunk-1)/rowChunk, func(_, t int) {
		for i := t * rowChunk; i < min((t+1)*rowChunk, ns); i++ {
			if ws.w[i] == 0 {
				clear(ws.c[i*p : (i+1)*p])
				clear(ws.c[(ns+i)*p : (ns+i+1)*p])
				continue
			}
			centerRow(ws.c[i*p:(i+1)*p], ws.c[(ns+i)*p:(ns+i+1)*p], s.O[i*p:(i+1)*p], mr, mi, math.Sqrt(ws.w[i]))
		}
	})
	return nil
}

// addScaled adds w·o into (ar, ai), the real and imaginary parts.
func addScaled(ar, ai []float64, o []complex128, w float64) {
	ar = ar[:len(o)]
	ai = ai[:len(o)]
	for k, v := range o {
		ar[k] += w * real(v)
		ai[k] += w * imag(v)
	}
}

// centerRow writes sw·(o − mean) split into real parts cr and imaginary
// parts ci.
func centerRow(cr, ci []float64, o []complex128, mr, mi []float64, sw float64) {
	cr = cr[:len(o)]
	ci = ci[:len(o)]
	mr = mr[:len(o)]
	mi = mi[:len(o)]
	for k, v := range o {
		cr[k] = sw * (real(v) - mr[k])
		ci[k] = sw * (imag(v) - mi[k])
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// adjoint computes x = Ōᴴu for u = ur + i·ui (length Ns):
//
//	x_k = Σ_s conj(Ō_sk) u_s
//
// by column chunks, each entry summed over s in order. With holo false only
// the real part xr is computed (xi is not touched): then xr = Cᵀ[ur; ui]
// for the stacked real matrix C = [Re Ō; Im Ō].
func (ws *Workspace) adjoint(xr, xi, ur, ui []float64, holo bool) {
	ns, p := ws.ns, ws.p
	parallel.For(ws.threads, (p+colChunk-1)/colChunk, func(_, t int) {
		k0, k1 := t*colChunk, min((t+1)*colChunk, p)
		yr := xr[k0:k1]
		clear(yr)
		var yi []float64
		if holo {
			yi = xi[k0:k1]
			clear(yi)
		}
		for s := 0; s < ns; s++ {
			a := ws.c[s*p+k0 : s*p+k1]
			b := ws.c[(ns+s)*p+k0 : (ns+s)*p+k1]
			axpy2(a, b, yr, yi, ur[s], ui[s])
		}
	})
}

// dot returns Σ a_k b_k with four partial sums (a fixed order).
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(a); k += 4 {
		s0 += a[k] * b[k]
		s1 += a[k+1] * b[k+1]
		s2 += a[k+2] * b[k+2]
		s3 += a[k+3] * b[k+3]
	}
	for ; k < len(a); k++ {
		s0 += a[k] * b[k]
	}
	return (s0 + s1) + (s2 + s3)
}

// apply computes y = (S + εI)v matrix-free, S v = Ōᴴ(Ō v) (real parts for
// holo false; then v and y have length P, else 2P: real then imaginary).
//
// One pass over Ō: each row's u_s = Ō_s·v is formed and at once added as
// conj(Ō_s)·u_s into a partial sum of its fixed block of rows (the rows
// are still in cache); the partial sums are then added in block order. The
// blocks depend on Ns only, so the result does not depend on the thread
// count.
func (ws *Workspace) apply(y, v []float64, eps float64, holo bool) {
	ns, p := ws.ns, ws.p
	n := len(v)
	rb := applyRowBlock(ns)
	nb := (ns + rb - 1) / rb
	ws.part = grow(ws.part, nb*n)
	parallel.For(ws.threads, nb, func(_, t int) {
		z := ws.part[t*n : (t+1)*n]
		clear(z)
		zr, zi := z[:p], []float64(nil)
		vr, vi := v[:p], v[:p]
		if holo {
			zi, vi = z[p:], v[p:]
		}
		for s := t * rb; s < min((t+1)*rb, ns); s++ {
			a := ws.c[s*p : (s+1)*p]
			b := ws.c[(ns+s)*p : (ns+s+1)*p]
			ax, by, ay, bx := dot4(a, b, vr, vi)
			if holo {
				axpy2(a, b, zr, zi, ax-by, ay+bx)
			} else {
				axpy2(a, b, zr, nil, ax, bx)
			}
		}
	})
	parallel.For(ws.threads, (n+colChunk-1)/colChunk, func(_, t int) {
		k0, k1 := t*colChunk, min((t+1)*colChunk, n)
		yk := y[k0:k1]
		copy(yk, ws.part[k0:k1])
		for b := 1; b < nb; b++ {
			zb := ws.part[b*n+k0 : b*n+k1]
			zb = zb[:len(yk)]
			for k := range yk {
				yk[k] += zb[k]
			}
		}
		vk := v[k0:k1]
		vk = vk[:len(yk)]
		for k := range yk {
			yk[k] += eps * vk[k]
		}
	})
}

// applyRowBlock returns the number of rows per partial sum of apply: at
// least 32, and at most 64 partial sums.
func applyRowBlock(ns int) int { return max(32, (ns+63)/64) }

// residual returns ‖(S+εI)x − F‖/‖F‖ for the solution in ws.x.
func (ws *Workspace) residual(eps float64, holo bool) float64 {
	n := ws.p
	if holo {
		n = 2 * ws.p
	}
	ws.q = grow(ws.q, n)
	ws.apply(ws.q, ws.x[:n], eps, holo)
	var rr, ff float64
	for k, v := range ws.f[:n] {
		d := ws.q[k] - v
		rr += d * d
		ff += v * v
	}
	if ff == 0 {
		return math.Sqrt(rr)
	}
	return math.Sqrt(rr / ff)
}

// solveCG runs conjugate gradients on (S + εI)x = F from x = 0. For
// holomorphic parameters the Hermitian system is run as the equivalent
// real symmetric one on [Re x; Im x]: all CG scalars of a Hermitian
// positive definite system are real. It returns the iteration count.
func (ws *Workspace) solveCG(eps float64, holo bool, tol float64, maxIter int) (int, error) {
	n := ws.p
	if holo {
		n = 2 * ws.p
	}
	x, f := ws.x[:n], ws.f[:n]
	ws.r = grow(ws.r, n)
	ws.z = grow(ws.z, n)
	ws.q = grow(ws.q, n)
	r, d, q := ws.r, ws.z, ws.q
	copy(r, f)
	copy(d, f)
	clear(x)
	rr := dot(r, r)
	ff := rr
	if ff == 0 {
		return 0, nil
	}
	stop := tol * tol * ff
	for it := 1; it <= maxIter; it++ {
		ws.apply(q, d, eps, holo)
		dq := dot(d, q)
		if !(dq > 0) || math.IsInf(dq, 1) {
			return it, fmt.Errorf("%w: CG curvature dᵀ(S+εI)d = %v", ErrNotPositiveDefinite, dq)
		}
		alpha := rr / dq
		for k := range x {
			x[k] += alpha * d[k]
			r[k] -= alpha * q[k]
		}
		rrNew := dot(r, r)
		if rrNew <= stop {
			return it, nil
		}
		beta := rrNew / rr
		rr = rrNew
		for k := range d {
			d[k] = r[k] + beta*d[k]
		}
	}
	return maxIter, fmt.Errorf("%w: relative residual %.3g after %d iterations (tolerance %.3g)",
		ErrNoConvergence, math.Sqrt(rr/ff), maxIter, tol)
}

// solveCholesky forms S + εI (P×P) with the packed product and solves
// (S + εI)x = F by Cholesky factorization.
func (ws *Workspace) solveCholesky(xr, xi []float64, eps float64, holo bool) error {
	p := ws.p
	mim := ws.formS(holo)
	for k := 0; k < p; k++ {
		ws.mre[k*p+k] += eps
	}
	if !ws.g.cholesky(ws.threads, ws.mre, mim, p, p) {
		return fmt.Errorf("%w (Cholesky of S + εI, P = %d)", ErrNotPositiveDefinite, p)
	}
	copy(xr, ws.f[:p])
	if holo {
		copy(xi, ws.f[p:])
		cholSolve(ws.mre, mim, p, p, xr, xi)
	} else {
		cholSolve(ws.mre, nil, p, p, xr, nil)
	}
	return nil
}

// formS writes the lower triangle of S (real parts, and for holo the
// imaginary parts, returned) into ws.mre and ws.mim, P×P row-major.
func (ws *Workspace) formS(holo bool) (mim []float64) {
	ns, p := ws.ns, ws.p
	ws.mre = grow(ws.mre, p*p)
	clear(ws.mre)
	if holo {
		ws.mim = grow(ws.mim, p*p)
		mim = ws.mim
		clear(mim)
		// Items are parameters, the reduction runs over samples:
		// Re S = AᵀA + BᵀB, Im S = AᵀB − BᵀA for Ō = A + iB.
		ops := []operand{
			{data: ws.c, off: 0, ld: p, items: p, colItems: true},
			{data: ws.c, off: ns * p, ld: p, items: p, colItems: true},
		}
		ws.g.run(ws.threads, ns, true, ops, []product{
			{c: ws.mre, ldc: p, x: 0, y: 0},
			{c: ws.mre, ldc: p, x: 1, y: 1},
			{c: mim, ldc: p, x: 0, y: 1},
			{c: mim, ldc: p, x: 1, y: 0, sub: true},
		})
	} else {
		// Re S = CᵀC with C = [A; B] stacked (2Ns×P).
		ops := []operand{{data: ws.c, ld: p, items: p, colItems: true}}
		ws.g.run(ws.threads, 2*ns, true, ops, []product{{c: ws.mre, ldc: p}})
	}
	return mim
}

// solveMinSR solves in sample space,
//
//	x = Ōᴴ (ŌŌᴴ + εI)⁻¹ ē,
//
// which equals (ŌᴴŌ + εI)⁻¹ Ōᴴē exactly (push-through identity). For real
// parameters Ō is replaced by the stacked real 2Ns×P matrix [Re Ō; Im Ō]
// and ē by [Re ē; Im ē].
func (ws *Workspace) solveMinSR(xr, xi []float64, eps float64, holo bool) error {
	ns := ws.ns
	n, mim := ws.formT(holo)
	for i := 0; i < n; i++ {
		ws.mre[i*n+i] += eps
	}
	if !ws.g.cholesky(ws.threads, ws.mre, mim, n, n) {
		return fmt.Errorf("%w (Cholesky of ŌŌᴴ + εI, dimension %d)", ErrNotPositiveDefinite, n)
	}
	ws.u = grow(ws.u, 2*ns)
	y := ws.u
	copy(y, ws.e)
	if holo {
		cholSolve(ws.mre, mim, n, n, y[:ns], y[ns:])
	} else {
		cholSolve(ws.mre, nil, n, n, y, nil)
	}
	ws.adjoint(xr, xi, y[:ns], y[ns:], holo)
	return nil
}

// formT writes the lower triangle of the sample-space matrix T = ŌŌᴴ
// (n = Ns, holo) or of CCᵀ for the stacked C = [Re Ō; Im Ō] (n = 2Ns) into
// ws.mre (and ws.mim, returned, for holo), n×n row-major.
func (ws *Workspace) formT(holo bool) (n int, mim []float64) {
	ns, p := ws.ns, ws.p
	n = 2 * ns
	if holo {
		n = ns
	}
	ws.mre = grow(ws.mre, n*n)
	clear(ws.mre)
	if holo {
		ws.mim = grow(ws.mim, n*n)
		mim = ws.mim
		clear(mim)
		// Items are samples, the reduction runs over parameters:
		// Re T = AAᵀ + BBᵀ, Im T = BAᵀ − ABᵀ for Ō = A + iB.
		ops := []operand{
			{data: ws.c, off: 0, ld: p, items: ns},
			{data: ws.c, off: ns * p, ld: p, items: ns},
		}
		ws.g.run(ws.threads, p, true, ops, []product{
			{c: ws.mre, ldc: n, x: 0, y: 0},
			{c: ws.mre, ldc: n, x: 1, y: 1},
			{c: mim, ldc: n, x: 1, y: 0},
			{c: mim, ldc: n, x: 0, y: 1, sub: true},
		})
	} else {
		ops := []operand{{data: ws.c, ld: p, items: n}}
		ws.g.run(ws.threads, p, true, ops, []product{{c: ws.mre, ldc: n}})
	}
	return n, mim
}

// Metric returns the dense S and F of the samples, for solvers that need
// the whole matrix (a pseudo-inverse): S as full P×P row-major real and
// imaginary parts (sIm is nil for real parameters, where S means Re S and
// F means Re F) and F as real and imaginary parts (fIm nil for real
// parameters). The slices belong to the workspace and are valid until its
// next use. S is formed with the same kernels as the Cholesky solver.
func (ws *Workspace) Metric(s Samples, holo bool, threads int) (sRe, sIm, fRe, fIm []float64, err error) {
	s.check()
	ws.threads = max(threads, 1)
	if err := ws.center(&s); err != nil {
		return nil, nil, nil, nil, err
	}
	p := s.P
	ws.f = grow(ws.f, 2*p)
	fRe, fIm = ws.f[:p], ws.f[p:]
	ws.adjoint(fRe, fIm, ws.e[:s.Ns], ws.e[s.Ns:], holo)
	if !holo {
		fIm = nil
	}
	sIm = ws.formS(holo)
	sRe = ws.mre
	for k := 0; k < p; k++ {
		for l := k + 1; l < p; l++ {
			sRe[k*p+l] = sRe[l*p+k]
			if sIm != nil {
				sIm[k*p+l] = -sIm[l*p+k]
			}
		}
	}
	return sRe, sIm, fRe, fIm, nil
}
