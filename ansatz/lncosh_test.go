package ansatz

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// phaseDiff returns a − b reduced to [−π, π]: phases are defined modulo 2π.
func phaseDiff(a, b float64) float64 {
	return math.Remainder(a-b, 2*math.Pi)
}

// logDist returns the distance between two logarithms: the larger of the
// difference of the real parts and of the imaginary parts modulo 2π.
func logDist(a, b complex128) float64 {
	if cmplx.IsNaN(a) || cmplx.IsNaN(b) {
		return math.NaN()
	}
	return math.Max(math.Abs(real(a)-real(b)), math.Abs(phaseDiff(imag(a), imag(b))))
}

func TestLncoshDirect(t *testing.T) {
	// Where cosh does not overflow, cmplx.Cosh computes both components to
	// a few ulps (cos y cosh x, sin y sinh x), so log(cosh z) is an accurate
	// reference, also near the zeros of cosh. directTol allows a few ulps of
	// results of size up to ~300 (|Re z| ≤ 300 below).
	const directTol = 1e-13
	zs := []complex128{
		0, 1e-12, 1e-12i, 1e-10 + 1e-10i, 0.3 - 0.2i, -0.7 + 2.5i, 3 + 1i,
		-12 - 40i, 25 + 1e4i, 300 - 0.5i, -300 + 7i,
		// Near the poles iπ/2 + ikπ: cosh z ≈ 1e-8, 1e-12.
		complex(1e-8, math.Pi/2), complex(-1e-12, -math.Pi/2), complex(1e-8, 3*math.Pi/2),
		complex(0, math.Pi/2), // nearest float64 to the pole: cosh ≈ 6e-17
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		zs = append(zs, complex(20*rng.NormFloat64(), 20*rng.NormFloat64()))
	}
	for k, z := range zs {
		got := lncosh(z)
		want := cmplx.Log(cmplx.Cosh(z))
		if d := logDist(got, want); !(d <= directTol*math.Max(1, math.Abs(real(want)))) {
			t.Errorf("%d: lncosh(%v) = %v, want %v (distance %g)", k, z, got, want, d)
		}
		gotR := lncoshReal(real(z))
		wantR := math.Log(math.Cosh(real(z)))
		if d := math.Abs(gotR - wantR); !(d <= directTol*math.Max(1, math.Abs(wantR))) {
			t.Errorf("%d: lncoshReal(%v) = %v, want %v", k, real(z), gotR, wantR)
		}
	}
}

func TestLncoshLarge(t *testing.T) {
	// For |Re z| = 1000 cosh overflows, but log cosh z = |Re z| − ln 2 +
	// i sign(Re z) Im z up to exp(−2000), i.e. exactly in float64. largeTol
	// allows a few ulps of 1000 (and of Im z up to 1e4).
	const largeTol = 1e-11
	for k, z := range []complex128{1000, -1000, 1000 + 0.5i, -1000 + 0.5i, 1000 - 1e4i, -1000 + 3i} {
		sign := math.Copysign(1, real(z))
		want := complex(math.Abs(real(z))-math.Ln2, sign*imag(z))
		got := lncosh(z)
		if d := logDist(got, want); !(d <= largeTol) {
			t.Errorf("%d: lncosh(%v) = %v, want %v (distance %g)", k, z, got, want, d)
		}
		if !cmplx.IsInf(cmplx.Cosh(z)) {
			t.Errorf("%d: cosh(%v) should overflow; test is not testing the large-argument path", k, z)
		}
		gotR := lncoshReal(real(z))
		if d := math.Abs(gotR - real(want)); !(d <= largeTol) {
			t.Errorf("%d: lncoshReal(%v) = %v, want %v", k, real(z), gotR, real(want))
		}
		gotT := tanhC(z)
		if gotT != complex(sign, 0) {
			t.Errorf("%d: tanhC(%v) = %v, want %v", k, z, gotT, sign)
		}
	}
}

func TestTanhC(t *testing.T) {
	// Reference sinh z / cosh z from cmplx (componentwise accurate for
	// |Re z| ≤ 300); a complex division adds a few ulps. tanhTol is relative.
	const tanhTol = 1e-14
	zs := []complex128{
		0, 1e-12, 1e-12i, 1e-9 - 2e-9i, 0.5 + 0.5i, -2 + 1i, 10 - 3i, -30 + 100i,
		complex(1e-8, math.Pi/2), complex(-1e-6, math.Pi/2+1e-7), complex(0, math.Pi/2),
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		zs = append(zs, complex(5*rng.NormFloat64(), 5*rng.NormFloat64()))
	}
	for k, z := range zs {
		got := tanhC(z)
		want := cmplx.Sinh(z) / cmplx.Cosh(z)
		if d := cmplx.Abs(got - want); !(d <= tanhTol*math.Max(cmplx.Abs(want), 1e-300)) {
			t.Errorf("%d: tanhC(%v) = %v, want %v (relative error %g)", k, z, got, want, d/cmplx.Abs(want))
		}
	}
}
