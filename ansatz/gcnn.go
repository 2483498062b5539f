package ansatz

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
)

// GCNN is a group-convolutional neural network: a deep network whose
// hidden layers are features on the elements of a group G of site
// permutations (the translations of a periodic lattice, or its
// automorphisms), equivariant under G, with an output projected onto a
// one-dimensional character χ of G.
//
// With the action (x∘t)_i = x_{t(i)} of a permutation t on configurations,
// layer 1 (the embedding) maps the spins to F_1 features per group element,
//
//	z¹_{f,g}(x) = b¹_f + Σ_i W_{f,i} x_{g(i)},
//
// and layer l = 2 … L is a group convolution of the activations
// a^{l−1} = σ(z^{l−1}) with a kernel over the group,
//
//	z^l_{f,g} = b^l_f + Σ_{f'} Σ_h K^l_{f,f',h} a^{l−1}_{f', g∘h},
//
// where g∘h is the product (g∘h)(i) = g(h(i)), taken from the group's
// multiplication table. The readout and the projection are
//
//	φ_g(x)   = Σ_f c_f a^L_{f,g}(x),
//	log ψ(x) = log Σ_g χ(g)* exp φ_g(x).
//
// Equivariance: z¹_{f,g}(x∘t) = z¹_{f,t∘g}(x), and if a^{l−1} transforms so,
// z^l_{f,g}(x∘t) = Σ K a^{l−1}_{f',t∘g∘h}(x) = z^l_{f,t∘g}(x); the features
// of a permuted configuration are the features of x on left-translated
// group elements. Hence, substituting g' = t∘g in the sum over g,
//
//	ψ(x∘t) = Σ_g χ(t⁻¹∘g)* exp φ_g(x) = χ(t) ψ(x)
//
// for a unitary one-dimensional character (χ(t⁻¹)* = χ(t)): ψ lies in the
// symmetry sector of χ. The trivial character gives the zero-momentum,
// fully symmetric sector; the characters of lattice.PiCharacters give
// momentum π; SignCharacters lists every ±1 character of a group (for an
// automorphism group, the sign representations of the point group combined
// with momenta 0 and π). For configurations with a non-trivial stabilizer
// the sum may vanish exactly (ψ = 0, log ψ = −Inf): such a configuration
// has no weight in the sector.
//
// Complex (holomorphic) networks have complex parameters and the complex
// extension of the activation. Real networks have real parameters in
// every layer, real features, and a complex readout c_f = v_f + i u_f with
// two real parameters per feature, so that φ_g = A_g + iΦ_g is a real
// amplitude and a real phase: log ψ is complex and its derivatives O_k
// are complex although the parameters are real (as the FFNN's heads).
//
// Parameters, in order: b¹ (F_1), W (F_1×N, W_{f,i} at f·N+i); for each
// l ≥ 2, b^l (F_l) and K^l (F_l×F_{l−1}×|G|, K_{f,f',h} at
// (f·F_{l−1}+f')·|G|+h); then the readout c (F_L), or v (F_L) and u (F_L)
// for a real network. The count is F_1(N+1) + Σ_{l≥2} F_l(F_{l−1}|G|+1) +
// F_L (2F_L real).
//
// Costs: the embedding is a look-up table, updated in O(F_1·|G|) per
// flipped spin; each further layer costs O(F_l·F_{l−1}·|G|²) per
// evaluation, so a log-ratio of a deep network costs a full pass through
// layers 2 … L. LogDeriv is a backward pass of the same order.
//
// This is the group-convolutional architecture of Cohen and Welling,
// ICML 2016, applied to wavefunctions by Roth, Szabó and MacDonald,
// Phys. Rev. B 108, 054410 (2023); the formulas here are derived from the
// definitions above.
type GCNN struct {
	n, ng       int
	widths      []int
	holomorphic bool
	act         Activation
	perm        [][]int // perm[g][i] = g(i)
	inv         [][]int // inv[g][k] = g⁻¹(k)
	mul         []int32 // mul[g·|G|+h] = g∘h
	chiConj     []complex128

	p    []complex128 // parameters; zero imaginary parts if real
	offB []int        // offB[l]: offset of b^{l+1}
	offW []int        // offW[l]: offset of W (l = 0) or K^{l+1}
	offC int          // offset of the readout
	// wexp[k·F_1·|G| + f·|G| + g] = W_{f, g⁻¹(k)}: the change of z¹_{f,g}
	// per unit change of x_k.
	wexp []complex128
	c    []complex128 // effective readout c_f (v_f + i u_f if real)
	// Real networks run their forward passes in float64: pr holds the
	// real parts of p, wexpR those of wexp.
	pr    []float64
	wexpR []float64
}

