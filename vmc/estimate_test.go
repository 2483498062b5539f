package vmc

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/hamiltonian"
	"github.com/vmc-lattice/vmc/lattice"
)

// jastrow is a test-only ansatz, independent of package ansatz's models:
//
//	log ψ(x) = Σ_i a_i x_i + Σ_{i<j} J_ij x_i x_j
//
// with complex parameters in the order a (N), then J_ij for i < j
// (row by row). Its cache keeps the fields h_i = a_i + Σ_{j≠i} J_ij x_j.
type jastrow struct {
	n int
	a []complex128
	j []complex128 // N×N, symmetric, zero diagonal
}

func newJastrow(n int) *jastrow {
	return &jastrow{n: n, a: make([]complex128, n), j: make([]complex128, n*n)}
}

// randomJastrow returns a Jastrow ansatz with parameters of real and
// imaginary parts scale times standard normal variates.
func randomJastrow(n int, scale float64, seed uint64) *jastrow {
	r := rand.New(rand.NewPCG(seed, 7))
	psi := newJastrow(n)
	p := make([]complex128, psi.NumParams())
	for k := range p {
		p[k] = complex(scale*r.NormFloat64(), scale*r.NormFloat64())
	}
	psi.SetParams(p)
	return psi
}

func (m *jastrow) NumSites() int     { return m.n }
func (m *jastrow) NumParams() int    { return m.n + m.n*(m.n-1)/2 }
func (m *jastrow) Holomorphic() bool { return true }

func (m *jastrow) Params(dst []complex128) {
	k := copy(dst, m.a)
	for i := range m.n {
		for j := i + 1; j < m.n; j++ {
			dst[k] = m.j[i*m.n+j]
			k++
		}
	}
}

func (m *jastrow) SetParams(p []complex128) {
	k := copy(m.a, p)
	for i := range m.n {
		for j := i + 1; j < m.n; j++ {
			m.j[i*m.n+j], m.j[j*m.n+i] = p[k], p[k]
			k++
		}
	}
}

func (m *jastrow) LogPsi(x []int8) complex128 {
	var l complex128
	for i := range m.n {
		l += m.a[i] * complex(float64(x[i]), 0)
		for j := i + 1; j < m.n; j++ {
			l += m.j[i*m.n+j] * complex(float64(x[i]*x[j]), 0)
		}
	}
	return l
}

func (m *jastrow) NewCache(x []int8) ansatz.Cache {
	c := &jastrowCache{m: m, x: make([]int8, m.n), h: make([]complex128, m.n), in: make([]bool, m.n)}
	c.Reset(x)
	return c
}

type jastrowCache struct {
	m  *jastrow
	x  []int8
	h  []complex128
	in []bool // scratch: membership in the flip set
}

func (c *jastrowCache) Reset(x []int8) {
	copy(c.x, x)
	n := c.m.n
	for i := range n {
		h := c.m.a[i]
		for j := range n {
			h += c.m.j[i*n+j] * complex(float64(x[j]), 0)
		}
		c.h[i] = h
	}
}

func (c *jastrowCache) Config() []int8     { return c.x }
func (c *jastrowCache) LogPsi() complex128 { return c.m.LogPsi(c.x) }

// LogRatio: Δ = −2 Σ_{i∈F} x_i (h_i − Σ_{k∈F} J_ik x_k).
func (c *jastrowCache) LogRatio(flips []int) complex128 {
	n := c.m.n
	var d complex128
	for _, i := range flips {
		h := c.h[i]
		for _, k := range flips {
			h -= c.m.j[i*n+k] * complex(float64(c.x[k]), 0)
		}
		d += complex(float64(c.x[i]), 0) * h
	}
	return -2 * d
}

func (c *jastrowCache) Accept(flips []int) {
	n := c.m.n
	for _, i := range flips {
		xi := complex(float64(c.x[i]), 0)
		for k := range n {
			c.h[k] -= 2 * c.m.j[k*n+i] * xi
		}
		c.x[i] = -c.x[i]
	}
}

