package ansatz

import (
	"fmt"
	"math/rand/v2"
)

// Jastrow is the two-body Jastrow wavefunction, optionally with a
// one-body (field) term:
//
//	log ψ(x) = Σ_{i<j} x_i J_ij x_j + Σ_i h_i x_i.
//
// The parameter order is J_01, J_02, …, J_0,N−1, J_12, …, J_N−2,N−1 (the
// upper triangle row by row, N(N−1)/2 entries), then h_0 … h_{N−1} if the
// field term is present. A holomorphic Jastrow has complex J and h; a real
// one real parameters and a real log ψ (positive amplitudes). It is a cheap
// baseline: O(N²) parameters, log-ratios in O(flips²).
//
// A cache keeps the local fields L_i = Σ_{j≠i} J_ij x_j; for a set S of
// flipped sites
//
//	log ψ(x') − log ψ(x) = −2 Σ_{i∈S} x_i (L_i + h_i) + 4 Σ_{i<j ∈ S} x_i J_ij x_j,
//
// (pairs with both sites flipped are unchanged), and an accepted flip of
// site i updates L_j by −2 J_ji x_i in O(N).
//
// A sign structure that is one-body in x, such as the Marshall sign
// (−1)^{n↑ on sublattice A} = Π_{i∈A} exp(iπ(1+x_i)/2), needs the field term
// with complex h (h_i = iπ/2 on A); a two-body term is even in x and cannot
// produce it. Use a holomorphic Jastrow with the field, or the sign rule.
type Jastrow struct {
	n           int
	holomorphic bool
	field       bool

	p []complex128 // parameters; zero imaginary parts if real
	j []complex128 // J as a dense symmetric N×N matrix, zero diagonal
	h []complex128 // h_i, zero without the field term
}

var (
	_ Ansatz = (*Jastrow)(nil)
	_ Cache  = (*jastrowCache)(nil)
)

// NewJastrow returns a Jastrow wavefunction on n sites, with complex
// parameters if holomorphic and a one-body term h_i x_i if field. All
// parameters are zero (ψ constant). It panics if n < 1.
//
// A real Jastrow is computed in complex arithmetic with zero imaginary
// parts, which stay exactly zero.
func NewJastrow(n int, holomorphic, field bool) *Jastrow {
	if n < 1 {
		panic(fmt.Sprintf("ansatz: Jastrow needs n >= 1 sites, got %d", n))
	}
	np := n * (n - 1) / 2
	if field {
		np += n
	}
	return &Jastrow{
		n: n, holomorphic: holomorphic, field: field,
		p: make([]complex128, np),
		j: make([]complex128, n*n),
		h: make([]complex128, n),
	}
}

// InitRandom sets every parameter to scale times a standard normal variate
// drawn from rng, in parameter order; a holomorphic Jastrow draws the real
// and then the imaginary part of each parameter. Caches must be Reset
// afterwards.
func (m *Jastrow) InitRandom(rng *rand.Rand, scale float64) {
	for k := range m.p {
		re := scale * rng.NormFloat64()
		if m.holomorphic {
			m.p[k] = complex(re, scale*rng.NormFloat64())
		} else {
			m.p[k] = complex(re, 0)
		}
	}
	m.prepare()
}

// NumSites returns the number of sites N.
func (m *Jastrow) NumSites() int { return m.n }

// NumParams returns N(N−1)/2, plus N with the field term.
func (m *Jastrow) NumParams() int { return len(m.p) }

// Holomorphic reports whether the parameters are complex.
func (m *Jastrow) Holomorphic() bool { return m.holomorphic }

// String describes the wavefunction, e.g.
// "Jastrow(N=40, complex, with field, 820 params)".
func (m *Jastrow) String() string {
	mode := "complex"
	if !m.holomorphic {
		mode = "real"
	}
	if m.field {
		mode += ", with field"
	}
	return fmt.Sprintf("Jastrow(N=%d, %s, %d params)", m.n, mode, len(m.p))
}

// Params copies the parameters (J upper triangle, then h) into dst, which
// must have length NumParams. A real Jastrow reports zero imaginary parts.
func (m *Jastrow) Params(dst []complex128) { copyParams("Jastrow", dst, m.p) }

// SetParams replaces the parameters by p, of length NumParams. A real
// Jastrow ignores the imaginary parts. Existing caches are stale until
// Reset.
func (m *Jastrow) SetParams(p []complex128) {
	storeParams("Jastrow", m.p, p, m.holomorphic)
	m.prepare()
}

// prepare fills the dense matrix J and the field h from the parameters.
func (m *Jastrow) prepare() {
	n := m.n
	k := 0
	for i := range n {
		m.j[i*n+i] = 0
		for j := i + 1; j < n; j++ {
			m.j[i*n+j] = m.p[k]
			m.j[j*n+i] = m.p[k]
			k++
		}
	}
	if m.field {
		copy(m.h, m.p[k:])
	}
}

