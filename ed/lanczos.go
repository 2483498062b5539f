package ed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Method selects the eigensolver.
type Method string

// Eigensolvers.
const (
	// Auto uses Dense for dimensions up to Settings.DenseMax and Lanczos
	// above.
	Auto Method = "auto"
	// Dense diagonalizes the full matrix (gonum mat.EigenSym): exact, O(n³)
	// time and 8n² bytes.
	Dense Method = "dense"
	// Lanczos is the plain three-term Lanczos recurrence, without
	// reorthogonalization, in two passes: the first builds the tridiagonal
	// matrix until the lowest Ritz pair converges, the second regenerates
	// the same Krylov vectors to accumulate the Ritz vector. It stores
	// five vectors (four without eigenvectors).
	Lanczos Method = "lanczos"
	// ThickRestart is Lanczos with full reorthogonalization in a basis of
	// at most Settings.BasisSize vectors, thick-restarted with the lowest
	// Ritz vectors (Wu and Simon) when the basis is full.
	ThickRestart Method = "thick-restart"
)

// Settings control Lowest. The zero value gives the documented defaults.
type Settings struct {
	// Method is the eigensolver; "" means Auto.
	Method Method
	// Tol is the convergence threshold on the residual of each eigenpair,
	//
	//	‖H y − θ y‖ ≤ Tol · ‖H‖,
	//
	// with ‖H‖ estimated by the largest |Ritz value|. The eigenvalue error
	// is of order (Tol·‖H‖)²/gap. Default 1e-10.
	Tol float64
	// MaxIter bounds the number of Lanczos steps (products) per eigenpair.
	// Default 5000.
	MaxIter int
	// Seed selects the pseudo-random start vectors (PCG, in blocks, so they
	// do not depend on Threads).
	Seed uint64
	// Threads is the number of goroutines for vector operations; ≤ 0 means
	// GOMAXPROCS. Results do not depend on it.
	Threads int
	// BasisSize is the number of Krylov vectors kept by ThickRestart;
	// default 40, at least 3.
	BasisSize int
	// DenseMax is the largest dimension Auto solves densely; default 256
	// (gonum's dense solver takes ~0.2 s there, plain Lanczos ~10 ms).
	DenseMax int
	// NoVectors skips returning eigenvectors. They are still computed for
	// deflation, except the last one, which saves Lanczos its second pass
	// (about half the products when k = 1).
	NoVectors bool
}

func (s Settings) withDefaults() Settings {
	if s.Method == "" {
		s.Method = Auto
	}
	if s.Tol <= 0 {
		s.Tol = 1e-10
	}
	if s.MaxIter <= 0 {
		s.MaxIter = 5000
	}
	s.Threads = defaultThreads(s.Threads)
	if s.BasisSize <= 0 {
		s.BasisSize = 40
	}
	s.BasisSize = max(s.BasisSize, 3)
	if s.DenseMax <= 0 {
		s.DenseMax = 256
	}
	return s
}

// Eigen holds the lowest eigenpairs of a symmetric matrix.
type Eigen struct {
	// Values in ascending order, with multiplicity.
	Values []float64
	// Vectors[i] is the normalized eigenvector of Values[i] (nil when
	// Settings.NoVectors). Its sign makes its largest component (the first
	// one, on ties) positive.
	Vectors [][]float64
	// Residuals[i] = ‖H y_i − θ_i y_i‖, computed explicitly from y_i,
	// except for the last eigenpair of a Lanczos run with NoVectors, which
	// is never formed: its residual is the recurrence's estimate
	// β_{j+1}·|s_j| (exact in exact arithmetic).
	Residuals []float64
	// MatVecs counts the products with H.
	MatVecs int
	// Method is the solver that ran (Dense, Lanczos or ThickRestart).
	Method Method
}

// ErrNotConverged is returned (wrapped) when a Lanczos run reaches
// Settings.MaxIter without meeting the tolerance.
var ErrNotConverged = errors.New("ed: Lanczos did not converge")

var errNaN = errors.New("ed: the Lanczos recurrence produced NaN or Inf (does the matrix hold NaN or Inf?)")

// errorer is implemented by matrices whose products can fail (MatrixFree).
type errorer interface{ Err() error }

