package ed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/hilbert"
)

// Product selects how the Hamiltonian is applied to vectors.
type Product string

// Products.
const (
	// ProductAuto stores the matrix (CSR) when the estimated total memory
	// fits Options.MemoryBudget and falls back to MatrixFree otherwise.
	ProductAuto Product = "auto"
	// ProductCSR stores the matrix; see CSR.
	ProductCSR Product = "csr"
	// ProductMatrixFree applies H from Operator.Connected at every product;
	// see MatrixFree.
	ProductMatrixFree Product = "matrix-free"
)

// DefaultMemoryBudget returns the memory budget of Solve when Options
// leaves it zero: half the machine's physical memory (MemTotal in
// /proc/meminfo), or 4 GiB where that cannot be read. It does not depend on
// what other processes use at the moment, so the choice of product is the
// same from run to run on one machine.
func DefaultMemoryBudget() int64 {
	defaultBudgetOnce.Do(func() {
		defaultBudget = 4 << 30
		b, err := os.ReadFile("/proc/meminfo")
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				f := strings.Fields(v)
				if len(f) == 2 && f[1] == "kB" {
					if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil && kb > 0 {
						defaultBudget = kb * 1024 / 2
					}
				}
			}
		}
	})
	return defaultBudget
}

var (
	defaultBudgetOnce sync.Once
	defaultBudget     int64
)

// Options control Solve. The zero value gives the documented defaults.
type Options struct {
	// K is the number of lowest eigenvalues wanted, with multiplicity;
	// default 1.
	K int
	// Vector asks for the normalized ground-state vector in Result.Vector.
	Vector bool
	// MemoryBudget bounds the estimated memory of the basis, the stored
	// matrix and the Lanczos vectors, in bytes; default
	// DefaultMemoryBudget().
	MemoryBudget int64
	// Threads is the number of goroutines; ≤ 0 means GOMAXPROCS. Results
	// are bitwise identical for any value.
	Threads int
	// Product selects CSR or matrix-free products; "" means ProductAuto.
	Product Product
	// Method, Tol, MaxIter, Seed, BasisSize and DenseMax are passed to
	// Lowest; see Settings.
	Method    Method
	Tol       float64
	MaxIter   int
	Seed      uint64
	BasisSize int
	DenseMax  int
	// Symmetry, when set, restricts Solve to one real-character symmetry
	// (momentum) sector inside the S^z sector: see Symmetry,
	// NewMomentumBasis and NewMomentumCSR. Result.Dimension is then the
	// sector dimension, Result.Basis is nil and Result.Momentum is set;
	// only CSR products are supported, and Vector is an error.
	Symmetry *Symmetry
}

// Result of Solve.
type Result struct {
	// Energies are the K lowest eigenvalues, ascending, with multiplicity.
	Energies []float64
	// Residuals[i] = ‖H y_i − E_i y_i‖; see Eigen.Residuals.
	Residuals []float64
	// Vector is the normalized ground state in the order of Basis (nil
	// unless Options.Vector), with its largest component positive. Nil for
	// a complex Hamiltonian, whose ground state is ComplexVector.
	Vector []float64
	// Complex reports that the operator had complex elements (see
	// hamiltonian.ComplexOperator and HermitianCSR); ComplexVector then
	// holds the normalized ground state (with Options.Vector), its
	// largest component real and positive.
	Complex       bool
	ComplexVector []complex128
	// Basis of the sector; Dimension = Basis.Dim(). Nil with
	// Options.Symmetry, where Momentum holds the sector's basis instead.
	Basis     *Basis
	Momentum  *MomentumBasis
	Dimension int
	// NumUp is the sector (Unconstrained for the full space).
	NumUp int
	// Method and Product that ran.
	Method  Method
	Product Product
	// MatVecs counts products with H.
	MatVecs int
	// NNZ is the number of stored off-diagonal elements (CSR only).
	NNZ int64
	// Plan is the memory estimate that chose the product.
	Plan *Plan
	// BuildTime is the time spent building the basis and the matrix;
	// SolveTime the time spent in the eigensolver.
	BuildTime, SolveTime time.Duration
}

// Plan is the memory estimate of a Solve call, available before any large
// allocation (see NewPlan).
type Plan struct {
	Dimension int64
	Method    Method
	Product   Product
	// NNZ is the estimated number of off-diagonal elements, from a sample
	// of rows.
	NNZ int64
	// Bytes of the basis, of the stored matrix (0 for matrix-free), of the
	// solver's vectors, and their sum.
	BasisBytes, MatrixBytes, VectorBytes, TotalBytes int64
}

