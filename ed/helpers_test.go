package ed

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

// Test helpers shared by the test files.

func mustLattice(t testing.TB, kind lattice.Kind, extent []int, pbc ...bool) *lattice.Lattice {
	t.Helper()
	if len(pbc) == 0 {
		pbc = []bool{true}
	}
	l, err := lattice.New(kind, extent, pbc)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustHeisenberg(t testing.TB, l *lattice.Lattice, p hamiltonian.HeisenbergParams) *hamiltonian.Heisenberg {
	t.Helper()
	if p.Delta == 0 {
		p.Delta = 1
	}
	op, err := hamiltonian.NewHeisenberg(l, p)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func mustIsing(t testing.TB, l *lattice.Lattice, p hamiltonian.IsingParams) *hamiltonian.Ising {
	t.Helper()
	op, err := hamiltonian.NewIsing(l, p)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func chainHeisenberg(t testing.TB, n int, j2 float64) *hamiltonian.Heisenberg {
	return mustHeisenberg(t, mustLattice(t, lattice.Chain, []int{n}), hamiltonian.HeisenbergParams{J: 1, J2: j2})
}

func mustBasis(t testing.TB, n, nUp int) *Basis {
	t.Helper()
	b, err := NewBasis(n, nUp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// naiveDense builds the matrix of op on b the slow, obvious way, independent
// of the package's bit masks: flip the spins of an []int8 copy of the
// configuration and look the result up with FromConfig and Index.
func naiveDense(t testing.TB, op hamiltonian.Operator, b *Basis) *mat.Dense {
	t.Helper()
	n, dim := b.NumSites(), b.Dim()
	h := mat.NewDense(dim, dim, nil)
	x := make([]int8, n)
	y := make([]int8, n)
	for i := 0; i < dim; i++ {
		b.ToConfig(b.State(i), x)
		op.Connected(x, func(flips []int, mel float64) {
			copy(y, x)
			for _, s := range flips {
				y[s] = -y[s]
			}
			j := b.Index(b.FromConfig(y))
			if j < 0 {
				t.Fatalf("row %d connects outside the sector", i)
			}
			h.Set(i, j, h.At(i, j)+mel)
		})
	}
	return h
}

// denseSpectrum returns the eigenvalues (ascending) of the symmetric matrix
// h, failing if h is not symmetric.
func denseSpectrum(t testing.TB, h *mat.Dense) []float64 {
	t.Helper()
	n, _ := h.Dims()
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			if d := h.At(i, j) - h.At(j, i); d > 1e-13 || d < -1e-13 {
				t.Fatalf("matrix not symmetric at (%d,%d): %g vs %g", i, j, h.At(i, j), h.At(j, i))
			}
			s.SetSym(i, j, h.At(i, j))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(s, false) {
		t.Fatal("EigenSym failed")
	}
	return es.Values(nil)
}

func relDiff(a, b float64) float64 {
	d := a - b
	if d < 0 {
		d = -d
	}
	m := b
	if m < 0 {
		m = -m
	}
	if m < 1 {
		m = 1
	}
	return d / m
}

// smallBlocks shrinks the row blocks and vector chunks for the duration of a
// test, so that the parallel code paths run on small problems.
func smallBlocks(t testing.TB) {
	rb, vc := rowBlock, vecChunk
	rowBlock, vecChunk = 256, 512
	t.Cleanup(func() { rowBlock, vecChunk = rb, vc })
}