// Lowest returns the k lowest eigenvalues of the symmetric matrix a, with
// multiplicity, and their eigenvectors.
//
// The Lanczos methods find one eigenpair per run: run r finds the lowest
// eigenpair of H restricted to the orthogonal complement of the r vectors
// already found (deflation by locking), starting from a fresh pseudo-random
// vector. A single Krylov space holds only one vector of each degenerate
// eigenspace; the fresh start of every run is what finds the other copies,
// so degenerate eigenvalues come out with their multiplicity. Every
// eigenpair is checked by an explicit residual; a run that fails the check
// is restarted from its Ritz vector.
//
// Memory: Lanczos stores 4 + k vectors of length n (4 when k = 1 and
// NoVectors), ThickRestart BasisSize + 3 + k, Dense about 3n² + nk float64s.
//
// References: C. Lanczos (1950); B. N. Parlett, The Symmetric Eigenvalue
// Problem (1998) ch. 13 for the two-pass Ritz vector and locking; K. Wu and
// H. Simon, SIAM J. Matrix Anal. Appl. 22, 602 (2000) for thick restart.
//
// Lowest is LowestContext with context.Background(): it cannot be stopped.
func Lowest(a Matrix, k int, set *Settings) (*Eigen, error) {
	return LowestContext(context.Background(), a, k, set)
}

// LowestContext is Lowest, stopped when ctx is done: it checks ctx before
// every product with a (every column of Dense) and then returns an error
// wrapping ctx.Err(), so errors.Is(err, context.Canceled) (or
// context.DeadlineExceeded) holds. A run that is not stopped gives exactly
// the results of Lowest. It panics if ctx is nil.
func LowestContext(ctx context.Context, a Matrix, k int, set *Settings) (*Eigen, error) {
	if ctx == nil {
		panic("ed: LowestContext with a nil context")
	}
	var s Settings
	if set != nil {
		s = *set
	}
	s = s.withDefaults()
	n := a.Dim()
	if k < 1 || k > n {
		return nil, fmt.Errorf("ed: %d eigenvalues requested of a %d×%d matrix", k, n, n)
	}
	method := s.Method
	if method == Auto {
		method = Lanczos
		if n <= s.DenseMax {
			method = Dense
		}
	}
	var (
		res *Eigen
		err error
	)
	switch method {
	case Dense:
		res, err = denseLowest(ctx, a, k)
	case Lanczos, ThickRestart:
		l := &lanczos{ctx: ctx, a: a, n: n, set: s, method: method, vec: newVec(n, s.Threads)}
		res, err = l.lowest(k)
	default:
		return nil, fmt.Errorf("ed: unknown method %q (want auto, dense, lanczos or thick-restart)", s.Method)
	}
	// A failed product (MatrixFree) explains any other failure.
	if e, ok := a.(errorer); ok {
		if perr := e.Err(); perr != nil {
			return nil, perr
		}
	}
	if err != nil {
		return nil, err
	}
	res.Method = method
	if s.NoVectors {
		res.Vectors = nil
	}
	return res, nil
}

// fixSign makes the largest-magnitude component of y positive.
func fixSign(y []float64) {
	best, bi := -1.0, 0
	for i, v := range y {
		if a := math.Abs(v); a > best {
			best, bi = a, i
		}
	}
	if len(y) > 0 && y[bi] < 0 {
		for i := range y {
			y[i] = -y[i]
		}
	}
}

