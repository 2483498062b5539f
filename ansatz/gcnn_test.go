package ansatz

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/lattice"
)

// momentumChars returns the characters χ(t) = exp(i 2π q m_t / L) of the
// translations of a chain of L sites, where m_t = t(0) is the shift of t.
func momentumChars(group [][]int, q int) []complex128 {
	l := len(group[0])
	chars := make([]complex128, len(group))
	for g, p := range group {
		chars[g] = cmplx.Exp(complex(0, 2*math.Pi*float64(q*p[0])/float64(l)))
	}
	return chars
}

func int8Chars(c []int8) []complex128 {
	out := make([]complex128, len(c))
	for g, v := range c {
		out[g] = complex(float64(v), 0)
	}
	return out
}

// nonzeroIn returns the test for configurations on which a network
// projected onto chars need not vanish: no group element with χ(g) ≠ 1
// fixes x. (If g fixes x, ψ(x) = χ(g) ψ(x), so ψ(x) = 0 unless χ(g) = 1.)
func nonzeroIn(group [][]int, chars []complex128) func(x []int8) bool {
	return func(x []int8) bool {
		for g, p := range group {
			if cmplx.Abs(chars[g]-1) < 1e-9 {
				continue
			}
			fixed := true
			for i, k := range p {
				if x[k] != x[i] {
					fixed = false
					break
				}
			}
			if fixed {
				return false
			}
		}
		return true
	}
}

// gcnnNonzero is nonzeroIn for the group and character of m.
func gcnnNonzero(m *GCNN, x []int8) bool {
	chars := make([]complex128, m.ng)
	for g, c := range m.chiConj {
		chars[g] = cmplx.Conj(c)
	}
	return nonzeroIn(m.perm, chars)(x)
}

type gcnnCase struct {
	name   string
	group  [][]int
	widths []int
	act    Activation
	holo   bool
	chars  []complex128
	scale  float64
}

func gcnnCases(t testing.TB) []gcnnCase {
	chain8 := mustLattice(t, lattice.Chain, []int{8}, true)
	tr8 := chain8.Translations()
	pi8, err := chain8.PiCharacters()
	if err != nil {
		t.Fatal(err)
	}
	auto6, err := mustLattice(t, lattice.Chain, []int{6}, true).Automorphisms()
	if err != nil {
		t.Fatal(err)
	}
	auto10, err := mustLattice(t, lattice.Chain, []int{10}, true).Automorphisms()
	if err != nil {
		t.Fatal(err)
	}
	signs10 := SignCharacters(auto10)
	square := mustLattice(t, lattice.Square, []int{3, 3}, true).Translations()
	honey := mustLattice(t, lattice.Honeycomb, []int{2, 2}, true).Translations() // |G| = N/2
	return []gcnnCase{
		{"chain8/trivial", tr8, []int{3}, LnCosh, true, nil, 0.5},
		{"chain8/trivial/deep", tr8, []int{3, 2, 2}, LnCosh, true, nil, 0.5},
		{"chain8/k=1", tr8, []int{2, 3}, Tanh, true, momentumChars(tr8, 1), 0.5},
		{"chain8/pi", tr8, []int{2, 3}, LnCosh, false, int8Chars(pi8), 0.7},
		{"chain10-auto/sign", auto10, []int{2, 2}, Softplus, true, int8Chars(signs10[len(signs10)-1]), 0.5},
		{"chain6-auto/trivial", auto6, []int{2, 2}, Tanh, false, nil, 0.7},
		{"square3x3", square, []int{2, 2}, Tanh, false, nil, 0.7},
		{"honeycomb2x2", honey, []int{2, 2}, LnCosh, true, nil, 0.5},
		{"chain8/large", tr8, []int{2, 2}, LnCosh, true, nil, 2},
	}
}

func (tc gcnnCase) contract() contractCase {
	dtype := "complex"
	if !tc.holo {
		dtype = "real"
	}
	cc := contractCase{
		name:  fmt.Sprintf("%s/%v/%s/%s/scale=%v", tc.name, tc.widths, tc.act, dtype, tc.scale),
		new:   func() initializer { return NewGCNN(tc.group, tc.widths, tc.act, tc.holo, tc.chars) },
		scale: tc.scale,
	}
	return cc
}

func TestGCNNContract(t *testing.T) {
	var cases []contractCase
	for _, tc := range gcnnCases(t) {
		cases = append(cases, tc.contract())
	}
	runContract(t, cases)
}

