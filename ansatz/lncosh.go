package ansatz

import "math"

// lncosh returns a logarithm of cosh z that is finite wherever cosh z is
// finite and nonzero, including |Re z| far beyond where cosh overflows, and
// accurate (in absolute terms) near the zeros of cosh:
//
//	lncosh(z) = z + log(1 + exp(−2z)) − ln 2,   Re z ≥ 0,
//	lncosh(z) = lncosh(−z),                     Re z < 0 (cosh is even).
//
// For z = x+iy with x ≥ 0, |exp(−2z)| ≤ 1, so nothing overflows. The sum
// 1 + exp(−2z) is formed without cancellation as
//
//	1 + exp(−2z) = −m + 2 e cos² y − 2i e sin y cos y,   m = expm1(−2x), e = 1+m,
//
// whose real part is a sum of non-negative terms; this keeps the result
// accurate near the poles of log cosh (cosh z = 0 at z = iπ/2 + ikπ), where
// 1 − exp(−2x) and 1 + cos 2y would each cancel. The imaginary part is a
// valid phase of cosh z, not necessarily the principal one. At an exact
// zero of cosh the result would be −Inf; no float64 y reaches one.
func lncosh(z complex128) complex128 {
	x, y := real(z), imag(z)
	if x < 0 {
		x, y = -x, -y
	}
	m := math.Expm1(-2 * x)
	e := 1 + m
	s, c := math.Sincos(y)
	re := -m + 2*e*c*c
	im := -2 * e * s * c
	return complex(x+0.5*math.Log(re*re+im*im)-math.Ln2, y+math.Atan2(im, re))
}

// lncoshReal returns log cosh x for real x without overflow:
//
//	log cosh x = |x| + log1p(exp(−2|x|)) − ln 2.
func lncoshReal(x float64) float64 {
	x = math.Abs(x)
	return x + math.Log1p(math.Exp(-2*x)) - math.Ln2
}

// tanhC returns tanh z for complex z, accurate for small |z| and finite
// for large |Re z|. With x = |Re z|, y = Im z, m = exp(−2x) − 1 and e = 1+m,
//
//	tanh(x+iy) = ((−m)(2+m) + 4 e sin y cos y i) / (m² + 4 e cos² y),
//
// obtained from (sinh 2x + i sin 2y)/(cosh 2x + cos 2y) by multiplying with
// 2 exp(−2x); the denominator is a sum of non-negative terms, so there is no
// cancellation, and it vanishes only at the poles x = 0, cos y = 0, which no
// float64 y reaches (the result there is large but finite). For Re z < 0
// the real part changes sign (tanh is odd).
func tanhC(z complex128) complex128 {
	x, y := real(z), imag(z)
	m := math.Expm1(-2 * math.Abs(x))
	e := 1 + m
	s, c := math.Sincos(y)
	den := m*m + 4*e*c*c
	re := -m * (2 + m) / den
	if x < 0 {
		re = -re
	}
	return complex(re, 4*e*s*c/den)
}