// denseLowest builds the dense matrix column by column from products with
// unit vectors and diagonalizes it.
func denseLowest(ctx context.Context, a Matrix, k int) (*Eigen, error) {
	n := a.Dim()
	cols := make([]float64, n*n) // column j at cols[j*n:]
	e := make([]float64, n)
	for j := 0; j < n; j++ {
		if err := interrupted(ctx, "dense diagonalization"); err != nil {
			return nil, err
		}
		e[j] = 1
		a.MulVec(cols[j*n:(j+1)*n], e)
		e[j] = 0
	}
	sym := mat.NewSymDense(n, nil)
	var asym, norm float64
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			hij, hji := cols[j*n+i], cols[i*n+j]
			asym = math.Max(asym, math.Abs(hij-hji))
			norm = math.Max(norm, math.Abs(hij))
			sym.SetSym(i, j, 0.5*(hij+hji))
		}
	}
	if asym > 1e-12*math.Max(norm, 1) {
		return nil, fmt.Errorf("ed: the matrix is not symmetric (max |H_ij − H_ji| = %g)", asym)
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		return nil, errors.New("ed: dense eigendecomposition failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	res := &Eigen{Values: slices.Clone(vals[:k]), MatVecs: n}
	for i := 0; i < k; i++ {
		y := make([]float64, n)
		mat.Col(y, i, &vecs)
		fixSign(y)
		res.Vectors = append(res.Vectors, y)
	}
	res.Residuals = make([]float64, k)
	z := make([]float64, n)
	for i, y := range res.Vectors {
		if err := interrupted(ctx, "dense diagonalization"); err != nil {
			return nil, err
		}
		a.MulVec(z, y)
		var r float64
		for j := range z {
			d := z[j] - vals[i]*y[j]
			r += d * d
		}
		res.Residuals[i] = math.Sqrt(r)
	}
	return res, nil
}

// lanczos holds the state shared by the runs of one Lowest call.
type lanczos struct {
	ctx    context.Context // checked before every product
	a      Matrix
	n      int
	set    Settings
	method Method
	vec    *vec

	locked  [][]float64 // converged eigenvectors (orthonormal)
	matvecs int
	scale   float64 // running estimate of ‖H‖

	// Work vectors, allocated once and reused by every run and check so
	// that no large garbage accumulates between collections.
	work  [][]float64
	basis [][]float64 // thick-restart basis
}

// workVec returns work vector i (0 ≤ i < 3), allocating it on first use.
func (l *lanczos) workVec(i int) []float64 {
	for len(l.work) <= i {
		l.work = append(l.work, nil)
	}
	if l.work[i] == nil {
		l.work[i] = make([]float64, l.n)
	}
	return l.work[i]
}

func (l *lanczos) mulVec(dst, src []float64) {
	l.a.MulVec(dst, src)
	l.matvecs++
}

// stopped returns the wrapped error of l.ctx once it is done, else nil.
func (l *lanczos) stopped() error { return interrupted(l.ctx, "Lanczos") }

// randomVector fills v with uniform numbers in [-1, 1) from PCG streams
// seeded by (seed, run) and the block index.
func (l *lanczos) randomVector(v []float64, run int) {
	l.vec.each(func(c, lo, hi int) {
		r := rand.New(rand.NewPCG(l.set.Seed^0x9e3779b97f4a7c15*uint64(run+1), uint64(c)))
		for i := lo; i < hi; i++ {
			v[i] = 2*r.Float64() - 1
		}
	})
}

// orthonormalize projects v against the locked vectors and normalizes it.
// It returns false if nothing is left.
func (l *lanczos) orthonormalize(v []float64) bool {
	before := math.Sqrt(l.vec.dot(v, v))
	l.vec.project(v, l.locked, make([]float64, len(l.locked)))
	nrm := math.Sqrt(l.vec.dot(v, v))
	if nrm == 0 || nrm < 1e-10*before {
		return false
	}
	l.vec.scale(1/nrm, v, v)
	return true
}

func (l *lanczos) lowest(k int) (*Eigen, error) {
	res := &Eigen{}
	start := make([]float64, l.n)
	for r := 0; r < k; r++ {
		l.randomVector(start, r)
		if !l.orthonormalize(start) {
			return nil, fmt.Errorf("ed: no space left for eigenvalue %d of a %d×%d matrix", r, l.n, l.n)
		}
		var (
			theta, resid float64
			y            []float64
			err          error
		)
		// The last eigenvector is not needed when the caller does not want
		// vectors: plain Lanczos then skips its second pass and reports the
		// residual estimate of the recurrence.
		needVec := !l.set.NoVectors || r < k-1
		for attempt := 0; ; attempt++ {
			if err := l.stopped(); err != nil {
				return nil, err
			}
			if l.method == ThickRestart {
				y, err = l.thickRun(start)
			} else {
				y, theta, resid, err = l.plainRun(start, needVec)
			}
			if err != nil {
				return nil, fmt.Errorf("%w (eigenvalue %d)", err, r)
			}
			if y == nil {
				break
			}
			theta, resid = l.check(y)
			if resid <= 10*l.set.Tol*l.scale || attempt == 3 {
				break
			}
			// The Ritz vector is less accurate than the recurrence claimed
			// (loss of orthogonality): restart from it.
			copy(start, y)
			if !l.orthonormalize(start) {
				return nil, fmt.Errorf("ed: eigenvalue %d: restart vector vanished", r)
			}
		}
		if resid > 10*l.set.Tol*l.scale {
			return nil, fmt.Errorf("%w: eigenvalue %d has residual %.3g after %d products, want ≤ %.3g",
				ErrNotConverged, r, resid, l.matvecs, 10*l.set.Tol*l.scale)
		}
		res.Values = append(res.Values, theta)
		res.Residuals = append(res.Residuals, resid)
		if y != nil {
			fixSign(y)
		}
		res.Vectors = append(res.Vectors, y)
		if r < k-1 {
			l.locked = append(l.locked, y)
		}
	}
	// Runs find eigenvalues in ascending order up to the tolerance; sort
	// away ties broken by rounding.
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return res.Values[idx[i]] < res.Values[idx[j]] })
	out := &Eigen{MatVecs: l.matvecs}
	for _, i := range idx {
		out.Values = append(out.Values, res.Values[i])
		out.Residuals = append(out.Residuals, res.Residuals[i])
		out.Vectors = append(out.Vectors, res.Vectors[i])
	}
	return out, nil
}