// TestGCNNEquivariance checks that the features of a permuted
// configuration are those of x on left-translated group elements,
// z^l_{f,g}(x∘t) = z^l_{f,t∘g}(x), in every layer, and that log ψ
// transforms with the character: log ψ(x∘t) = log ψ(x) + log χ(t)
// (mod 2πi). Tolerance 1e-10: the same sums in another order.
func TestGCNNEquivariance(t *testing.T) {
	const tol = 1e-10
	for ci, tc := range gcnnCases(t) {
		rng := rand.New(rand.NewPCG(uint64(ci), 77))
		m := NewGCNN(tc.group, tc.widths, tc.act, tc.holo, tc.chars)
		m.InitRandom(rng, tc.scale)
		ok := func(x []int8) bool { return tc.chars == nil || nonzeroIn(tc.group, tc.chars)(x) }
		ng := m.ng
		for range 5 {
			x := randConfig(rng, m.n)
			for !ok(x) {
				x = randConfig(rng, m.n)
			}
			sx := m.newState()
			m.embedState(x, &sx)
			m.forwardState(&sx, make([]complex128, ng), make([]float64, ng))
			for t0, pt := range m.perm {
				y := make([]int8, m.n)
				for i, k := range pt {
					y[i] = x[k]
				}
				sy := m.newState()
				m.embedState(y, &sy)
				m.forwardState(&sy, make([]complex128, ng), make([]float64, ng))
				for l, w := range m.widths {
					for f := range w {
						for g := range ng {
							tg := int(m.mul[t0*ng+g])
							zy, zx := sy.z[l][f*ng+g], sx.z[l][f*ng+tg]
							if !tc.holo {
								zy, zx = complex(sy.zr[l][f*ng+g], 0), complex(sx.zr[l][f*ng+tg], 0)
							}
							if d := cmplx.Abs(zy - zx); d > tol {
								t.Fatalf("%s: layer %d feature %d: z_g(x∘t) − z_{t∘g}(x) = %g", tc.name, l, f, d)
							}
						}
					}
				}
				chi := complex(1, 0)
				if tc.chars != nil {
					chi = tc.chars[t0]
				}
				want := sx.logPsi + cmplx.Log(chi)
				if d := logDist(sy.logPsi, want); d > tol {
					t.Fatalf("%s: log ψ(x∘t) = %v, log ψ(x) + log χ(t) = %v", tc.name, sy.logPsi, want)
				}
			}
		}
	}
}

// TestGCNNZeroOnStabilizer checks that a configuration fixed by an element
// of character ≠ 1 has ψ = 0 and that a log-ratio to it is −Inf in its real
// part (a sampler never moves there; a local energy gets zero weight).
func TestGCNNZeroOnStabilizer(t *testing.T) {
	chain := mustLattice(t, lattice.Chain, []int{8}, true)
	pi, err := chain.PiCharacters()
	if err != nil {
		t.Fatal(err)
	}
	m := NewGCNN(chain.Translations(), []int{2, 2}, LnCosh, true, int8Chars(pi))
	m.InitRandom(rand.New(rand.NewPCG(3, 3)), 0.5)
	up := []int8{1, 1, 1, 1, 1, 1, 1, 1}
	if lp := m.LogPsi(up); !(real(lp) < -20) {
		t.Errorf("log ψ(all up) = %v in the k = π sector, want ψ ≈ 0", lp)
	}
	x := []int8{1, 1, 1, 1, 1, 1, 1, -1}
	if lr := m.NewCache(x).LogRatio([]int{7}); !(real(lr) < -20) {
		t.Errorf("log-ratio to the all-up state = %v, want ≈ −Inf", lr)
	}
}

