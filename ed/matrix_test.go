package ed

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

type opCase struct {
	name string
	op   hamiltonian.Operator
	nUp  int
}

// operatorCases covers every lattice kind, open and periodic boundaries,
// J2, XXZ anisotropy, Pauli units, the sign rule and the Ising model.
func operatorCases(t testing.TB) []opCase {
	hp := hamiltonian.HeisenbergParams{J: 1}
	return []opCase{
		{"chain10 J2=0.3", mustHeisenberg(t, mustLattice(t, lattice.Chain, []int{10}), hamiltonian.HeisenbergParams{J: 1, J2: 0.3}), 5},
		{"chain9 OBC XXZ Δ=0.4", mustHeisenberg(t, mustLattice(t, lattice.Chain, []int{9}, false), hamiltonian.HeisenbergParams{J: 1, Delta: 0.4}), 4},
		{"chain8 sign rule pauli", mustHeisenberg(t, mustLattice(t, lattice.Chain, []int{8}), hamiltonian.HeisenbergParams{J: 1, SignRule: true, Units: hamiltonian.Pauli}), 4},
		{"square 3×3 OBC", mustHeisenberg(t, mustLattice(t, lattice.Square, []int{3, 3}, false), hp), 5},
		{"triangular 3×3", mustHeisenberg(t, mustLattice(t, lattice.Triangular, []int{3, 3}), hp), 4},
		{"honeycomb 2×2", mustHeisenberg(t, mustLattice(t, lattice.Honeycomb, []int{2, 2}), hp), 4},
		{"kagome 2×2 S^z=3", mustHeisenberg(t, mustLattice(t, lattice.Kagome, []int{2, 2}), hp), 9},
		{"ising chain8 h=0.7", mustIsing(t, mustLattice(t, lattice.Chain, []int{8}), hamiltonian.IsingParams{J: 1, H: 0.7}), Unconstrained},
		{"ising square 2×4 OBC h=1.3 spin", mustIsing(t, mustLattice(t, lattice.Square, []int{2, 4}, false), hamiltonian.IsingParams{J: 1, H: 1.3, Units: hamiltonian.Spin}), Unconstrained},
		{"heisenberg chain6 full space", chainHeisenberg(t, 6, 0.2), Unconstrained},
		{"configuration-dependent exchange", varying{10}, 5},
	}
}

func randomVector(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

// TestProductsAgree compares the CSR and matrix-free products with the
// naive dense matrix and with james-bowman/sparse, and checks that the
// stored matrix is symmetric (hermiticity through Connected).
func TestProductsAgree(t *testing.T) {
	for ci, tc := range operatorCases(t) {
		b := mustBasis(t, tc.op.NumSites(), tc.nUp)
		dense := naiveDense(t, tc.op, b)
		dim := b.Dim()
		csr, err := NewCSR(tc.op, b, 3)
		if err != nil {
			t.Fatalf("case %d (%s): %v", ci, tc.name, err)
		}
		free, err := NewMatrixFree(tc.op, b, 3)
		if err != nil {
			t.Fatalf("case %d (%s): %v", ci, tc.name, err)
		}
		// The same entries through james-bowman/sparse.
		var rows, cols []int
		var vals []float64
		for i := 0; i < dim; i++ {
			csr.Row(i, func(j int, v float64) {
				rows, cols, vals = append(rows, i), append(cols, j), append(vals, v)
				if got := dense.At(i, j); got != v && !(i == j && got == 0 && v == 0) {
					t.Errorf("case %d (%s): CSR(%d,%d) = %g, naive %g", ci, tc.name, i, j, v, got)
				}
			})
		}
		var nnz int64
		for i := 0; i < dim; i++ {
			for j := 0; j < dim; j++ {
				if i != j && dense.At(i, j) != 0 {
					nnz++
				}
				if d := dense.At(i, j) - dense.At(j, i); math.Abs(d) > 1e-14 {
					t.Fatalf("case %d (%s): H not symmetric at (%d,%d)", ci, tc.name, i, j)
				}
			}
		}
		if nnz != csr.NNZ() {
			t.Errorf("case %d (%s): NNZ = %d, naive count %d", ci, tc.name, csr.NNZ(), nnz)
		}
		jb := sparse.NewCOO(dim, dim, rows, cols, vals).ToCSR()

		x := randomVector(dim, uint64(ci))
		want := make([]float64, dim)
		mat.NewVecDense(dim, want).MulVec(dense, mat.NewVecDense(dim, x))
		for name, mul := range map[string]func(dst []float64){
			"csr":         func(dst []float64) { csr.MulVec(dst, x) },
			"matrix-free": func(dst []float64) { free.MulVec(dst, x) },
			"bowman":      func(dst []float64) { jb.MulVecTo(dst, false, x) },
		} {
			got := make([]float64, dim)
			mul(got)
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
					t.Fatalf("case %d (%s): %s product row %d = %g, dense %g", ci, tc.name, name, i, got[i], want[i])
				}
			}
		}
		if err := free.Err(); err != nil {
			t.Errorf("case %d (%s): matrix-free error %v", ci, tc.name, err)
		}
	}
}