var (
	_ Ansatz = (*GCNN)(nil)
	_ Cache  = (*gcnnCache)(nil)
)

// NewGCNN returns a group-convolutional network over the permutation group
// given as site permutations (group[g][i] is the image of site i under g, as
// lattice.Lattice.Translations and Automorphisms return them), with
// len(widths) layers of the given numbers of features, the activation act,
// complex parameters if holomorphic, projected onto the character chars
// (chars[g] = χ(g), unit modulus, a homomorphism; nil for the trivial
// character). All parameters are zero; call InitRandom. The group and the
// characters are copied.
//
// It panics if widths is empty or has a width < 1, the group is not a
// group of permutations (see NewSymmRBM), or chars has the wrong length,
// is not of unit modulus, or is not a homomorphism (|χ(g∘h) − χ(g)χ(h)| >
// 1e-9).
func NewGCNN(group [][]int, widths []int, act Activation, holomorphic bool, chars []complex128) *GCNN {
	if len(widths) == 0 {
		panic("ansatz: GCNN needs at least one layer")
	}
	for _, w := range widths {
		if w < 1 {
			panic(fmt.Sprintf("ansatz: GCNN needs positive widths, got %v", widths))
		}
	}
	if !act.valid() {
		panic(fmt.Sprintf("ansatz: GCNN: invalid activation %v", act))
	}
	n := checkGroup("GCNN", group)
	ng := len(group)
	m := &GCNN{n: n, ng: ng, widths: append([]int(nil), widths...), holomorphic: holomorphic, act: act}
	m.perm, m.inv = copyGroup(group)
	m.mul = mulTable(m.perm)
	m.chiConj = make([]complex128, ng)
	if chars == nil {
		for g := range m.chiConj {
			m.chiConj[g] = 1
		}
	} else {
		if len(chars) != ng {
			panic(fmt.Sprintf("ansatz: GCNN: %d characters for %d group elements", len(chars), ng))
		}
		if err := checkCharacter(m.mul, ng, chars); err != nil {
			panic("ansatz: GCNN: " + err.Error())
		}
		for g, c := range chars {
			m.chiConj[g] = cmplx.Conj(c)
		}
	}
	np := 0
	prev := 0
	for l, w := range widths {
		m.offB = append(m.offB, np)
		np += w
		m.offW = append(m.offW, np)
		if l == 0 {
			np += w * n
		} else {
			np += w * prev * ng
		}
		prev = w
	}
	m.offC = np
	np += prev
	if !holomorphic {
		np += prev
	}
	m.p = make([]complex128, np)
	m.wexp = make([]complex128, n*widths[0]*ng)
	if !holomorphic {
		m.pr = make([]float64, np)
		m.wexpR = make([]float64, n*widths[0]*ng)
	}
	m.c = make([]complex128, prev)
	m.prepare()
	return m
}

// mulTable returns the multiplication table of a group of permutations:
// mul[g·|G|+h] is the index of g∘h, (g∘h)(i) = g(h(i)). The elements are
// looked up by the image of every site, through a hash of the permutation.
func mulTable(perm [][]int) []int32 {
	ng := len(perm)
	n := len(perm[0])
	index := make(map[uint64][]int, ng)
	for g, p := range perm {
		key := permHash(p)
		index[key] = append(index[key], g)
	}
	mul := make([]int32, ng*ng)
	prod := make([]int, n)
	for g, pg := range perm {
		for h, ph := range perm {
			for i, k := range ph {
				prod[i] = pg[k]
			}
			found := -1
			for _, e := range index[permHash(prod)] {
				if equalInts(perm[e], prod) {
					found = e
				}
			}
			if found < 0 { // checkGroup ran first
				panic("ansatz: GCNN: the permutations are not a group")
			}
			mul[g*ng+h] = int32(found)
		}
	}
	return mul
}

