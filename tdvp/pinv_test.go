package tdvp

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/vmc-lattice/vmc/sr"
)

// randomSamples returns Ns samples of P random log-derivatives and local
// energies; with Ns > P the metric S is positive definite.
func randomSamples(rng *rand.Rand, ns, p int) sr.Samples {
	s := sr.Samples{O: make([]complex128, ns*p), E: make([]complex128, ns), Ns: ns, P: p}
	for i := range s.O {
		s.O[i] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	for i := range s.E {
		s.E[i] = complex(rng.NormFloat64(), rng.NormFloat64())
	}
	return s
}

func maxDiff(a, b []complex128) float64 {
	var m float64
	for k := range a {
		m = math.Max(m, cmplx.Abs(a[k]-b[k]))
	}
	return m
}

// TestPinvVariants checks the pseudo-inverse options against a direct
// solve where S is well conditioned (the cut-off then removes nothing:
// the smooth factor is 1 − O((rcond·κ)⁶) and the scaled system has the
// same solution), and the point of DiagScale: with a shift, rescaling the
// parameters θ_k → θ_k/c_k (O_k → c_k O_k) gives θ̇_k → c_k θ̇_k, the same
// trajectory, while the plain shift does not.
func TestPinvVariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const ns, p = 40, 6
	s := randomSamples(rng, ns, p)
	var ws sr.Workspace
	ref := make([]complex128, p)
	if err := pinvSolve(&ws, ref, s, true, Options{RCond: 1e-14}); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []Options{
		{RCond: 1e-12, Smooth: true},
		{RCond: 1e-14, DiagScale: true},
		{RCond: 1e-12, Smooth: true, DiagScale: true},
	} {
		got := make([]complex128, p)
		if err := pinvSolve(&ws, got, s, true, opt); err != nil {
			t.Fatal(err)
		}
		// S has condition number O(10) here: rounding is ~1e-15.
		if d := maxDiff(got, ref); d > 1e-12 {
			t.Errorf("%+v: |x − x_direct| = %.3g", opt, d)
		}
	}

	// Rescaled parameters: O'_k = c_k O_k over 6 decades.
	c := []complex128{1e-3, 1e-2, 1, 10, 100, 1e3}
	s2 := sr.Samples{O: make([]complex128, ns*p), E: s.E, Ns: ns, P: p}
	for i := 0; i < ns; i++ {
		for k := 0; k < p; k++ {
			s2.O[i*p+k] = c[k] * s.O[i*p+k]
		}
	}
	for _, tc := range []struct {
		opt       Options
		invariant bool
	}{
		{Options{RCond: 1e-14, DiagShift: 0.1, DiagScale: true}, true},
		{Options{RCond: 1e-3, Smooth: true, DiagShift: 0.1, DiagScale: true}, true},
		{Options{RCond: 1e-14, DiagShift: 0.1}, false},
	} {
		x1 := make([]complex128, p)
		x2 := make([]complex128, p)
		if err := pinvSolve(&ws, x1, s, true, tc.opt); err != nil {
			t.Fatal(err)
		}
		if err := pinvSolve(&ws, x2, s2, true, tc.opt); err != nil {
			t.Fatal(err)
		}
		// θ̇'_k = θ̇_k / c_k for the same dynamics of ψ: compare c_k x2_k with x1_k.
		for k := range x2 {
			x2[k] *= c[k]
		}
		d := maxDiff(x1, x2)
		// The scaled problem is the same matrix up to rounding of the
		// scaling (relative 1e-16 · 1e6 condition of the scales).
		if tc.invariant && d > 1e-9 {
			t.Errorf("%+v: not invariant under rescaling: %.3g", tc.opt, d)
		}
		if !tc.invariant && d < 1e-3 {
			t.Errorf("%+v: absolute shift unexpectedly invariant: %.3g", tc.opt, d)
		}
	}
}