// TestProductThreadsBitwise checks that products do not depend on the
// number of goroutines.
func TestProductThreadsBitwise(t *testing.T) {
	smallBlocks(t)
	op := chainHeisenberg(t, 14, 0.4)
	b := mustBasis(t, 14, 7) // 3432 states: 14 row blocks
	x := randomVector(b.Dim(), 1)
	var ref []float64
	for _, th := range []int{1, 2, 5} {
		csr, err := NewCSR(op, b, th)
		if err != nil {
			t.Fatal(err)
		}
		free, _ := NewMatrixFree(op, b, th)
		y1 := make([]float64, b.Dim())
		y2 := make([]float64, b.Dim())
		csr.MulVec(y1, x)
		free.MulVec(y2, x)
		if ref == nil {
			ref = y1
		}
		for i := range y1 {
			if y1[i] != ref[i] {
				t.Fatalf("threads=%d: CSR row %d differs bitwise", th, i)
			}
			if math.Abs(y2[i]-ref[i]) > 1e-12 {
				t.Fatalf("threads=%d: matrix-free row %d = %g, CSR %g", th, i, y2[i], ref[i])
			}
		}
	}
}

// leaky is an operator that claims nothing about S^z and flips one spin.
type leaky struct{ n int }

func (l leaky) NumSites() int     { return l.n }
func (l leaky) MaxConnected() int { return 2 }
func (l leaky) Connected(x []int8, visit func([]int, float64)) {
	visit(nil, 1)
	visit([]int{0}, 0.5)
}

func TestSectorErrors(t *testing.T) {
	b := mustBasis(t, 6, 3)
	if _, err := NewCSR(leaky{6}, b, 2); err == nil || !strings.Contains(err.Error(), "outside the sector") {
		t.Errorf("NewCSR with a leaking operator: err = %v", err)
	}
	free, err := NewMatrixFree(leaky{6}, b, 2)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, b.Dim())
	free.MulVec(y, randomVector(b.Dim(), 1))
	if err := free.Err(); err == nil || !strings.Contains(err.Error(), "outside the sector") {
		t.Errorf("MatrixFree with a leaking operator: Err = %v", err)
	}
	if _, err := Solve(leaky{6}, 3, Options{Product: ProductMatrixFree, Method: Lanczos}); err == nil {
		t.Error("Solve with a leaking operator and matrix-free products gave no error")
	}
	ising := mustIsing(t, mustLattice(t, lattice.Chain, []int{6}), hamiltonian.IsingParams{J: 1, H: 1})
	if _, err := NewCSR(ising, b, 1); err == nil || !strings.Contains(err.Error(), "does not conserve") {
		t.Errorf("Ising with a field in a fixed sector: err = %v", err)
	}
	if _, err := NewCSR(ising, mustBasis(t, 7, Unconstrained), 1); err == nil {
		t.Error("size mismatch accepted")
	}
	// Without a field, Ising conserves S^z and any sector works.
	zz := mustIsing(t, mustLattice(t, lattice.Chain, []int{6}), hamiltonian.IsingParams{J: 1})
	if _, err := NewCSR(zz, b, 1); err != nil {
		t.Errorf("classical Ising in a sector: %v", err)
	}
}

// varying is an XY-type exchange on a ring whose off-diagonal elements
// depend on the configuration, symmetrically in x and x' (1/(3 + s + s') for
// bit strings s, s'), so that there are far more than 256 distinct values.
type varying struct{ n int }

func (v varying) NumSites() int     { return v.n }
func (v varying) MaxConnected() int { return v.n + 1 }
func (v varying) Connected(x []int8, visit func([]int, float64)) {
	s := ConfigToState(x)
	visit(nil, float64(s%7)-3)
	flips := make([]int, 2)
	for i := 0; i < v.n; i++ {
		j := (i + 1) % v.n
		if x[i] != x[j] {
			t := s ^ (1 << uint(i)) ^ (1 << uint(j))
			flips[0], flips[1] = i, j
			visit(flips, 1/(3+float64(s)+float64(t)))
		}
	}
}

// TestCSRValueStorage covers the three ways CSR stores values: a single
// value, palette codes, and float64 values when the palette overflows,
// including a matrix mixing coded and float64 blocks.
func TestCSRValueStorage(t *testing.T) {
	for ci, tc := range []struct {
		op      hamiltonian.Operator
		nUp     int
		single  bool
		floats  bool
		palette int
	}{
		{chainHeisenberg(t, 10, 0), 5, true, false, 1},
		{chainHeisenberg(t, 10, 0.3), 5, false, false, 2},
		{varying{10}, 5, false, true, 256},
		{varying{16}, 8, false, true, 256}, // 12870 rows: several blocks
	} {
		b := mustBasis(t, tc.op.NumSites(), tc.nUp)
		csr, err := NewCSR(tc.op, b, 2)
		if err != nil {
			t.Fatal(err)
		}
		floats := false
		for _, blk := range csr.blocks {
			if blk.val != nil {
				floats = true
			}
		}
		if csr.single != tc.single || floats != tc.floats || csr.npal != tc.palette {
			t.Errorf("case %d: single %v, float blocks %v, palette %d; want %v, %v, %d",
				ci, csr.single, floats, csr.npal, tc.single, tc.floats, tc.palette)
		}
		free, _ := NewMatrixFree(tc.op, b, 2)
		x := randomVector(b.Dim(), 5)
		y1 := make([]float64, b.Dim())
		y2 := make([]float64, b.Dim())
		csr.MulVec(y1, x)
		free.MulVec(y2, x)
		for i := range y1 {
			if math.Abs(y1[i]-y2[i]) > 1e-12*(1+math.Abs(y2[i])) {
				t.Fatalf("case %d: row %d: CSR %g, matrix-free %g", ci, i, y1[i], y2[i])
			}
		}
		var bytes int64 = 12 * int64(b.Dim())
		switch {
		case tc.single:
			bytes += 4 * csr.NNZ()
		case !tc.floats:
			bytes += 5 * csr.NNZ()
		}
		if !tc.floats && csr.Bytes() != bytes {
			t.Errorf("case %d: Bytes = %d, want %d", ci, csr.Bytes(), bytes)
		}
	}
}