// check normalizes y, makes it orthogonal to the locked vectors and returns
// its Rayleigh quotient and residual norm.
func (l *lanczos) check(y []float64) (theta, resid float64) {
	if !l.orthonormalize(y) {
		return math.NaN(), math.Inf(1)
	}
	z := l.workVec(0)
	l.mulVec(z, y)
	theta = l.vec.dot(y, z)
	l.vec.axpy(-theta, y, z)
	resid = math.Sqrt(l.vec.dot(z, z))
	l.scale = math.Max(l.scale, math.Abs(theta))
	return theta, resid
}

// plainRun finds the lowest eigenpair of H on the complement of the locked
// vectors from the unit vector start, by the two-pass plain Lanczos method.
// It returns the lowest Ritz value and its residual estimate, and the
// (unnormalized) Ritz vector when needVec is set.
func (l *lanczos) plainRun(start []float64, needVec bool) (y []float64, theta, resid float64, err error) {
	n := l.n
	v := l.workVec(0)
	u := l.workVec(1) // previous vector
	w := l.workVec(2)
	copy(v, start)
	clear(u)
	h := make([]float64, len(l.locked))
	var alpha, beta []float64 // beta[j] couples v_j and v_{j+1}
	var s, work []float64
	converged := false
	steps := 0
	for j := 0; j < l.set.MaxIter; j++ {
		if err := l.stopped(); err != nil {
			return nil, 0, 0, err
		}
		l.mulVec(w, v)
		a := l.vec.dot(w, v)
		var bPrev float64
		if j > 0 {
			bPrev = beta[j-1]
		}
		b2 := l.vec.lanczosUpdate(w, v, u, a, bPrev)
		if len(l.locked) > 0 {
			l.vec.project(w, l.locked, h)
			b2 = l.vec.dot(w, w)
		}
		b := math.Sqrt(b2)
		if math.IsNaN(a+b) || math.IsInf(a+b, 0) {
			return nil, 0, 0, errNaN
		}
		alpha = append(alpha, a)
		beta = append(beta, b)
		steps = j + 1

		// Convergence of the lowest Ritz pair of T_{j+1}.
		d, e := alpha, beta[:j]
		theta = triEigenvalue(d, e, 0)
		top := triEigenvalue(d, e, j)
		l.scale = math.Max(l.scale, math.Max(math.Abs(theta), math.Abs(top)))
		s = slices.Grow(s[:0], j+1)[:j+1]
		work = slices.Grow(work[:0], 4*(j+1))[:4*(j+1)]
		triEigenvector(d, e, theta, s, work)
		resid = b * math.Abs(s[j])
		if resid <= l.set.Tol*l.scale || b <= 1e-14*l.scale {
			converged = true
			break
		}
		u, v, w = v, w, u
		l.vec.scale(1/b, v, v)
	}
	if !converged {
		return nil, 0, 0, fmt.Errorf("%w after %d steps", ErrNotConverged, steps)
	}
	if !needVec {
		return nil, theta, resid, nil
	}

	// Pass 2: regenerate v_0 … v_{steps-1} and accumulate y = Σ s_j v_j.
	y = make([]float64, n)
	copy(v, start)
	clear(u)
	for j := 0; j < steps; j++ {
		l.vec.axpy(s[j], v, y)
		if j == steps-1 {
			break
		}
		if err := l.stopped(); err != nil {
			return nil, 0, 0, err
		}
		l.mulVec(w, v)
		var bPrev float64
		if j > 0 {
			bPrev = beta[j-1]
		}
		l.vec.lanczosUpdate(w, v, u, alpha[j], bPrev)
		if len(l.locked) > 0 {
			l.vec.project(w, l.locked, h)
		}
		u, v, w = v, w, u
		l.vec.scale(1/beta[j], v, v)
	}
	return y, theta, resid, nil
}