// String summarizes the plan in one line.
func (p *Plan) String() string {
	return fmt.Sprintf("dimension %d, %s with %s products, ~%d off-diagonal elements, memory ~%.3g GB (basis %.3g, matrix %.3g, vectors %.3g)",
		p.Dimension, p.Method, p.Product, p.NNZ, gb(p.TotalBytes), gb(p.BasisBytes), gb(p.MatrixBytes), gb(p.VectorBytes))
}

func gb(b int64) float64 { return float64(b) / 1e9 }

// nnzSamples is the number of random rows from which the number of
// off-diagonal elements is estimated.
const nnzSamples = 2000

// NewPlan estimates the dimension, solver, product and memory of Solve for
// op in the sector nUp, without building the basis. It returns an error when
// the sector is too large for a Basis or the estimate exceeds the budget even
// with matrix-free products.
func NewPlan(op hamiltonian.Operator, nUp int, opts Options) (*Plan, error) {
	o := opts.withDefaults()
	if cop, ok := hamiltonian.AsComplex(op); ok {
		return complexPlan(cop, nUp, o)
	}
	switch o.Product {
	case ProductAuto, ProductCSR, ProductMatrixFree:
	default:
		return nil, fmt.Errorf("ed: unknown product %q (want auto, csr or matrix-free)", o.Product)
	}
	switch o.Method {
	case Auto, Dense, Lanczos, ThickRestart:
	default:
		return nil, fmt.Errorf("ed: unknown method %q (want auto, dense, lanczos or thick-restart)", o.Method)
	}
	n := op.NumSites()
	dim, err := SectorDim(n, nUp)
	if err != nil {
		return nil, err
	}
	if n > MaxSites || dim > MaxDim {
		return nil, fmt.Errorf("ed: sector N=%d, %s has dimension %d, beyond exact diagonalization here (limits: N ≤ %d, dimension ≤ %d)",
			n, hilbert.SectorName(n, nUp), dim, MaxSites, MaxDim)
	}
	if int64(o.K) > dim {
		return nil, fmt.Errorf("ed: %d eigenvalues requested in a sector of dimension %d", o.K, dim)
	}
	nnz, distinct := sampleNNZ(op, n, nUp, dim)
	p := &Plan{Dimension: dim, NNZ: nnz}
	if nUp != Unconstrained {
		nlo := n / 2
		p.BasisBytes = 8*dim + 4*(int64(1)<<uint(nlo)+int64(1)<<uint(n-nlo))
	}
	p.Method = o.Method
	if p.Method == Auto {
		p.Method = Lanczos
		if dim <= int64(o.DenseMax) {
			p.Method = Dense
		}
	}
	k := int64(o.K)
	switch p.Method {
	case Dense:
		p.VectorBytes = 8 * dim * (3*dim + k)
	case ThickRestart:
		p.VectorBytes = 8 * dim * (int64(o.BasisSize) + 4 + k)
	default:
		p.VectorBytes = 8 * dim * (5 + k)
	}
	// Bytes per off-diagonal element: a 4-byte column, plus a 1-byte code
	// or, beyond the palette (see CSR), an 8-byte value. The sample may miss
	// rare values; the estimate then falls short by at most 8 bytes per
	// element.
	perElem := int64(4)
	switch {
	case distinct > 64:
		perElem = 12
	case distinct > 1:
		perElem = 5
	}
	csr := 12*dim + perElem*p.NNZ
	p.Product = o.Product
	if p.Method == Dense {
		p.Product = ProductCSR
	}
	if p.Product == ProductAuto {
		p.Product = ProductMatrixFree
		if p.BasisBytes+p.VectorBytes+csr <= o.MemoryBudget {
			p.Product = ProductCSR
		}
	}
	if p.Product == ProductCSR {
		p.MatrixBytes = csr
	}
	p.TotalBytes = p.BasisBytes + p.MatrixBytes + p.VectorBytes
	if p.TotalBytes > o.MemoryBudget {
		return p, fmt.Errorf("ed: %v: above the memory budget of %.3g GB", p, gb(o.MemoryBudget))
	}
	return p, nil
}

