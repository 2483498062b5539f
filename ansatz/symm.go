package ansatz

import (
	"fmt"
	"math/rand/v2"
)

// SymmRBM is an RBM whose parameters are shared over a group G of site
// permutations (e.g. the translations of a periodic lattice), so that
// log ψ is exactly invariant under G. It has alpha filters of N weights;
// filter f and group element g define the hidden unit
//
//	θ_{f,g}(x) = b_f + Σ_i W_{f,i} x_{g(i)},
//	log ψ(x) = a Σ_i x_i + Σ_{f,g} lncosh θ_{f,g}(x),
//
// with alpha·|G| hidden units but only 1 + alpha + alpha·N parameters.
// Since x → x∘t (x'_i = x_{t(i)}) maps θ_{f,g} to θ_{f,t∘g} and G is a
// group, a translated configuration has the same set of hidden units and
// the same log ψ.
//
// With spin-flip symmetry the biases a and b_f are absent (fixed at 0):
// lncosh is even, so log ψ(−x) = log ψ(x) exactly. This is the symmetric
// sector only: a state that is odd under the global flip (e.g. the
// Heisenberg ground state of a chain of N = 4k+2 sites without the Marshall
// sign rule) cannot be represented. The parameters are then alpha·N.
//
// Invariance means that a SymmRBM represents states of zero momentum only
// (ψ(x∘t) = ψ(x) for every translation t; for a point group, the trivial
// representation). A ground state in another sector is out of reach: the
// Heisenberg antiferromagnet on a ring of N = 4k+2 sites without the
// Marshall sign rule has momentum π, and an exact-enumeration SR run on 10
// sites stalls at a 9% energy error, while with the sign rule (momentum 0)
// alpha = 2 reaches 1e-6 with 23 parameters.
//
// The parameter order is a, b_0 … b_{alpha−1}, W (alpha×N, row-major:
// W_{f,i} at f*N+i), or W alone with spin-flip symmetry. Holomorphic
// machines have complex parameters, real ones real parameters and a real
// log ψ (positive amplitudes).
//
// Internally a SymmRBM is the equivalent dense RBM with hidden unit
// j = f·|G| + g, visible biases a_k = a, hidden biases b_j = b_f and weights
// W_{j,k} = W_{f, g⁻¹(k)} (because Σ_i W_{f,i} x_{g(i)} = Σ_k W_{f,g⁻¹(k)} x_k),
// so its caches are RBM caches: flipping site k changes θ_{f,g} by
// −2 x_k W_{f,g⁻¹(k)}, and log-ratios cost O(alpha·|G|·flips) with the
// RBM's fast cosh-ratio products. Only the log-derivatives differ; they
// sum over the group:
//
//	∂/∂a = Σ_i x_i,   ∂/∂b_f = Σ_g tanh θ_{f,g},   ∂/∂W_{f,i} = Σ_g tanh θ_{f,g} x_{g(i)}.
//
// The tables of the dense RBM take O(alpha·|G|·N) memory, as an RBM with
// alpha·|G|/N hidden units per site does.
//
// This is the symmetric RBM of G. Carleo and M. Troyer, Science 355, 602
// (2017), supplementary material.
type SymmRBM struct {
	n, alpha, ng int
	holomorphic  bool
	spinFlip     bool
	perm         [][]int // perm[g][i] = g(i)
	inv          [][]int // inv[g][k] = g⁻¹(k)

	p   []complex128 // own parameters; zero imaginary parts if real
	rbm *RBM         // the equivalent dense RBM
	ep  []complex128 // its parameters, rebuilt by SetParams
}

var (
	_ Ansatz = (*SymmRBM)(nil)
	_ Cache  = (*symmCache)(nil)
)