func (c *jastrowCache) LogDeriv(dst []complex128) {
	n := c.m.n
	for i := range n {
		dst[i] = complex(float64(c.x[i]), 0)
	}
	k := n
	for i := range n {
		for j := i + 1; j < n; j++ {
			dst[k] = complex(float64(c.x[i]*c.x[j]), 0)
			k++
		}
	}
}

// chainLattice returns a chain of n sites.
func chainLattice(t testing.TB, n int, pbc bool) *lattice.Lattice {
	t.Helper()
	l, err := lattice.New(lattice.Chain, []int{n}, []bool{pbc})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func heisenberg(t testing.TB, n int, pbc, signRule bool) hamiltonian.Operator {
	t.Helper()
	h, err := hamiltonian.NewHeisenberg(chainLattice(t, n, pbc), hamiltonian.HeisenbergParams{J: 1, Delta: 1, SignRule: signRule})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func ising(t testing.TB, n int, h float64) hamiltonian.Operator {
	t.Helper()
	op, err := hamiltonian.NewIsing(chainLattice(t, n, true), hamiltonian.IsingParams{J: 1, H: h})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// randomRBM returns a complex (or real) RBM with parameters scale·N(0, 1).
func randomRBM(n, alpha int, holomorphic bool, scale float64, seed uint64) *ansatz.RBM {
	r := ansatz.NewRBM(n, alpha, holomorphic)
	r.InitRandom(rand.New(rand.NewPCG(seed, 11)), scale)
	return r
}

// TestJastrowCache checks the test ansatz itself: cached log-ratios, accepted
// moves and log-derivatives against direct evaluation.
func TestJastrowCache(t *testing.T) {
	const n = 7
	psi := randomJastrow(n, 0.3, 1)
	r := rand.New(rand.NewPCG(2, 2))
	x := make([]int8, n)
	for i := range x {
		x[i] = int8(2*r.IntN(2) - 1)
	}
	c := psi.NewCache(x)
	for step := range 200 {
		k := 1 + r.IntN(n)
		flips := r.Perm(n)[:k]
		y := append([]int8(nil), c.Config()...)
		for _, i := range flips {
			y[i] = -y[i]
		}
		want := psi.LogPsi(y) - psi.LogPsi(c.Config())
		if got := c.LogRatio(flips); cmplx.Abs(got-want) > 1e-12 {
			t.Fatalf("step %d: LogRatio = %v, want %v", step, got, want)
		}
		c.Accept(flips)
		if got, want := c.LogPsi(), psi.LogPsi(y); cmplx.Abs(got-want) > 1e-12 {
			t.Fatalf("step %d: LogPsi after Accept = %v, want %v", step, got, want)
		}
	}
	// O_k by finite differences of log ψ (holomorphic: real step).
	o := make([]complex128, psi.NumParams())
	c.LogDeriv(o)
	p := make([]complex128, psi.NumParams())
	psi.Params(p)
	const h = 1e-6
	for k := range p {
		q := append([]complex128(nil), p...)
		q[k] += h
		psi.SetParams(q)
		up := psi.LogPsi(c.Config())
		q[k] -= 2 * h
		psi.SetParams(q)
		dn := psi.LogPsi(c.Config())
		if fd := (up - dn) / (2 * h); cmplx.Abs(fd-o[k]) > 1e-7 {
			t.Fatalf("O_%d = %v, finite difference %v", k, o[k], fd)
		}
	}
	psi.SetParams(p)
}

// TestLocalEnergyEigenstate checks that eigenstates have a constant local
// energy and zero variance, with both the Metropolis and the exact sampler.
func TestLocalEnergyEigenstate(t *testing.T) {
	// The 2-site singlet (↑↓ − ↓↑)/√2: log ψ = a_0 x_0 + a_1 x_1 with
	// a_0 − a_1 = iπ/2 gives ψ(↓↑)/ψ(↑↓) = e^{−iπ} = −1. E = −3/4 J.
	singlet := newJastrow(2)
	singlet.SetParams([]complex128{complex(0, math.Pi/4), complex(0, -math.Pi/4), 0.3})
	// A constant ψ in a sector of the isotropic Heisenberg model (no sign
	// rule) is the S = N/2 ferromagnetic multiplet: every bond's S_i·S_j has
	// eigenvalue 1/4, so E = N_bonds/4 = 2 for the 8-site ring.
	flat := newJastrow(8)
	tests := []struct {
		name string
		psi  ansatz.Ansatz
		op   hamiltonian.Operator
		nUp  int
		want float64
	}{
		{"singlet", singlet, heisenberg(t, 2, false, false), 1, -0.75},
		{"ferromagnet", flat, heisenberg(t, 8, true, false), 4, 2},
	}
	// The singlet's E_loc = −1/4 − 1/2·(−1) rounds in the last bit through
	// exp(iπ/2·...) evaluations, hence 1e-14 rather than exact equality.
	const tol = 1e-14
	for i, tc := range tests {
		s, err := NewSampler(tc.psi, tc.op, Options{Chains: 4, Samples: 400, BurnIn: 2, Move: Exchange, NUp: tc.nUp, Seed: 3})
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, tc.name, err)
		}
		ex, err := NewExact(tc.psi, tc.op, tc.nUp, 1)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, tc.name, err)
		}
		var mc, exact Batch
		s.Sample(&mc, false)
		ex.Sample(&exact, false)
		for _, b := range []*Batch{&mc, &exact} {
			for k, e := range b.E {
				if cmplx.Abs(e-complex(tc.want, 0)) > tol {
					t.Fatalf("case %d (%s): E_loc[%d] = %v, want %v", i, tc.name, k, e, tc.want)
				}
			}
			st := b.EnergyStats()
			if math.Abs(st.Mean-tc.want) > tol || st.Variance > tol*tol || st.Error > tol {
				t.Errorf("case %d (%s): stats %v, want mean %v with zero variance and error", i, tc.name, st, tc.want)
			}
		}
	}
}