// sampleNNZ estimates the number of off-diagonal elements of op in the
// sector from nnzSamples pseudo-random rows (fixed seed), and counts their
// distinct values (up to 257).
func sampleNNZ(op hamiltonian.Operator, n, nUp int, dim int64) (nnz int64, distinct int) {
	samples := int64(nnzSamples)
	r := newRowVisitor(n, nil)
	values := make(map[float64]bool)
	r.seen = func(v float64) {
		if len(values) <= 256 {
			values[v] = true
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	perm := make([]int, n)
	var total int64
	if dim <= samples {
		// Small sector: count every row.
		b, err := NewBasis(n, nUp)
		if err != nil {
			return 0, 0
		}
		for k := 0; k < b.Dim(); k++ {
			r.row(op, b.State(k))
			total += int64(r.count)
		}
		return total, len(values)
	}
	for k := int64(0); k < samples; k++ {
		r.row(op, sampleState(rng, n, nUp, perm))
		total += int64(r.count)
	}
	return (total*dim + samples - 1) / samples, len(values)
}

// sampleState draws a uniformly random basis state of n sites with nUp up
// spins (any state when nUp is Unconstrained); perm is scratch of length n.
// Used to estimate the non-zeros of a matrix from a sample of its rows.
func sampleState(rng *rand.Rand, n, nUp int, perm []int) uint64 {
	if nUp == Unconstrained {
		return rng.Uint64() & (uint64(1)<<uint(n) - 1)
	}
	for i := range perm {
		perm[i] = i
	}
	rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	var s uint64
	for _, i := range perm[:nUp] {
		s |= 1 << uint(i)
	}
	return s
}

func (o Options) withDefaults() Options {
	if o.K <= 0 {
		o.K = 1
	}
	if o.MemoryBudget <= 0 {
		o.MemoryBudget = DefaultMemoryBudget()
	}
	if o.Product == "" {
		o.Product = ProductAuto
	}
	s := Settings{Method: o.Method, Tol: o.Tol, MaxIter: o.MaxIter, Threads: o.Threads, BasisSize: o.BasisSize, DenseMax: o.DenseMax}.withDefaults()
	o.Method, o.Tol, o.MaxIter, o.Threads, o.BasisSize, o.DenseMax = s.Method, s.Tol, s.MaxIter, s.Threads, s.BasisSize, s.DenseMax
	return o
}

// Solve computes the K lowest eigenvalues of op in the sector with nUp up
// spins (Unconstrained, -1, for the full 2^N space; see NumUp to convert a
// total S^z), and optionally the ground-state vector.
//
// It plans memory first (NewPlan), builds the Basis, then either the CSR
// matrix or the matrix-free product, and runs Lowest. The matrix comes from
// op.Connected only, so exact and variational energies share one definition
// of H.
//
// Solve is SolveContext with context.Background(): it cannot be stopped.
func Solve(op hamiltonian.Operator, nUp int, opts Options) (*Result, error) {
	return SolveContext(context.Background(), op, nUp, opts)
}

// SolveContext is Solve, stopped when ctx is done: the basis enumeration
// and the matrix construction check ctx between blocks of rows, the
// eigensolver (see LowestContext) between products, and matrix-free
// products between blocks of rows. A stopped solve returns no result and
// an error wrapping ctx.Err(), so errors.Is(err, context.Canceled) (or
// context.DeadlineExceeded) holds; it returns within about one block of
// rows or one sparse product (tens of milliseconds for N = 24 sectors).
// A solve that is not stopped gives exactly the results of Solve. It
// panics if ctx is nil.
func SolveContext(ctx context.Context, op hamiltonian.Operator, nUp int, opts Options) (*Result, error) {
	if ctx == nil {
		panic("ed: SolveContext with a nil context")
	}
	o := opts.withDefaults()
	if cop, ok := hamiltonian.AsComplex(op); ok {
		return solveComplex(ctx, cop, nUp, o)
	}
	if o.Symmetry != nil {
		return solveSymmetric(ctx, op, nUp, o)
	}
	plan, err := NewPlan(op, nUp, o)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	b, err := newBasis(ctx, op.NumSites(), nUp)
	if err != nil {
		return nil, err
	}
	res := &Result{Basis: b, Dimension: b.Dim(), NumUp: nUp, Plan: plan, Product: plan.Product}
	var a Matrix
	if plan.Product == ProductCSR {
		m, err := newCSR(ctx, op, b, o.Threads)
		if err != nil {
			return nil, err
		}
		res.NNZ = m.NNZ()
		a = m
	} else {
		m, err := NewMatrixFree(op, b, o.Threads)
		if err != nil {
			return nil, err
		}
		m.ctx = ctx
		a = m
	}
	res.BuildTime = time.Since(t0)
	t1 := time.Now()
	eig, err := LowestContext(ctx, a, o.K, &Settings{
		Method: o.Method, Tol: o.Tol, MaxIter: o.MaxIter, Seed: o.Seed,
		Threads: o.Threads, BasisSize: o.BasisSize, DenseMax: o.DenseMax,
		NoVectors: !o.Vector,
	})
	res.SolveTime = time.Since(t1)
	if err != nil {
		return nil, err
	}
	res.Energies = eig.Values
	res.Residuals = eig.Residuals
	res.Method = eig.Method
	res.MatVecs = eig.MatVecs
	if o.Vector {
		res.Vector = eig.Vectors[0]
	}
	return res, nil
}
