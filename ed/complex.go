package ed

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"time"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/hilbert"
	"github.com/vmc-lattice/vmc/internal/parallel"
)

// HermitianCSR is a complex Hermitian operator H = A + iB stored in
// compressed sparse rows (int32 columns, complex128 values), seen as the
// real symmetric matrix of twice its dimension
//
//	M = [ A  −B ]
//	    [ B   A ]
//
// acting on [u; v], the real and imaginary parts of a complex vector
// u + iv: M [u; v] = [Au − Bv; Bu + Av] is H(u + iv). Every eigenvalue E of
// H is an eigenvalue of M twice, with eigenvectors [u; v] and [−v; u]
// (ψ and iψ), so the real symmetric eigensolvers of this package apply
// unchanged; Solve takes every other eigenvalue of M. The embedding was
// chosen over a complex Lanczos because it reuses the tested, deterministic
// solvers (locking, thick restart, dense) at the price of vectors twice as
// long.
//
// Rows are built serially and multiplied in parallel over blocks of rows,
// each row by one goroutine: products are bitwise identical for any number
// of threads.
type HermitianCSR struct {
	dim     int
	threads int
	diag    []float64
	rowPtr  []int64
	col     []int32
	val     []complex128
}

// NewHermitianCSR builds the matrix of op on basis b from
// op.ConnectedComplex, with threads goroutines for products (≤ 0:
// GOMAXPROCS). It returns an error when op connects a basis state to a
// state outside the sector, has a complex diagonal element, or the sizes do
// not match.
func NewHermitianCSR(op hamiltonian.ComplexOperator, b *Basis, threads int) (*HermitianCSR, error) {
	return newHermitianCSR(context.Background(), op, b, threads)
}

func newHermitianCSR(ctx context.Context, op hamiltonian.ComplexOperator, b *Basis, threads int) (*HermitianCSR, error) {
	if err := checkSites(op, b); err != nil {
		return nil, err
	}
	n, dim := b.NumSites(), b.Dim()
	m := &HermitianCSR{dim: dim, threads: defaultThreads(threads), diag: make([]float64, dim), rowPtr: make([]int64, dim+1)}
	x := make([]int8, n)
	var (
		s    uint64
		d    complex128
		ferr error
	)
	visit := func(flips []int, mel complex128) {
		var mask uint64
		for _, i := range flips {
			if uint(i) >= uint(n) {
				if ferr == nil {
					ferr = fmt.Errorf("ed: operator flips site %d of a %d-site configuration", i, n)
				}
				return
			}
			mask ^= 1 << uint(i)
		}
		if mask == 0 {
			d += mel
			return
		}
		if mel == 0 {
			return
		}
		j := b.Index(s ^ mask)
		if j < 0 {
			if ferr == nil {
				ferr = fmt.Errorf("ed: operator connects state %#x to %#x outside the sector %s; does it conserve S^z?",
					s, s^mask, hilbert.SectorName(n, b.NumUp()))
			}
			return
		}
		m.col = append(m.col, int32(j))
		m.val = append(m.val, mel)
	}
	for i := 0; i < dim; i++ {
		if i%rowBlock == 0 {
			if err := interrupted(ctx, "matrix construction"); err != nil {
				return nil, err
			}
		}
		s, d = b.State(i), 0
		StateToConfig(s, x)
		op.ConnectedComplex(x, visit)
		if ferr != nil {
			return nil, ferr
		}
		if math.Abs(imag(d)) > 1e-12*math.Max(1, cmplx.Abs(d)) {
			return nil, fmt.Errorf("ed: diagonal element %v of state %#x is not real: the operator is not Hermitian", d, s)
		}
		m.diag[i] = real(d)
		m.rowPtr[i+1] = int64(len(m.col))
	}
	return m, nil
}

// Dim returns 2·dim, the dimension of the real embedding.
func (m *HermitianCSR) Dim() int { return 2 * m.dim }

// NNZ returns the number of stored off-diagonal elements of H.
func (m *HermitianCSR) NNZ() int64 { return int64(len(m.col)) }

// MulVec sets dst = M·src for the real embedding M (see HermitianCSR).
func (m *HermitianCSR) MulVec(dst, src []float64) {
	n := m.dim
	checkLen("HermitianCSR.MulVec", 2*n, dst, src)
	u, v := src[:n], src[n:]
	parallel.For(m.threads, numBlocks(n, rowBlock), func(_, c int) {
		lo, hi := blockRange(c, rowBlock, n)
		for i := lo; i < hi; i++ {
			re := m.diag[i] * u[i]
			im := m.diag[i] * v[i]
			for k := m.rowPtr[i]; k < m.rowPtr[i+1]; k++ {
				j := m.col[k]
				a, b := real(m.val[k]), imag(m.val[k])
				re += a*u[j] - b*v[j]
				im += b*u[j] + a*v[j]
			}
			dst[i], dst[n+i] = re, im
		}
	})
}