// NewSymmRBM returns a symmetric RBM over the permutation group given as
// site permutations (group[g][i] is the image of site i under g, as
// lattice.Lattice.Translations returns them; N = len(group[g])), with
// alpha filters, complex parameters if holomorphic, and without biases,
// even under the global spin flip, if spinFlip. All parameters are zero
// (ψ constant); call InitRandom. The group is copied.
//
// It panics if alpha < 1, the group is empty, an element is not a
// permutation of 0 … N−1, two elements are equal, or the set is not closed
// under composition (then log ψ would not be invariant).
func NewSymmRBM(group [][]int, alpha int, holomorphic, spinFlip bool) *SymmRBM {
	if alpha < 1 {
		panic(fmt.Sprintf("ansatz: SymmRBM needs alpha >= 1, got %d", alpha))
	}
	n := checkGroup("SymmRBM", group)
	ng := len(group)
	s := &SymmRBM{n: n, alpha: alpha, ng: ng, holomorphic: holomorphic, spinFlip: spinFlip}
	s.perm, s.inv = copyGroup(group)
	np := alpha * n
	if !spinFlip {
		np += 1 + alpha
	}
	s.p = make([]complex128, np)
	s.rbm = newRBMHidden(n, alpha*ng, holomorphic)
	s.ep = make([]complex128, s.rbm.NumParams())
	s.expand()
	return s
}

// newRBMHidden returns a zero RBM with n visible and m hidden units, where
// m need not be a multiple of n (|G| ≠ N for open boundaries, lattices with
// a basis, point groups). NewRBM is newRBMHidden(n, alpha·n, ...).
func newRBMHidden(n, m int, holomorphic bool) *RBM {
	r := &RBM{n: n, m: m, holomorphic: holomorphic}
	if holomorphic {
		r.a = make([]complex128, n)
		r.b = make([]complex128, m)
		r.w = make([]complex128, m*n)
		r.wt = make([]complex128, m*n)
		r.ch = make([]complex128, m*n)
		r.sh = make([]complex128, m*n)
		r.absCh = make([]float64, m*n)
		r.absSh = make([]float64, m*n)
		r.e4 = make([]complex128, 2*m*n)
	} else {
		r.ar = make([]float64, n)
		r.br = make([]float64, m)
		r.wr = make([]float64, m*n)
		r.wtr = make([]float64, m*n)
		r.chr = make([]float64, m*n)
		r.shr = make([]float64, m*n)
		r.e4r = make([]float64, 2*m*n)
	}
	r.prepare()
	return r
}

// copyGroup returns a copy of the permutations and their inverses,
// inv[g][k] = g⁻¹(k).
func copyGroup(group [][]int) (perm, inv [][]int) {
	perm = make([][]int, len(group))
	inv = make([][]int, len(group))
	for g, p := range group {
		perm[g] = append([]int(nil), p...)
		inv[g] = make([]int, len(p))
		for i, k := range p {
			inv[g][k] = i
		}
	}
	return perm, inv
}

// checkGroup panics unless group is a non-empty set of distinct
// permutations of 0 … N−1 closed under composition, and returns N.
func checkGroup(who string, group [][]int) int {
	if len(group) == 0 {
		panic("ansatz: " + who + " needs a non-empty permutation group")
	}
	n := len(group[0])
	if n < 1 {
		panic("ansatz: " + who + " needs n >= 1 sites")
	}
	seen := make([]int, n)
	for g, p := range group {
		if len(p) != n {
			panic(fmt.Sprintf("ansatz: %s: group element %d has %d sites, want %d", who, g, len(p), n))
		}
		for i, k := range p {
			if k < 0 || k >= n || seen[k] == g+1 {
				panic(fmt.Sprintf("ansatz: %s: group element %d is not a permutation of 0..%d (site %d maps to %d)", who, g, n-1, i, k))
			}
			seen[k] = g + 1
		}
	}
	// Index the elements by a hash, then look up every product g∘h.
	index := make(map[uint64][]int, len(group))
	for g, p := range group {
		key := permHash(p)
		for _, h := range index[key] {
			if equalInts(group[h], p) {
				panic(fmt.Sprintf("ansatz: %s: group elements %d and %d are equal", who, h, g))
			}
		}
		index[key] = append(index[key], g)
	}
	prod := make([]int, n)
	for g, pg := range group {
		for h, ph := range group {
			for i, k := range ph {
				prod[i] = pg[k]
			}
			found := false
			for _, e := range index[permHash(prod)] {
				found = found || equalInts(group[e], prod)
			}
			if !found {
				panic(fmt.Sprintf("ansatz: %s: the permutations are not a group: element %d after element %d is not in the set", who, g, h))
			}
		}
	}
	return n
}

