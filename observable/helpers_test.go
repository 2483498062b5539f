package observable

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/ed"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
	"github.com/vmc-lattice/vmc/vmc"
)

// e0Ring8 is the ground-state energy of the 8-site Heisenberg ring in spin-1/2
// units (shared/reference/energies.md).
const e0Ring8 = -3.651093408937

func chain(t testing.TB, n int) *lattice.Lattice {
	t.Helper()
	l, err := lattice.New(lattice.Chain, []int{n}, []bool{true})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func heisenberg(t testing.TB, l *lattice.Lattice, sign bool) *hamiltonian.Heisenberg {
	t.Helper()
	h, err := hamiltonian.NewHeisenberg(l, hamiltonian.HeisenbergParams{J: 1, Delta: 1, SignRule: sign})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func ising(t testing.TB, l *lattice.Lattice, h float64) *hamiltonian.Ising {
	t.Helper()
	op, err := hamiltonian.NewIsing(l, hamiltonian.IsingParams{J: 1, H: h})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func solve(t testing.TB, op hamiltonian.Operator, nUp, k int) *ed.Result {
	t.Helper()
	res, err := ed.Solve(op, nUp, ed.Options{K: k, Vector: true, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// table is an ansatz that stores log ψ of every basis state of an ED
// vector: an exact variational state, so that Monte Carlo estimates can be
// compared with ED without any variational error. ψ = 0 outside the basis.
type table struct {
	n    int
	logs map[uint64]complex128
}

func newTable(res *ed.Result) *table {
	t := &table{n: res.Basis.NumSites(), logs: make(map[uint64]complex128, len(res.Vector))}
	for k, v := range res.Vector {
		t.logs[res.Basis.State(k)] = cmplx.Log(complex(v, 0))
	}
	return t
}

func (t *table) log(s uint64) complex128 {
	if l, ok := t.logs[s]; ok {
		return l
	}
	return complex(math.Inf(-1), 0)
}

func (t *table) NumSites() int              { return t.n }
func (t *table) NumParams() int             { return 0 }
func (t *table) Holomorphic() bool          { return false }
func (t *table) Params([]complex128)        {}
func (t *table) SetParams([]complex128)     {}
func (t *table) LogPsi(x []int8) complex128 { return t.log(ed.ConfigToState(x)) }
func (t *table) NewCache(x []int8) ansatz.Cache {
	c := &tableCache{t: t}
	c.Reset(x)
	return c
}

type tableCache struct {
	t     *table
	x     []int8
	state uint64
}

func (c *tableCache) Reset(x []int8) {
	c.x = append(c.x[:0], x...)
	c.state = ed.ConfigToState(x)
}
func (c *tableCache) Config() []int8     { return c.x }
func (c *tableCache) LogPsi() complex128 { return c.t.log(c.state) }
func (c *tableCache) LogRatio(flips []int) complex128 {
	s := c.state
	for _, i := range flips {
		s ^= 1 << uint(i)
	}
	return c.t.log(s) - c.t.log(c.state)
}
func (c *tableCache) Accept(flips []int) {
	for _, i := range flips {
		c.x[i] = -c.x[i]
		c.state ^= 1 << uint(i)
	}
}
func (c *tableCache) LogDeriv([]complex128) {}

// exactBatch enumerates psi in the sector nUp.
func exactBatch(t testing.TB, psi ansatz.Ansatz, op hamiltonian.Operator, nUp int) *vmc.Batch {
	t.Helper()
	ex, err := vmc.NewExact(psi, op, nUp, 1)
	if err != nil {
		t.Fatal(err)
	}
	var b vmc.Batch
	ex.Sample(&b, false)
	return &b
}

// mcBatch draws one Monte Carlo batch of psi.
func mcBatch(t testing.TB, psi ansatz.Ansatz, op hamiltonian.Operator, opt vmc.Options) *vmc.Batch {
	t.Helper()
	s, err := vmc.NewSampler(psi, op, opt)
	if err != nil {
		t.Fatal(err)
	}
	var b vmc.Batch
	s.Sample(&b, false)
	return &b
}

func measureT(t testing.TB, b *vmc.Batch, psi ansatz.Ansatz, l *lattice.Lattice, spec Spec) []Entry {
	t.Helper()
	got, err := Measure(b, psi, l, spec)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func exactT(t testing.TB, res *ed.Result, l *lattice.Lattice, spec Spec) []Entry {
	t.Helper()
	got, err := Exact(res, l, spec)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// all selects every observable.
func all(nUp int, sign, byDist bool) Spec {
	return Spec{ZZ: true, XX: true, ByDistance: byDist, StructureFactor: true, Magnetization: true, NUp: nUp, SignRule: sign}
}