func TestSignCharacters(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    *lattice.Lattice
		auto bool
		want int
	}{
		{"chain8 translations", mustLattice(t, lattice.Chain, []int{8}, true), false, 2}, // Z_8: k = 0, π
		{"chain7 translations", mustLattice(t, lattice.Chain, []int{7}, true), false, 1}, // odd order
		{"chain6 automorphisms", mustLattice(t, lattice.Chain, []int{6}, true), true, 4}, // D_6: 4 one-dimensional ±1 irreps
		{"square4x4 translations", mustLattice(t, lattice.Square, []int{4, 4}, true), false, 4},
	} {
		group := tc.l.Translations()
		if tc.auto {
			var err error
			if group, err = tc.l.Automorphisms(); err != nil {
				t.Fatal(err)
			}
		}
		chars := SignCharacters(group)
		if len(chars) != tc.want {
			t.Errorf("%s: %d sign characters, want %d", tc.name, len(chars), tc.want)
		}
		mul := mulTable(group)
		for k, c := range chars {
			if err := checkCharacter(mul, len(group), int8Chars(c)); err != nil {
				t.Errorf("%s: character %d: %v", tc.name, k, err)
			}
			if k == 0 {
				for _, v := range c {
					if v != 1 {
						t.Errorf("%s: the first character is not trivial: %v", tc.name, c)
						break
					}
				}
			}
		}
	}
}

func TestGCNNPanics(t *testing.T) {
	tr := mustLattice(t, lattice.Chain, []int{4}, true).Translations()
	checkPanics(t,
		func() { NewGCNN(tr, nil, LnCosh, true, nil) },
		func() { NewGCNN(tr, []int{0}, LnCosh, true, nil) },
		func() { NewGCNN(tr, []int{2}, LnCosh, true, []complex128{1, 1}) },
		func() { NewGCNN(tr, []int{2}, LnCosh, true, []complex128{1, -1, 1, 1}) }, // not a homomorphism
		func() { NewGCNN(tr, []int{2}, LnCosh, true, []complex128{1, 2, 4, 8}) },  // not unit modulus
		func() { NewGCNN(tr, []int{2}, LnCosh, true, nil).LogPsi(make([]int8, 3)) },
		func() {
			NewGCNN(tr, []int{2}, LnCosh, true, nil).NewCache([]int8{1, -1, 1, -1}).LogDeriv(make([]complex128, 1))
		},
		func() { NewGCNN(tr, []int{2}, LnCosh, true, nil).ScaleAmplitude(0.1) },
	)
}

// TestGCNNScaleAmplitude checks that ScaleAmplitude scales the amplitude
// readout v of a real network and nothing else, and that log ψ follows:
// with v = 0 every φ_g is a pure phase.
func TestGCNNScaleAmplitude(t *testing.T) {
	chain := mustLattice(t, lattice.Chain, []int{6}, true)
	m := NewGCNN(chain.Translations(), []int{3, 2}, LnCosh, false, nil)
	m.InitRandom(rand.New(rand.NewPCG(4, 4)), 1)
	before := make([]complex128, m.NumParams())
	m.Params(before)
	m.ScaleAmplitude(0.25)
	after := make([]complex128, m.NumParams())
	m.Params(after)
	fl := 2 // the last width: v is after[np−2fl : np−fl], u the last fl
	np := len(after)
	for k := range after {
		want := before[k]
		if k >= np-2*fl && k < np-fl {
			want *= 0.25
		}
		if after[k] != want {
			t.Errorf("parameter %d: %v, want %v", k, after[k], want)
		}
	}
	x := []int8{1, -1, -1, 1, 1, -1}
	m.ScaleAmplitude(0)
	// φ_g = iΦ_g for every g: |Σ_g exp(iΦ_g)| ≤ |G|.
	if lp := m.LogPsi(x); real(lp) > math.Log(6)+1e-12 {
		t.Errorf("log ψ = %v with v = 0, want Re ≤ log |G|", lp)
	}
}

// BenchmarkGCNN: the 4×4 square torus with its 16 translations and with
// the automorphisms of its nearest-neighbour graph, networks of two and
// four layers of 8 features.
func BenchmarkGCNN(b *testing.B) {
	l, err := lattice.New(lattice.Square, []int{4, 4}, []bool{true})
	if err != nil {
		b.Fatal(err)
	}
	auto, err := l.Automorphisms()
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		group  [][]int
		widths []int
		holo   bool
	}{
		{"translations", l.Translations(), []int{8, 8}, true},
		{"translations", l.Translations(), []int{8, 8}, false},
		{"translations", l.Translations(), []int{8, 8, 8, 8}, true},
		{"automorphisms", auto, []int{8, 8}, true},
	} {
		name := fmt.Sprintf("square4x4/%s(|G|=%d)/%v/holo=%v", tc.name, len(tc.group), tc.widths, tc.holo)
		b.Run(name, func(b *testing.B) {
			benchOps(b, func() initializer { return NewGCNN(tc.group, tc.widths, LnCosh, tc.holo, nil) }, 0.5)
		})
	}
}