// permHash is the FNV-1a hash of a permutation.
func permHash(p []int) uint64 {
	h := uint64(14695981039346656037)
	for _, k := range p {
		h ^= uint64(k)
		h *= 1099511628211
	}
	return h
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// expand writes the dense RBM's parameters from the shared ones.
func (s *SymmRBM) expand() {
	n, ng, m := s.n, s.ng, s.alpha*s.ng
	var a complex128
	b := s.p[:0]
	w := s.p
	if !s.spinFlip {
		a = s.p[0]
		b = s.p[1 : 1+s.alpha]
		w = s.p[1+s.alpha:]
	}
	ea, eb, ew := s.ep[:n], s.ep[n:n+m], s.ep[n+m:]
	for k := range ea {
		ea[k] = a
	}
	for f := range s.alpha {
		var bf complex128
		if !s.spinFlip {
			bf = b[f]
		}
		wf := w[f*n : (f+1)*n]
		for g := range ng {
			j := f*ng + g
			eb[j] = bf
			row := ew[j*n : (j+1)*n]
			for k, i := range s.inv[g] {
				row[k] = wf[i]
			}
		}
	}
	s.rbm.SetParams(s.ep)
}

// InitRandom sets every parameter to scale times a standard normal variate
// drawn from rng, in parameter order; a holomorphic machine draws the real
// and then the imaginary part of each parameter (as RBM.InitRandom).
// Caches must be Reset afterwards.
func (s *SymmRBM) InitRandom(rng *rand.Rand, scale float64) {
	for k := range s.p {
		re := scale * rng.NormFloat64()
		if s.holomorphic {
			s.p[k] = complex(re, scale*rng.NormFloat64())
		} else {
			s.p[k] = complex(re, 0)
		}
	}
	s.expand()
}

// NumSites returns the number of sites N.
func (s *SymmRBM) NumSites() int { return s.n }

// NumHidden returns the number of hidden units alpha·|G|.
func (s *SymmRBM) NumHidden() int { return s.alpha * s.ng }

// NumParams returns 1 + alpha + alpha·N, or alpha·N with spin-flip
// symmetry.
func (s *SymmRBM) NumParams() int { return len(s.p) }

// Holomorphic reports whether the parameters are complex.
func (s *SymmRBM) Holomorphic() bool { return s.holomorphic }

// String describes the machine, e.g.
// "SymmRBM(N=16, |G|=16, alpha=2, complex, 35 params)".
func (s *SymmRBM) String() string {
	mode := "complex"
	if !s.holomorphic {
		mode = "real"
	}
	if s.spinFlip {
		mode += ", spin-flip symmetric"
	}
	return fmt.Sprintf("SymmRBM(N=%d, |G|=%d, alpha=%d, %s, %d params)", s.n, s.ng, s.alpha, mode, len(s.p))
}

// Params copies the parameters (order a, b, W; or W with spin-flip
// symmetry) into dst, which must have length NumParams. A real machine
// reports zero imaginary parts.
func (s *SymmRBM) Params(dst []complex128) { copyParams("SymmRBM", dst, s.p) }

// SetParams replaces the parameters by p, of length NumParams, and
// rebuilds the dense RBM in O(alpha·|G|·N). A real machine ignores the
// imaginary parts. Existing caches are stale until Reset.
func (s *SymmRBM) SetParams(p []complex128) {
	storeParams("SymmRBM", s.p, p, s.holomorphic)
	s.expand()
}

// LogPsi returns log ψ(x) from scratch by the defining sum over filters and
// group elements, in O(alpha·|G|·N), without allocating.
func (s *SymmRBM) LogPsi(x []int8) complex128 {
	if len(x) != s.n {
		panic(fmt.Sprintf("ansatz: SymmRBM.LogPsi: len(x) = %d, want %d sites", len(x), s.n))
	}
	n := s.n
	w := s.p
	var a, sum complex128
	if !s.spinFlip {
		a = s.p[0]
		w = s.p[1+s.alpha:]
		var m float64
		for _, xi := range x {
			m += float64(xi)
		}
		sum = a * complex(m, 0)
	}
	for f := range s.alpha {
		var bf complex128
		if !s.spinFlip {
			bf = s.p[1+f]
		}
		wf := w[f*n : (f+1)*n]
		for _, pg := range s.perm {
			var re, im float64
			for i, k := range pg {
				v := float64(x[k])
				re += v * real(wf[i])
				im += v * imag(wf[i])
			}
			if s.holomorphic {
				sum += lncosh(bf + complex(re, im))
			} else {
				sum += complex(lncoshReal(real(bf)+re), 0)
			}
		}
	}
	return sum
}

// NewCache returns a cache positioned at a copy of x: a cache of the
// equivalent dense RBM, with the look-up tables θ_{f,g} and tanh θ_{f,g}.
func (s *SymmRBM) NewCache(x []int8) Cache {
	if len(x) != s.n {
		panic(fmt.Sprintf("ansatz: SymmRBM.NewCache: len(x) = %d, want %d sites", len(x), s.n))
	}
	c := &symmCache{s: s, Cache: s.rbm.NewCache(x)}
	switch rc := c.Cache.(type) {
	case *rbmCache:
		c.hc = rc
	case *realRBMCache:
		c.hr = rc
	}
	return c
}

// symmCache is the Cache of a SymmRBM: the dense RBM's cache, whose
// Reset, Config, LogPsi, LogRatio and Accept it uses as they are, with the
// log-derivatives summed over the group.
type symmCache struct {
	s *SymmRBM
	Cache
	hc *rbmCache     // holomorphic (nil otherwise)
	hr *realRBMCache // real (nil otherwise)
}

// Reset positions the cache at a copy of x.
func (c *symmCache) Reset(x []int8) {
	if len(x) != c.s.n {
		panic(fmt.Sprintf("ansatz: SymmRBM cache Reset: len(x) = %d, want %d sites", len(x), c.s.n))
	}
	c.Cache.Reset(x)
}

// LogDeriv writes ∂/∂a = Σ_i x_i, ∂/∂b_f = Σ_g tanh θ_{f,g} and
// ∂/∂W_{f,i} = Σ_g tanh θ_{f,g} x_{g(i)} into dst, of length NumParams, in
// O(alpha·|G|·N) from the cache's tanh table. It allocates nothing.
func (c *symmCache) LogDeriv(dst []complex128) {
	s := c.s
	if len(dst) != len(s.p) {
		panic(fmt.Sprintf("ansatz: SymmRBM LogDeriv: len(dst) = %d, want %d", len(dst), len(s.p)))
	}
	n, ng := s.n, s.ng
	x := c.Config()
	dw := dst
	if !s.spinFlip {
		var m float64
		for _, xi := range x {
			m += float64(xi)
		}
		dst[0] = complex(m, 0)
		dw = dst[1+s.alpha:]
	}
	for f := range s.alpha {
		row := dw[f*n : (f+1)*n]
		clear(row)
		var db complex128
		for g, pg := range s.perm {
			j := f*ng + g
			var t complex128
			if c.hc != nil {
				t = c.hc.tanh[j]
			} else {
				t = complex(c.hr.tanh[j], 0)
			}
			db += t
			tr, ti := real(t), imag(t)
			for i, k := range pg {
				v := float64(x[k])
				row[i] += complex(v*tr, v*ti)
			}
		}
		if !s.spinFlip {
			dst[1+f] = db
		}
	}
}

// InvarianceGroup returns the group G the weights are shared over; ψ is
// invariant under it (see Invariant).
func (s *SymmRBM) InvarianceGroup() [][]int { return s.perm }