// thickRun finds the lowest eigenpair of H on the complement of the locked
// vectors from the unit vector start, by thick-restart Lanczos with full
// reorthogonalization in a basis of at most BasisSize vectors.
func (l *lanczos) thickRun(start []float64) ([]float64, error) {
	n, m := l.n, l.set.BasisSize
	if m > n-len(l.locked) {
		m = max(n-len(l.locked), 1)
	}
	if len(l.basis) < m+1 {
		l.basis = append(l.basis, make([][]float64, m+1-len(l.basis))...)
	}
	basis := l.basis[:m+1]
	if basis[0] == nil {
		basis[0] = make([]float64, n)
	}
	copy(basis[0], start)
	t := mat.NewSymDense(m+1, nil) // projected matrix VᵀHV
	h := make([]float64, m+1+len(l.locked))
	keep := 0 // Ritz vectors kept at the last restart
	var es mat.EigenSym
	var ritz mat.Dense
	for steps := 0; steps < l.set.MaxIter; {
		j := keep // index of the vector to expand
		for ; j < m; j++ {
			if basis[j+1] == nil {
				basis[j+1] = make([]float64, n)
			}
			if err := l.stopped(); err != nil {
				return nil, err
			}
			w := basis[j+1]
			l.mulVec(w, basis[j])
			steps++
			// Full reorthogonalization against the locked vectors and
			// V[0..j]; the coefficients on V are column j of T.
			q := append(slices.Clone(l.locked), basis[:j+1]...)
			l.vec.project(w, q, h[:len(q)])
			hv := h[len(l.locked):len(q)]
			for i := keep; i <= j; i++ {
				t.SetSym(i, j, hv[i])
			}
			if j == keep {
				for i := 0; i < keep; i++ {
					t.SetSym(i, j, hv[i])
				}
			}
			b := math.Sqrt(l.vec.dot(w, w))
			if math.IsNaN(b) || math.IsInf(b, 0) {
				return nil, errNaN
			}

			sub := t.SliceSym(0, j+1).(*mat.SymDense)
			if !es.Factorize(sub, true) {
				return nil, errors.New("ed: eigendecomposition of the projected matrix failed")
			}
			vals := es.Values(nil)
			l.scale = math.Max(l.scale, math.Max(math.Abs(vals[0]), math.Abs(vals[j])))
			ritz.Reset()
			es.VectorsTo(&ritz)
			resid := b * math.Abs(ritz.At(j, 0))
			if resid <= l.set.Tol*l.scale || b <= 1e-14*l.scale || j+1 >= n-len(l.locked) || steps >= l.set.MaxIter {
				if resid > l.set.Tol*l.scale && b > 1e-14*l.scale && j+1 < n-len(l.locked) {
					return nil, fmt.Errorf("%w after %d steps", ErrNotConverged, steps)
				}
				s := make([]float64, j+1)
				mat.Col(s, 0, &ritz)
				y := make([]float64, n)
				for i := 0; i <= j; i++ {
					l.vec.axpy(s[i], basis[i], y)
				}
				return y, nil
			}
			if j+1 < m {
				t.SetSym(j, j+1, b)
			}
			l.vec.scale(1/b, w, w)
			if j == m-1 {
				// Thick restart: keep the lowest Ritz vectors and the
				// residual direction basis[m].
				keep = max(1, min(m/2, m-2))
				l.restart(basis, &ritz, keep, j+1)
				t.Zero()
				for i := 0; i < keep; i++ {
					t.SetSym(i, i, vals[i])
				}
				basis[keep], basis[m] = basis[m], basis[keep]
			}
		}
	}
	return nil, fmt.Errorf("%w after %d steps", ErrNotConverged, l.set.MaxIter)
}

// restart replaces basis[0..keep) by the Ritz vectors V·S[:, 0..keep) of the
// first size basis vectors, in place, block by block.
func (l *lanczos) restart(basis [][]float64, s *mat.Dense, keep, size int) {
	coef := make([]float64, size*keep) // coef[i*keep+c] = S[i][c]
	for i := 0; i < size; i++ {
		for c := 0; c < keep; c++ {
			coef[i*keep+c] = s.At(i, c)
		}
	}
	l.vec.each(func(_, lo, hi int) {
		tmp := make([]float64, (hi-lo)*keep)
		for c := 0; c < keep; c++ {
			out := tmp[c*(hi-lo) : (c+1)*(hi-lo)]
			for i := 0; i < size; i++ {
				a := coef[i*keep+c]
				src := basis[i][lo:hi]
				for p := range out {
					out[p] += a * src[p]
				}
			}
		}
		for c := 0; c < keep; c++ {
			copy(basis[c][lo:hi], tmp[c*(hi-lo):(c+1)*(hi-lo)])
		}
	})
}
