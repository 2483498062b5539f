package ansatz

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
)

// Symmetrized makes any ansatz exactly invariant under a group G of site
// permutations by summing it over the group:
//
//	ψ(x) = (1/|G|) Σ_g ψ_b(x∘g),   (x∘g)_i = x_{g(i)},
//
// so ψ(x∘t) = ψ(x) for every t in G (x∘t∘g runs over the same orbit). Its
// parameters are those of the base ansatz ψ_b; it represents states of zero
// momentum in the trivial representation of the point group, like SymmRBM,
// which shares weights inside one RBM instead and is much cheaper for RBMs.
// Symmetrized serves the other kinds (FFNN, Jastrow).
//
// With L_g = log ψ_b(x∘g) and the shift m = max_g Re L_g,
//
//	log ψ(x) = m + log Σ_g e^{L_g − m} − log |G|,
//	O_k(x)   = Σ_g w_g O_k^b(x∘g),   w_g = e^{L_g} / Σ_h e^{L_h},
//
// with complex weights when log ψ_b is complex (the derivative of a log of
// a sum of exponentials, for holomorphic and real parameters alike). The
// imaginary part of log ψ is defined modulo 2π.
//
// A cache keeps one base cache per group element, at x∘g. Flipping site k of
// x flips site g⁻¹(k) of x∘g, so a log-ratio costs |G| base log-ratios and
// an accepted move |G| base updates; LogDeriv costs |G| base LogDerivs.
type Symmetrized struct {
	base Ansatz
	n    int
	perm [][]int // perm[g][i] = g(i)
	inv  [][]int // inv[g][k] = g⁻¹(k)
	logG float64
}

var (
	_ Ansatz = (*Symmetrized)(nil)
	_ Cache  = (*symmetrizedCache)(nil)
)

// NewSymmetrized returns base summed over the permutation group given as
// site permutations (group[g][i] is the image of site i, as
// lattice.Lattice.Translations returns them). The base ansatz is shared, not
// copied: its parameters are the wrapper's. It panics if the group is not a
// group of permutations of the base's sites.
func NewSymmetrized(base Ansatz, group [][]int) *Symmetrized {
	n := checkGroup("Symmetrized", group)
	if n != base.NumSites() {
		panic(fmt.Sprintf("ansatz: Symmetrized: the group permutes %d sites, the ansatz has %d", n, base.NumSites()))
	}
	s := &Symmetrized{base: base, n: n, logG: math.Log(float64(len(group)))}
	s.perm, s.inv = copyGroup(group)
	return s
}

// Base returns the symmetrized ansatz.
func (s *Symmetrized) Base() Ansatz { return s.base }

// GroupOrder returns |G|.
func (s *Symmetrized) GroupOrder() int { return len(s.perm) }

// InitRandom initializes the base ansatz, which must have an InitRandom
// method (every ansatz of this package has one).
func (s *Symmetrized) InitRandom(rng *rand.Rand, scale float64) {
	b, ok := s.base.(interface{ InitRandom(*rand.Rand, float64) })
	if !ok {
		panic(fmt.Sprintf("ansatz: Symmetrized: the base %T has no InitRandom", s.base))
	}
	b.InitRandom(rng, scale)
}

// NumSites returns N.
func (s *Symmetrized) NumSites() int { return s.n }

// NumParams returns the base ansatz's parameter count.
func (s *Symmetrized) NumParams() int { return s.base.NumParams() }

// Holomorphic reports whether the base ansatz is holomorphic.
func (s *Symmetrized) Holomorphic() bool { return s.base.Holomorphic() }

// Params copies the base parameters into dst.
func (s *Symmetrized) Params(dst []complex128) { s.base.Params(dst) }

// SetParams sets the base parameters.
func (s *Symmetrized) SetParams(p []complex128) { s.base.SetParams(p) }

// String describes the ansatz.
func (s *Symmetrized) String() string {
	return fmt.Sprintf("%v summed over %d permutations", s.base, len(s.perm))
}

// LogPsi returns log ψ(x), from |G| fresh base evaluations.
func (s *Symmetrized) LogPsi(x []int8) complex128 {
	if len(x) != s.n {
		panic(fmt.Sprintf("ansatz: Symmetrized: configuration has %d sites, want %d", len(x), s.n))
	}
	y := make([]int8, s.n)
	l := make([]complex128, len(s.perm))
	for g := range s.perm {
		s.permute(y, x, g)
		l[g] = s.base.LogPsi(y)
	}
	return logSumExp(l) - complex(s.logG, 0)
}