// complexPlan is NewPlan for an operator with complex elements: CSR
// products on the real embedding, whose vectors are twice as long.
func complexPlan(op hamiltonian.ComplexOperator, nUp int, o Options) (*Plan, error) {
	n := op.NumSites()
	dim, err := SectorDim(n, nUp)
	if err != nil {
		return nil, err
	}
	if n > MaxSites || 2*dim > MaxDim {
		return nil, fmt.Errorf("ed: sector N=%d, %s has dimension %d, beyond exact diagonalization of a complex Hamiltonian here (limits: N ≤ %d, 2·dimension ≤ %d)",
			n, hilbert.SectorName(n, nUp), dim, MaxSites, MaxDim)
	}
	if int64(o.K) > dim {
		return nil, fmt.Errorf("ed: %d eigenvalues requested in a sector of dimension %d", o.K, dim)
	}
	if o.Symmetry != nil {
		return nil, fmt.Errorf("ed: momentum sectors are not supported for complex Hamiltonians")
	}
	if o.Product == ProductMatrixFree {
		return nil, fmt.Errorf("ed: matrix-free products are not supported for complex Hamiltonians")
	}
	p := &Plan{Dimension: dim, Product: ProductCSR, NNZ: sampleNNZComplex(op, n, nUp, dim)}
	if nUp != Unconstrained {
		nlo := n / 2
		p.BasisBytes = 8*dim + 4*(int64(1)<<uint(nlo)+int64(1)<<uint(n-nlo))
	}
	p.Method = o.Method
	if p.Method == Auto {
		p.Method = Lanczos
		if 2*dim <= int64(o.DenseMax) {
			p.Method = Dense
		}
	}
	k, d2 := 2*int64(o.K), 2*dim
	switch p.Method {
	case Dense:
		p.VectorBytes = 8 * d2 * (3*d2 + k)
	case ThickRestart:
		p.VectorBytes = 8 * d2 * (int64(o.BasisSize) + 4 + k)
	default:
		p.VectorBytes = 8 * d2 * (5 + k)
	}
	p.MatrixBytes = 16*dim + 20*p.NNZ
	p.TotalBytes = p.BasisBytes + p.MatrixBytes + p.VectorBytes
	if p.TotalBytes > o.MemoryBudget {
		return p, fmt.Errorf("ed: %v: above the memory budget of %.3g GB", p, gb(o.MemoryBudget))
	}
	return p, nil
}

// sampleNNZComplex is sampleNNZ for complex operators (without the count
// of distinct values, which the complex CSR does not use).
func sampleNNZComplex(op hamiltonian.ComplexOperator, n, nUp int, dim int64) int64 {
	x := make([]int8, n)
	var count int64
	visit := func(flips []int, mel complex128) {
		if len(flips) > 0 && mel != 0 {
			count++
		}
	}
	if dim <= nnzSamples {
		b, err := NewBasis(n, nUp)
		if err != nil {
			return 0
		}
		for k := 0; k < b.Dim(); k++ {
			StateToConfig(b.State(k), x)
			op.ConnectedComplex(x, visit)
		}
		return count
	}
	rng := rand.New(rand.NewPCG(1, 2))
	perm := make([]int, n)
	for range nnzSamples {
		StateToConfig(sampleState(rng, n, nUp, perm), x)
		op.ConnectedComplex(x, visit)
	}
	return (count*dim + nnzSamples - 1) / nnzSamples
}

// solveComplex is SolveContext for an operator with complex elements: the
// K lowest eigenvalues of H are every other one of the 2K lowest of its
// real embedding (see HermitianCSR).
func solveComplex(ctx context.Context, op hamiltonian.ComplexOperator, nUp int, o Options) (*Result, error) {
	plan, err := complexPlan(op, nUp, o)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	b, err := newBasis(ctx, op.NumSites(), nUp)
	if err != nil {
		return nil, err
	}
	m, err := newHermitianCSR(ctx, op, b, o.Threads)
	if err != nil {
		return nil, err
	}
	res := &Result{Basis: b, Dimension: b.Dim(), NumUp: nUp, Plan: plan, Product: ProductCSR, NNZ: m.NNZ(), Complex: true}
	res.BuildTime = time.Since(t0)
	t1 := time.Now()
	eig, err := LowestContext(ctx, m, 2*o.K, &Settings{
		Method: o.Method, Tol: o.Tol, MaxIter: o.MaxIter, Seed: o.Seed,
		Threads: o.Threads, BasisSize: o.BasisSize, DenseMax: o.DenseMax,
		NoVectors: !o.Vector,
	})
	res.SolveTime = time.Since(t1)
	if err != nil {
		return nil, err
	}
	for k := 0; k < o.K; k++ {
		res.Energies = append(res.Energies, eig.Values[2*k])
		res.Residuals = append(res.Residuals, eig.Residuals[2*k])
	}
	res.Method, res.MatVecs = eig.Method, eig.MatVecs
	if o.Vector {
		res.ComplexVector = complexGround(eig.Vectors[0])
	}
	return res, nil
}

// complexGround returns u + iv for the embedding eigenvector [u; v], with
// the global phase that makes its largest-magnitude component (the first
// one, on ties) real and positive.
func complexGround(y []float64) []complex128 {
	n := len(y) / 2
	out := make([]complex128, n)
	best, bi := -1.0, 0
	for i := range out {
		out[i] = complex(y[i], y[n+i])
		if a := cmplx.Abs(out[i]); a > best*(1+1e-12) {
			best, bi = a, i
		}
	}
	ph := cmplx.Conj(out[bi]) / complex(cmplx.Abs(out[bi]), 0)
	var norm float64
	for i := range out {
		out[i] *= ph
		norm += real(out[i])*real(out[i]) + imag(out[i])*imag(out[i])
	}
	s := complex(1/math.Sqrt(norm), 0)
	for i := range out {
		out[i] *= s
	}
	return out
}