// checkCharacter reports whether chars is a unit-modulus homomorphism of
// the group with multiplication table mul.
func checkCharacter(mul []int32, ng int, chars []complex128) error {
	const tol = 1e-9
	for g, c := range chars {
		if math.Abs(cmplx.Abs(c)-1) > tol {
			return fmt.Errorf("character %d = %v is not of unit modulus", g, c)
		}
	}
	for g := range ng {
		for h := range ng {
			gh := mul[g*ng+h]
			if d := cmplx.Abs(chars[gh] - chars[g]*chars[h]); d > tol {
				return fmt.Errorf("the characters are not a homomorphism: χ(%d∘%d) = %v ≠ χ(%d)·χ(%d) = %v", g, h, chars[gh], g, h, chars[g]*chars[h])
			}
		}
	}
	return nil
}

// SignCharacters returns every one-dimensional character of the
// permutation group with values ±1 (the homomorphisms G → {+1, −1}),
// aligned with group: the trivial character first, the others in
// lexicographic order of their values over the elements (+1 before −1).
// A group has 2^r of them for some r ≥ 0. It panics if group is not a
// group of permutations.
//
// The group is generated greedily (each element not yet generated is a new
// generator); a ±1 character is fixed by its values on the generators, and
// each of the 2^s assignments is propagated over the Cayley graph and kept
// if it is consistent on every edge, which makes it a homomorphism.
func SignCharacters(group [][]int) [][]int8 {
	checkGroup("SignCharacters", group)
	perm, _ := copyGroup(group)
	mul := mulTable(perm)
	ng := len(perm)
	// Greedy generating set: closure by breadth-first search.
	in := make([]bool, ng)
	in[identityIndex(perm)] = true
	var gens []int
	for g := range ng {
		if in[g] {
			continue
		}
		gens = append(gens, g)
		// Closure of the generated subgroup: multiply every element by
		// every generator until nothing new appears.
		queue := []int{}
		for e := range ng {
			if in[e] {
				queue = append(queue, e)
			}
		}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for _, s := range gens {
				v := int(mul[u*ng+s])
				if !in[v] {
					in[v] = true
					queue = append(queue, v)
				}
			}
		}
	}
	if len(gens) > 20 {
		panic(fmt.Sprintf("ansatz: SignCharacters: %d generators found greedily, too many to enumerate", len(gens)))
	}
	id := identityIndex(perm)
	var out [][]int8
	chi := make([]int8, ng)
	for mask := 0; mask < 1<<len(gens); mask++ {
		clear(chi)
		chi[id] = 1
		queue := []int{id}
		ok := true
		for len(queue) > 0 && ok {
			u := queue[0]
			queue = queue[1:]
			for j, s := range gens {
				sv := int8(1)
				if mask>>j&1 == 1 {
					sv = -1
				}
				v := int(mul[u*ng+s])
				want := chi[u] * sv
				if chi[v] == 0 {
					chi[v] = want
					queue = append(queue, v)
				} else if chi[v] != want {
					ok = false
					break
				}
			}
		}
		if ok {
			out = append(out, append([]int8(nil), chi...))
		}
	}
	// Sort: trivial first (all +1 is lexicographically smallest with +1
	// before −1), then lexicographic.
	less := func(a, b []int8) bool {
		for i := range a {
			if a[i] != b[i] {
				return a[i] > b[i]
			}
		}
		return false
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && less(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// identityIndex returns the index of the identity permutation.
func identityIndex(perm [][]int) int {
	for g, p := range perm {
		id := true
		for i, k := range p {
			if i != k {
				id = false
				break
			}
		}
		if id {
			return g
		}
	}
	panic("ansatz: the group has no identity")
}

// prepare rebuilds the expanded embedding table and the effective readout
// from the parameters.
func (m *GCNN) prepare() {
	n, ng, f1 := m.n, m.ng, m.widths[0]
	w := m.p[m.offW[0] : m.offW[0]+f1*n]
	for k := range n {
		row := m.wexp[k*f1*ng : (k+1)*f1*ng]
		for f := range f1 {
			wf := w[f*n : (f+1)*n]
			for g := range ng {
				row[f*ng+g] = wf[m.inv[g][k]]
			}
		}
	}
	if !m.holomorphic {
		for k, v := range m.p {
			m.pr[k] = real(v)
		}
		for k, v := range m.wexp {
			m.wexpR[k] = real(v)
		}
	}
	fl := len(m.c)
	for f := range fl {
		if m.holomorphic {
			m.c[f] = m.p[m.offC+f]
		} else {
			m.c[f] = complex(real(m.p[m.offC+f]), real(m.p[m.offC+fl+f]))
		}
	}
}

// InitRandom draws every parameter from a normal distribution: biases with
// standard deviation scale, weights and kernels with scale/√fan-in (fan-in
// N for the embedding, F_{l−1}·|G| for a convolution, F_L for the
// readout), in parameter order; a holomorphic network draws the real and
// then the imaginary part of each. Caches must be Reset afterwards.
func (m *GCNN) InitRandom(rng *rand.Rand, scale float64) {
	draw := func(lo, hi int, s float64) {
		for k := lo; k < hi; k++ {
			re := s * rng.NormFloat64()
			if m.holomorphic {
				m.p[k] = complex(re, s*rng.NormFloat64())
			} else {
				m.p[k] = complex(re, 0)
			}
		}
	}
	fan := m.n
	for l, w := range m.widths {
		draw(m.offB[l], m.offW[l], scale)
		end := m.offC
		if l+1 < len(m.widths) {
			end = m.offB[l+1]
		}
		draw(m.offW[l], end, scale/math.Sqrt(float64(fan)))
		fan = w * m.ng
	}
	draw(m.offC, len(m.p), scale/math.Sqrt(float64(m.widths[len(m.widths)-1])))
	m.prepare()
}

// ScaleAmplitude multiplies the amplitude readout v of a real network by
// f. InitRandom draws v and the phase readout u alike; a wide network then
// starts with amplitudes exp(Σ_f v_f a_f) so uneven that the Markov chains
// stick to few configurations, while shrinking the whole initialization
// instead leaves the phases near zero, a stationary point of the energy
// (a real positive state's energy has no first-order change in the
// phases). A factor ≈ 0.1 on v alone avoids both (benchmarks/gcnn). It
// panics for a holomorphic network, which has no separate amplitude.
func (m *GCNN) ScaleAmplitude(f float64) {
	if m.holomorphic {
		panic("ansatz: ScaleAmplitude of a holomorphic GCNN")
	}
	for k := m.offC; k < m.offC+m.widths[len(m.widths)-1]; k++ {
		m.p[k] *= complex(f, 0)
	}
	m.prepare()
}

// NumSites returns N.
func (m *GCNN) NumSites() int { return m.n }

// NumParams returns the number of parameters (see GCNN).
func (m *GCNN) NumParams() int { return len(m.p) }

// Holomorphic reports whether the parameters are complex.
func (m *GCNN) Holomorphic() bool { return m.holomorphic }

// GroupOrder returns |G|.
func (m *GCNN) GroupOrder() int { return m.ng }

// String describes the network, e.g.
// "GCNN(N=16, |G|=16, features=[8 8], lncosh, complex, 1176 params)".
func (m *GCNN) String() string {
	mode := "complex"
	if !m.holomorphic {
		mode = "real"
	}
	return fmt.Sprintf("GCNN(N=%d, |G|=%d, features=%v, %s, %s, %d params)", m.n, m.ng, m.widths, m.act, mode, len(m.p))
}

// Params copies the parameters into dst, which must have length NumParams.
func (m *GCNN) Params(dst []complex128) { copyParams("GCNN", dst, m.p) }

// SetParams replaces the parameters by p, of length NumParams (a real
// network ignores imaginary parts), and rebuilds the embedding table in
// O(F_1·|G|·N). Existing caches are stale until Reset.
func (m *GCNN) SetParams(p []complex128) {
	storeParams("GCNN", m.p, p, m.holomorphic)
	m.prepare()
}

// gcnnState is one forward pass: pre-activations z[l] and activations
// a[l] (F_l·|G| each, feature-major: index f·|G|+g), the readout φ (|G|)
// and log ψ.
//
// A real network keeps its features in zr and ar; z and a then serve the
// backward pass only (filled from zr and ar by LogDeriv).
type gcnnState struct {
	z, a   [][]complex128
	zr, ar [][]float64 // real networks
	phi    []complex128
	logPsi complex128
}

func (m *GCNN) newState() gcnnState {
	nl := len(m.widths)
	s := gcnnState{z: make([][]complex128, nl), a: make([][]complex128, nl), phi: make([]complex128, m.ng)}
	if !m.holomorphic {
		s.zr, s.ar = make([][]float64, nl), make([][]float64, nl)
	}
	for l, w := range m.widths {
		s.z[l] = make([]complex128, w*m.ng)
		s.a[l] = make([]complex128, w*m.ng)
		if !m.holomorphic {
			s.zr[l] = make([]float64, w*m.ng)
			s.ar[l] = make([]float64, w*m.ng)
		}
	}
	return s
}

// embedState writes layer 1 of s for x from scratch.
func (m *GCNN) embedState(x []int8, s *gcnnState) {
	if m.holomorphic {
		m.embed(x, s.z[0])
	} else {
		m.embedR(x, s.zr[0])
	}
}

// forwardState runs the layers after the embedding, the readout and the
// projection; tmp has length |G|.
func (m *GCNN) forwardState(s *gcnnState, tmp []complex128, tmpr []float64) {
	if m.holomorphic {
		m.forward(s, tmp)
	} else {
		m.forwardR(s, tmpr)
	}
}

// embedR is embed for a real network.
func (m *GCNN) embedR(x []int8, z1 []float64) {
	embedInto(x, z1, m.pr[m.offB[0]:m.offB[0]+m.widths[0]], m.wexpR, m.ng)
}

// forwardR is forward for a real network: real features, complex readout.
func (m *GCNN) forwardR(s *gcnnState, tmp []float64) {
	ng := m.ng
	m.act.applyR(s.zr[0], s.ar[0])
	for l := 1; l < len(m.widths); l++ {
		fo, fi := m.widths[l], m.widths[l-1]
		z, ain := s.zr[l], s.ar[l-1]
		groupConv(z, ain, m.pr[m.offB[l]:m.offB[l]+fo], m.pr[m.offW[l]:m.offW[l]+fo*fi*ng], m.mul, tmp, fi, dotR)
		m.act.applyR(z, s.ar[l])
	}
	last := s.ar[len(m.widths)-1]
	for g := range ng {
		s.phi[g] = 0
	}
	for f, c := range m.c {
		cr, ci := real(c), imag(c)
		af := last[f*ng : (f+1)*ng]
		for g, v := range af {
			s.phi[g] += complex(cr*v, ci*v)
		}
	}
	s.logPsi = m.project(s.phi)
}

// groupConv writes the pre-activations of a group-convolutional layer,
//
//	z_{f,g} = b_f + Σ_{f'} Σ_h k_{f,f',h} a_{f', g·h},
//
// with the group's multiplication table mul (g·h = mul[g·|G|+h]), fi input
// features ain, the kernel k (fo·fi·|G|, fo = len(b)) and scratch tmp of
// length |G|; dot is the inner product of the element type.
func groupConv[T float64 | complex128](z, ain, b, k []T, mul []int32, tmp []T, fi int, dot func(a, b []T) T) {
	ng := len(tmp)
	fo := len(b)
	for f := range fo {
		for g := range ng {
			z[f*ng+g] = b[f]
		}
	}
	for g := range ng {
		row := mul[g*ng : (g+1)*ng]
		for fp := range fi {
			af := ain[fp*ng : (fp+1)*ng]
			for h, u := range row {
				tmp[h] = af[u]
			}
			for f := range fo {
				z[f*ng+g] += dot(k[(f*fi+fp)*ng:(f*fi+fp+1)*ng], tmp)
			}
		}
	}
}

// dotR returns Σ_k a_k b_k.
func dotR(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(a); k += 4 {
		s0 += a[k] * b[k]
		s1 += a[k+1] * b[k+1]
		s2 += a[k+2] * b[k+2]
		s3 += a[k+3] * b[k+3]
	}
	for ; k < len(a); k++ {
		s0 += a[k] * b[k]
	}
	return (s0 + s1) + (s2 + s3)
}

// embed writes z¹(x) from scratch.
func (m *GCNN) embed(x []int8, z1 []complex128) {
	embedInto(x, z1, m.p[m.offB[0]:m.offB[0]+m.widths[0]], m.wexp, m.ng)
}

// embedInto writes the first-layer features z¹_{f,g} = b_f + Σ_k x_k
// w_{k,f,g} (expanded weights wexp, row k of length F₁·|G|) into z1.
func embedInto[T float64 | complex128](x []int8, z1, bias, wexp []T, ng int) {
	f1 := len(bias)
	for f, b := range bias {
		for g := range ng {
			z1[f*ng+g] = b
		}
	}
	for k, xk := range x {
		row := wexp[k*f1*ng : (k+1)*f1*ng]
		if xk > 0 {
			for j, w := range row {
				z1[j] += w
			}
		} else {
			for j, w := range row {
				z1[j] -= w
			}
		}
	}
}

// forward computes layers 2 … L, the readout and log ψ from s.z[0];
// tmp has length |G|.
func (m *GCNN) forward(s *gcnnState, tmp []complex128) {
	ng := m.ng
	m.activate(s.z[0], s.a[0])
	for l := 1; l < len(m.widths); l++ {
		fo, fi := m.widths[l], m.widths[l-1]
		z, ain := s.z[l], s.a[l-1]
		groupConv(z, ain, m.p[m.offB[l]:m.offB[l]+fo], m.p[m.offW[l]:m.offW[l]+fo*fi*ng], m.mul, tmp, fi, dotC)
		m.activate(z, s.a[l])
	}
	last := s.a[len(m.widths)-1]
	for g := range ng {
		s.phi[g] = 0
	}
	for f, c := range m.c {
		af := last[f*ng : (f+1)*ng]
		for g, v := range af {
			s.phi[g] += c * v
		}
	}
	s.logPsi = m.project(s.phi)
}

// project returns log Σ_g χ(g)* exp φ_g, shifted by the largest real part.
func (m *GCNN) project(phi []complex128) complex128 {
	mx := math.Inf(-1)
	for _, v := range phi {
		mx = math.Max(mx, real(v))
	}
	var sum complex128
	for g, v := range phi {
		sum += m.chiConj[g] * cmplx.Exp(v-complex(mx, 0))
	}
	return complex(mx+math.Log(cmplx.Abs(sum)), math.Atan2(imag(sum), real(sum)))
}

// activate writes σ(z) into a (complex arithmetic; real networks have
// zero imaginary parts throughout the hidden layers).
func (m *GCNN) activate(z, a []complex128) {
	if m.holomorphic {
		m.act.applyC(z, a)
		return
	}
	for k, v := range z {
		a[k] = complex(m.act.scalarR(real(v)), 0)
	}
}

// dotC returns Σ_k a_k b_k.
func dotC(a, b []complex128) complex128 {
	b = b[:len(a)]
	var re, im float64
	for k, x := range a {
		y := b[k]
		re += real(x)*real(y) - imag(x)*imag(y)
		im += real(x)*imag(y) + imag(x)*real(y)
	}
	return complex(re, im)
}

// LogPsi returns log ψ(x) from scratch. It allocates its work space.
func (m *GCNN) LogPsi(x []int8) complex128 {
	if len(x) != m.n {
		panic(fmt.Sprintf("ansatz: GCNN.LogPsi: len(x) = %d, want %d sites", len(x), m.n))
	}
	s := m.newState()
	m.embedState(x, &s)
	m.forwardState(&s, make([]complex128, m.ng), make([]float64, m.ng))
	return s.logPsi
}

// NewCache returns a cache positioned at a copy of x.
func (m *GCNN) NewCache(x []int8) Cache {
	if len(x) != m.n {
		panic(fmt.Sprintf("ansatz: GCNN.NewCache: len(x) = %d, want %d sites", len(x), m.n))
	}
	maxw := 0
	for _, w := range m.widths {
		maxw = max(maxw, w)
	}
	c := &gcnnCache{
		m: m, x: make([]int8, m.n), cur: m.newState(), trial: m.newState(), tmp: make([]complex128, m.ng), tmpr: make([]float64, m.ng),
		dtmp: make([]complex128, m.ng), last: make([]int, 0, m.n),
		da: make([]complex128, maxw*m.ng), dz: make([]complex128, maxw*m.ng),
	}
	c.Reset(x)
	return c
}

// gcnnCache keeps the forward pass of the current configuration and that
// of the last priced move. The embedding z¹ is updated incrementally
// (−2 x_k W_{f,g⁻¹(k)} per flipped spin k) and recomputed from scratch every
// refreshEvery accepted moves; the deeper layers are recomputed.
type gcnnCache struct {
	m        *GCNN
	x        []int8
	cur      gcnnState
	trial    gcnnState // forward pass of x with last flipped
	last     []int     // the move trial holds
	hasTrial bool
	accepted int
	tmp      []complex128
	tmpr     []float64
	dtmp     []complex128
	da, dz   []complex128 // backward-pass buffers
}

// Reset positions the cache at a copy of x.
func (c *gcnnCache) Reset(x []int8) {
	if len(x) != c.m.n {
		panic(fmt.Sprintf("ansatz: GCNN cache Reset: len(x) = %d, want %d sites", len(x), c.m.n))
	}
	copy(c.x, x)
	c.m.embedState(c.x, &c.cur)
	c.m.forwardState(&c.cur, c.tmp, c.tmpr)
	c.hasTrial = false
	c.accepted = 0
}

// Config returns the current configuration.
func (c *gcnnCache) Config() []int8 { return c.x }

// LogPsi returns log ψ of the current configuration.
func (c *gcnnCache) LogPsi() complex128 { return c.cur.logPsi }

// price computes the forward pass of x with flips flipped into c.trial.
func (c *gcnnCache) price(flips []int) {
	m := c.m
	ng, f1 := m.ng, m.widths[0]
	if !m.holomorphic {
		z1 := c.trial.zr[0]
		copy(z1, c.cur.zr[0])
		for _, k := range flips {
			row := m.wexpR[k*f1*ng : (k+1)*f1*ng]
			if c.x[k] > 0 {
				for j, w := range row {
					z1[j] -= 2 * w
				}
			} else {
				for j, w := range row {
					z1[j] += 2 * w
				}
			}
		}
		m.forwardR(&c.trial, c.tmpr)
		c.last = append(c.last[:0], flips...)
		c.hasTrial = true
		return
	}
	z1 := c.trial.z[0]
	copy(z1, c.cur.z[0])
	for _, k := range flips {
		row := m.wexp[k*f1*ng : (k+1)*f1*ng]
		if c.x[k] > 0 { // x_k: +1 → −1, Δz = −2 W
			for j, w := range row {
				z1[j] -= 2 * w
			}
		} else {
			for j, w := range row {
				z1[j] += 2 * w
			}
		}
	}
	m.forward(&c.trial, c.tmp)
	c.last = append(c.last[:0], flips...)
	c.hasTrial = true
}

// LogRatio returns log ψ(x') − log ψ(x) for x' = x with flips flipped:
// O(F_1·|G|·len(flips)) for the embedding and a forward pass through the
// deeper layers. It allocates nothing. The cache's configuration is not
// changed; the pass is kept for an Accept of the same move.
func (c *gcnnCache) LogRatio(flips []int) complex128 {
	if len(flips) == 0 {
		return 0
	}
	c.price(flips)
	return c.trial.logPsi - c.cur.logPsi
}

// Accept moves the cache to x with flips flipped, reusing the pass of the
// last LogRatio when it priced the same move (same sites in the same
// order).
func (c *gcnnCache) Accept(flips []int) {
	if len(flips) == 0 {
		return
	}
	if !c.hasTrial || !equalInts(c.last, flips) {
		c.price(flips)
	}
	c.cur, c.trial = c.trial, c.cur
	c.hasTrial = false
	for _, k := range flips {
		c.x[k] = -c.x[k]
	}
	if c.accepted++; c.accepted%refreshEvery == 0 {
		c.m.embedState(c.x, &c.cur)
		c.m.forwardState(&c.cur, c.tmp, c.tmpr)
	}
}

// LogDeriv writes O_k = ∂ log ψ/∂θ_k for the current configuration into
// dst by a backward pass:
//
//	w_g = χ(g)* e^{φ_g} / Σ_h χ(h)* e^{φ_h},   ∂/∂c_f = Σ_g w_g a^L_{f,g},
//	δa^L_{f,g} = c_f w_g,   δz^l = δa^l σ'(z^l),   ∂/∂b^l_f = Σ_g δz^l_{f,g},
//	∂/∂K^l_{f,f',h} = Σ_g δz^l_{f,g} a^{l−1}_{f',g∘h},
//	δa^{l−1}_{f',u} = Σ_{f} Σ_{g∘h=u} δz^l_{f,g} K^l_{f,f',h},
//	∂/∂W_{f,i} = Σ_g δz¹_{f,g} x_{g(i)},
//
// and for a real network ∂/∂v_f = ∂/∂c_f, ∂/∂u_f = i ∂/∂c_f. It allocates
// nothing.
func (c *gcnnCache) LogDeriv(dst []complex128) {
	m := c.m
	if len(dst) != len(m.p) {
		panic(fmt.Sprintf("ansatz: GCNN LogDeriv: len(dst) = %d, want %d", len(dst), len(m.p)))
	}
	ng, nl := m.ng, len(m.widths)
	s := &c.cur
	if !m.holomorphic { // the backward pass runs in complex arithmetic
		for l := range m.widths {
			for k, v := range s.zr[l] {
				s.z[l][k] = complex(v, 0)
			}
			for k, v := range s.ar[l] {
				s.a[l][k] = complex(v, 0)
			}
		}
	}
	// Projection weights w_g in c.tmp.
	mx := math.Inf(-1)
	for _, v := range s.phi {
		mx = math.Max(mx, real(v))
	}
	var sum complex128
	w := c.tmp
	for g, v := range s.phi {
		w[g] = m.chiConj[g] * cmplx.Exp(v-complex(mx, 0))
		sum += w[g]
	}
	inv := 1 / sum
	for g := range w {
		w[g] *= inv
	}
	// Readout.
	fl := m.widths[nl-1]
	da := c.da[:fl*ng]
	lastA := s.a[nl-1]
	for f := range fl {
		af := lastA[f*ng : (f+1)*ng]
		d := dotC(af, w)
		if m.holomorphic {
			dst[m.offC+f] = d
		} else {
			dst[m.offC+f] = d
			dst[m.offC+fl+f] = complex(-imag(d), real(d))
		}
		cf := m.c[f]
		for g := range ng {
			da[f*ng+g] = cf * w[g]
		}
	}
	for l := nl - 1; l >= 0; l-- {
		fo := m.widths[l]
		dz := c.dz[:fo*ng]
		m.derivTimes(s.z[l], c.da[:fo*ng], dz)
		// Biases.
		for f := range fo {
			var sb complex128
			for _, v := range dz[f*ng : (f+1)*ng] {
				sb += v
			}
			dst[m.offB[l]+f] = sb
		}
		if l == 0 {
			n := m.n
			dw := dst[m.offW[0] : m.offW[0]+fo*n]
			clear(dw)
			for f := range fo {
				row := dw[f*n : (f+1)*n]
				for g, pg := range m.perm {
					d := dz[f*ng+g]
					for i, k := range pg {
						if c.x[k] > 0 {
							row[i] += d
						} else {
							row[i] -= d
						}
					}
				}
			}
			break
		}
		fi := m.widths[l-1]
		ain := s.a[l-1]
		kp := m.p[m.offW[l] : m.offW[l]+fo*fi*ng]
		dk := dst[m.offW[l] : m.offW[l]+fo*fi*ng]
		clear(dk)
		dain := c.da[:fi*ng]
		// dain and dz alias different buffers: c.da is overwritten only
		// after dz has been formed from it.
		clear(dain)
		gat, acc := c.dtmp, w // w is no longer needed
		for g := range ng {
			row := m.mul[g*ng : (g+1)*ng]
			for fp := range fi {
				af := ain[fp*ng : (fp+1)*ng]
				for h, u := range row {
					gat[h] = af[u]
				}
				clear(acc)
				for f := range fo {
					d := dz[f*ng+g]
					if d == 0 {
						continue
					}
					base := (f*fi + fp) * ng
					dkr := dk[base : base+ng]
					kr := kp[base : base+ng]
					axpyC(d, gat, dkr)
					axpyC(d, kr, acc)
				}
				daf := dain[fp*ng : (fp+1)*ng]
				for h, u := range row {
					daf[u] += acc[h]
				}
			}
		}
	}
}

// derivTimes writes da_k σ'(z_k) into dz.
func (m *GCNN) derivTimes(z, da, dz []complex128) {
	if m.holomorphic {
		m.act.derivC(z, dz)
		for k := range dz {
			dz[k] *= da[k]
		}
		return
	}
	for k, v := range z {
		dz[k] = da[k] * complex(m.act.scalarDerivR(real(v)), 0)
	}
}

// axpyC adds a·x to y.
func axpyC(a complex128, x, y []complex128) {
	y = y[:len(x)]
	ar, ai := real(a), imag(a)
	for k, v := range x {
		vr, vi := real(v), imag(v)
		y[k] += complex(ar*vr-ai*vi, ar*vi+ai*vr)
	}
}

// scalarR returns σ(v) for a real argument.
func (a Activation) scalarR(v float64) float64 {
	switch a {
	case Tanh:
		return math.Tanh(v)
	case Softplus:
		return 0.5*v + lncoshReal(0.5*v)
	}
	return lncoshReal(v)
}

// scalarDerivR returns σ'(v) for a real argument.
func (a Activation) scalarDerivR(v float64) float64 {
	switch a {
	case Tanh:
		t := math.Tanh(v)
		return 1 - t*t
	case Softplus:
		return 0.5 + 0.5*math.Tanh(0.5*v)
	}
	return math.Tanh(v)
}

// InvarianceGroup returns the group G of the network; ψ(x∘g) = χ(g) ψ(x)
// for its character χ (see Invariant).
func (m *GCNN) InvarianceGroup() [][]int { return m.perm }