// permute writes x∘g into y.
func (s *Symmetrized) permute(y, x []int8, g int) {
	for i, k := range s.perm[g] {
		y[i] = x[k]
	}
}

// logSumExp returns log Σ_g e^{l_g}, shifted by the largest real part.
func logSumExp(l []complex128) complex128 {
	m := math.Inf(-1)
	for _, v := range l {
		m = math.Max(m, real(v))
	}
	var sum complex128
	for _, v := range l {
		sum += cmplx.Exp(v - complex(m, 0))
	}
	return complex(m, 0) + cmplx.Log(sum)
}

// NewCache returns a cache positioned at a copy of x.
func (s *Symmetrized) NewCache(x []int8) Cache {
	ng := len(s.perm)
	c := &symmetrizedCache{
		s:      s,
		x:      make([]int8, s.n),
		y:      make([]int8, s.n),
		caches: make([]Cache, ng),
		l:      make([]complex128, ng),
		lNew:   make([]complex128, ng),
		flips:  make([]int, 0, s.n),
		o:      make([]complex128, s.base.NumParams()),
	}
	for g := range s.perm {
		s.permute(c.y, x, g)
		c.caches[g] = s.base.NewCache(c.y)
	}
	c.Reset(x)
	return c
}

// symmetrizedCache keeps the base caches at x∘g and their log ψ_b.
type symmetrizedCache struct {
	s      *Symmetrized
	x      []int8
	y      []int8 // scratch: x∘g
	caches []Cache
	l      []complex128 // L_g = log ψ_b(x∘g)
	lNew   []complex128 // scratch for log-ratios
	flips  []int        // scratch: the flipped sites of x∘g
	o      []complex128 // scratch: base log-derivatives
	logPsi complex128
}

// Reset positions the cache at a copy of x.
func (c *symmetrizedCache) Reset(x []int8) {
	copy(c.x, x)
	for g, bc := range c.caches {
		c.s.permute(c.y, x, g)
		bc.Reset(c.y)
		c.l[g] = bc.LogPsi()
	}
	c.logPsi = logSumExp(c.l) - complex(c.s.logG, 0)
}

// Config returns the current configuration.
func (c *symmetrizedCache) Config() []int8 { return c.x }

// LogPsi returns log ψ of the current configuration.
func (c *symmetrizedCache) LogPsi() complex128 { return c.logPsi }

// mapped returns the sites of x∘g that flipping the given sites of x flips.
func (c *symmetrizedCache) mapped(g int, flips []int) []int {
	inv := c.s.inv[g]
	f := c.flips[:0]
	for _, k := range flips {
		f = append(f, inv[k])
	}
	return f
}

// LogRatio returns log ψ(x') − log ψ(x) for the given flips.
func (c *symmetrizedCache) LogRatio(flips []int) complex128 {
	for g, bc := range c.caches {
		c.lNew[g] = c.l[g] + bc.LogRatio(c.mapped(g, flips))
	}
	return logSumExp(c.lNew) - complex(c.s.logG, 0) - c.logPsi
}

// Accept moves the cache to x' (the given sites flipped).
func (c *symmetrizedCache) Accept(flips []int) {
	for g, bc := range c.caches {
		bc.Accept(c.mapped(g, flips))
		c.l[g] = bc.LogPsi()
	}
	for _, k := range flips {
		c.x[k] = -c.x[k]
	}
	c.logPsi = logSumExp(c.l) - complex(c.s.logG, 0)
}

// LogDeriv writes O_k(x) = Σ_g w_g O_k^b(x∘g) into dst.
func (c *symmetrizedCache) LogDeriv(dst []complex128) {
	if len(dst) != len(c.o) {
		panic(fmt.Sprintf("ansatz: Symmetrized: LogDeriv into %d entries, want %d", len(dst), len(c.o)))
	}
	clear(dst)
	shift := c.logPsi + complex(c.s.logG, 0) // log Σ_h e^{L_h}
	for g, bc := range c.caches {
		w := cmplx.Exp(c.l[g] - shift)
		if w == 0 {
			continue
		}
		bc.LogDeriv(c.o)
		for k, v := range c.o {
			dst[k] += w * v
		}
	}
}

// InvarianceGroup returns the group G the base ansatz is summed over; ψ
// is invariant under it (see Invariant).
func (s *Symmetrized) InvarianceGroup() [][]int { return s.perm }