// TestLocalEnergyNoAlloc checks that a local energy allocates nothing once
// its scratch is bound.
func TestLocalEnergyNoAlloc(t *testing.T) {
	op := heisenberg(t, 12, true, true)
	for i, psi := range []ansatz.Ansatz{randomJastrow(12, 0.1, 4), randomRBM(12, 1, true, 0.1, 4)} {
		x := make([]int8, 12)
		for k := range x {
			x[k] = int8(1 - 2*(k%2))
		}
		c := psi.NewCache(x)
		var s LocalScratch
		LocalEnergy(op, c, &s)
		if a := testing.AllocsPerRun(100, func() { LocalEnergy(op, c, &s) }); a != 0 {
			t.Errorf("case %d: LocalEnergy allocates %v times per call", i, a)
		}
	}
}

// TestEnergyStatsComplex checks the complex variance and the imaginary mean.
func TestEnergyStatsComplex(t *testing.T) {
	b := Batch{Ns: 4, Chains: 1, PerChain: 4, E: []complex128{1 + 1i, 1 - 1i, 3 + 1i, 3 - 1i}}
	st := b.EnergyStats()
	// Re: mean 2, variance 1; Im: mean 0, variance 1.
	if st.Mean != 2 || st.MeanImag != 0 || st.Variance != 2 {
		t.Errorf("uniform: %+v, want mean 2, imag 0, variance 2", st)
	}
	b.W = []float64{0.5, 0, 0.5, 0}
	b.E[1] = complex(math.NaN(), 0) // zero weight: skipped
	st = b.EnergyStats()
	if st.Mean != 2 || st.MeanImag != 1 || st.Variance != 1 || st.Error != 0 || st.TauCorr != 0 || !math.IsNaN(st.RHat) {
		t.Errorf("weighted: %+v, want mean 2, imag 1, variance 1, error 0, tau 0, R-hat NaN", st)
	}
}
