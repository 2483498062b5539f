package tdvp

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/vmc-lattice/vmc/ansatz"
	"github.com/vmc-lattice/vmc/vmc"
)

// metricRank returns the numerical rank of S = ⟨Ō† Ō⟩ (Ō = O − ⟨O⟩) of
// psi over the sector with nUp up spins, counting eigenvalues above
// rel·λ_max (of the real embedding [[Re S, −Im S], [Im S, Re S]], whose
// eigenvalues are those of S twice).
func metricRank(t *testing.T, psi ansatz.Ansatz, nUp int, rel float64) int {
	t.Helper()
	smp, err := vmc.NewExact(psi, nil, nUp, 1)
	if err != nil {
		t.Fatal(err)
	}
	var b vmc.Batch
	smp.SampleWith(&b, &Estimator{H: &PauliZZ{N: psi.NumSites(), Pairs: [][2]int{{0, 1}}}, Derivs: true})
	p := b.P
	mean := make([]complex128, p)
	for s := 0; s < b.Ns; s++ {
		for k := range p {
			mean[k] += complex(b.W[s], 0) * b.O[s*p+k]
		}
	}
	m := mat.NewSymDense(2*p, nil)
	for s := 0; s < b.Ns; s++ {
		for k := range p {
			ok := b.O[s*p+k] - mean[k]
			for l := k; l < p; l++ {
				v := complex(b.W[s], 0) * complex(real(ok), -imag(ok)) * (b.O[s*p+l] - mean[l])
				m.SetSym(k, l, m.At(k, l)+real(v))
				m.SetSym(p+k, p+l, m.At(p+k, p+l)+real(v))
				m.SetSym(k, p+l, m.At(k, p+l)-imag(v))
				if l != k {
					m.SetSym(l, p+k, m.At(l, p+k)+imag(v))
				}
			}
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(m, false) {
		t.Fatal("eigendecomposition failed")
	}
	lam := eig.Values(nil)
	n := 0
	for _, v := range lam {
		if v > rel*lam[len(lam)-1] {
			n++
		}
	}
	return n / 2
}

// TestProductStateTangentSpace documents why a Néel product state written
// as an RBM (visible biases ±a) is a singular starting point for the TDVP:
// with W = 0 the derivatives ∂/∂W_ji = x_i tanh b_j are proportional to
// ∂/∂a_i = x_i whatever the hidden biases b, so S has the rank of the
// product-state directions alone (N − 1 in the S^z = 0 sector, where
// Σ x_i = 0) and no correlation can be generated; small nonzero W makes
// the correlated directions appear, with eigenvalues O(W²) smaller.
func TestProductStateTangentSpace(t *testing.T) {
	const n = 6
	rng := rand.New(rand.NewPCG(1, 2))
	build := func(bScale, wScale float64) *ansatz.RBM {
		r := ansatz.NewRBM(n, 2, true)
		p := make([]complex128, r.NumParams())
		for i := range n {
			p[i] = complex(2*float64(1-2*(i%2)), 0) // Néel: a_i = ±2
		}
		for k := n; k < n+2*n; k++ {
			p[k] = complex(bScale*rng.NormFloat64(), bScale*rng.NormFloat64())
		}
		for k := 3 * n; k < len(p); k++ {
			p[k] = complex(wScale*rng.NormFloat64(), wScale*rng.NormFloat64())
		}
		r.SetParams(p)
		return r
	}
	// Sector dimension C(6, 3) = 20: at most 19 directions beyond the norm.
	for _, c := range []struct {
		name     string
		b, w     float64 // scales of the hidden biases and the weights
		min, max int
	}{
		{"W = b = 0", 0, 0, n - 1, n - 1},
		{"W = 0, b ≠ 0", 0.5, 0, n - 1, n - 1},
		{"small W, b ≠ 0", 0.5, 0.01, n, 19},
	} {
		got := metricRank(t, build(c.b, c.w), n/2, 1e-12)
		if got < c.min || got > c.max {
			t.Errorf("%s: rank of S = %d, want %d…%d", c.name, got, c.min, c.max)
		}
		t.Logf("%s: rank of S = %d", c.name, got)
	}
}