func (m *Jastrow) checkConfig(x []int8, who string) {
	if len(x) != m.n {
		panic(fmt.Sprintf("ansatz: %s: len(x) = %d, want %d sites", who, len(x), m.n))
	}
}

// LogPsi returns log ψ(x) computed from scratch in O(N²) without
// allocating.
func (m *Jastrow) LogPsi(x []int8) complex128 {
	m.checkConfig(x, "Jastrow.LogPsi")
	n := m.n
	var s complex128
	for i, xi := range x {
		row := m.j[i*n : (i+1)*n]
		var re, im float64
		for j := i + 1; j < n; j++ {
			v := float64(x[j])
			re += v * real(row[j])
			im += v * imag(row[j])
		}
		f := float64(xi)
		s += complex(f*(re+real(m.h[i])), f*(im+imag(m.h[i])))
	}
	return s
}

// NewCache returns a cache positioned at a copy of x, holding the local
// fields L_i = Σ_{j≠i} J_ij x_j.
func (m *Jastrow) NewCache(x []int8) Cache {
	m.checkConfig(x, "Jastrow.NewCache")
	c := &jastrowCache{m: m, x: make([]int8, m.n), loc: make([]complex128, m.n)}
	c.Reset(x)
	return c
}

// jastrowCache is the Cache of a Jastrow wavefunction.
type jastrowCache struct {
	m     *Jastrow
	x     []int8
	loc   []complex128 // L_i = Σ_{j≠i} J_ij x_j
	moves int          // accepted moves since the last refresh
}

// Reset positions the cache at a copy of x and recomputes the local fields.
func (c *jastrowCache) Reset(x []int8) {
	c.m.checkConfig(x, "Jastrow cache Reset")
	copy(c.x, x)
	c.refresh()
}

func (c *jastrowCache) refresh() {
	n := c.m.n
	for i := range c.loc {
		row := c.m.j[i*n : (i+1)*n]
		var re, im float64
		for j, xj := range c.x {
			v := float64(xj)
			re += v * real(row[j])
			im += v * imag(row[j])
		}
		c.loc[i] = complex(re, im)
	}
	c.moves = 0
}

// Config returns the current configuration; the caller must not modify it.
func (c *jastrowCache) Config() []int8 { return c.x }

// LogPsi returns log ψ = ½ Σ_i x_i L_i + Σ_i h_i x_i from the local fields,
// in O(N).
func (c *jastrowCache) LogPsi() complex128 {
	var s complex128
	for i, xi := range c.x {
		f := float64(xi)
		l := 0.5*c.loc[i] + c.m.h[i]
		s += complex(f*real(l), f*imag(l))
	}
	return s
}

// LogRatio returns log ψ(x') − log ψ(x) for the given distinct flipped
// sites in O(flips²) (see Jastrow). It allocates nothing.
func (c *jastrowCache) LogRatio(flips []int) complex128 {
	m := c.m
	n := m.n
	var s complex128
	for a, i := range flips {
		fi := float64(c.x[i])
		l := c.loc[i] + m.h[i]
		s += complex(-2*fi*real(l), -2*fi*imag(l))
		for _, j := range flips[a+1:] {
			f := 4 * fi * float64(c.x[j])
			v := m.j[i*n+j]
			s += complex(f*real(v), f*imag(v))
		}
	}
	return s
}

// Accept flips the given sites and updates the local fields in
// O(N·flips); they are recomputed from x every refreshEvery moves.
func (c *jastrowCache) Accept(flips []int) {
	if len(flips) == 0 {
		return
	}
	n := c.m.n
	for _, i := range flips {
		d := -2 * float64(c.x[i])
		row := c.m.j[i*n : (i+1)*n]
		for j, v := range row {
			c.loc[j] += complex(d*real(v), d*imag(v))
		}
		c.x[i] = -c.x[i]
	}
	c.moves++
	if c.moves >= refreshEvery {
		c.refresh()
	}
}

// LogDeriv writes ∂/∂J_ij = x_i x_j (i < j, in parameter order) and
// ∂/∂h_i = x_i into dst, which must have length NumParams.
func (c *jastrowCache) LogDeriv(dst []complex128) {
	m := c.m
	if len(dst) != len(m.p) {
		panic(fmt.Sprintf("ansatz: Jastrow LogDeriv: len(dst) = %d, want %d", len(dst), len(m.p)))
	}
	k := 0
	for i, xi := range c.x {
		for _, xj := range c.x[i+1:] {
			dst[k] = complex(float64(xi*xj), 0)
			k++
		}
	}
	if m.field {
		for i, xi := range c.x {
			dst[k+i] = complex(float64(xi), 0)
		}
	}
}
