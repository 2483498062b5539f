package ed

import (
	"math"

	"gonum.org/v1/gonum/lapack/gonum"
)

// The small eigenproblems of Lanczos: the tridiagonal matrix T with diagonal
// d[0..n) and off-diagonal e[0..n-1).

// sturmCount returns the number of eigenvalues of T smaller than x
// (Sylvester's law of inertia applied to the LDLᵀ factorization of T − xI).
func sturmCount(d, e []float64, x float64) int {
	// pivmin keeps the recurrence away from division by zero, as LAPACK's
	// dstebz does.
	const tiny = 1e-300
	cnt := 0
	q := d[0] - x
	if q < 0 {
		cnt++
	}
	for i := 1; i < len(d); i++ {
		if q == 0 {
			q = tiny
		}
		q = d[i] - x - e[i-1]*e[i-1]/q
		if q < 0 {
			cnt++
		}
	}
	return cnt
}

// gershgorin returns an interval containing the spectrum of T.
func gershgorin(d, e []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for i := range d {
		r := 0.0
		if i > 0 {
			r += math.Abs(e[i-1])
		}
		if i < len(e) {
			r += math.Abs(e[i])
		}
		lo = math.Min(lo, d[i]-r)
		hi = math.Max(hi, d[i]+r)
	}
	return lo, hi
}

// triEigenvalue returns the k-th smallest eigenvalue (k = 0 lowest) of T by
// bisection, to about machine precision relative to the spectral radius.
func triEigenvalue(d, e []float64, k int) float64 {
	lo, hi := gershgorin(d, e)
	w := math.Max(math.Abs(lo), math.Abs(hi))
	lo -= 1e-14*w + 1e-300
	hi += 1e-14*w + 1e-300
	for i := 0; i < 200; i++ {
		mid := 0.5 * (lo + hi)
		if mid <= lo || mid >= hi || hi-lo <= 2e-16*w {
			break
		}
		if sturmCount(d, e, mid) > k {
			hi = mid
		} else {
			lo = mid
		}
	}
	return 0.5 * (lo + hi)
}

// triEigenvector computes into s (len n) the normalized eigenvector of T for
// the eigenvalue theta by inverse iteration with Gaussian elimination with
// partial pivoting (LAPACK dgtsv). work must have length ≥ 4n.
func triEigenvector(d, e []float64, theta float64, s, work []float64) {
	n := len(d)
	if n == 1 {
		s[0] = 1
		return
	}
	dl, dd, du := work[:n-1], work[n:2*n], work[2*n:3*n-1]
	// A fixed, unstructured start vector: not orthogonal to any eigenvector
	// in practice.
	for i := range s {
		s[i] = 1 + 0.1*math.Sin(float64(3*i+1))
	}
	lo, hi := gershgorin(d, e)
	scale := math.Max(math.Abs(lo), math.Abs(hi))
	if scale == 0 {
		scale = 1
	}
	shift := theta
	impl := gonum.Implementation{}
	for it := 0; it < 3; it++ {
		for attempt := 0; ; attempt++ {
			copy(dl, e)
			copy(du, e)
			for i := range dd {
				dd[i] = d[i] - shift
			}
			tmp := work[3*n : 4*n]
			copy(tmp, s)
			if impl.Dgtsv(n, 1, dl, dd, du, tmp, 1) && finite(tmp) {
				copy(s, tmp)
				break
			}
			// T − θI is exactly singular in floating point: nudge the shift.
			shift = theta - float64(attempt+1)*4e-16*scale
			if attempt > 20 {
				break
			}
		}
		var nrm float64
		for _, v := range s {
			nrm += v * v
		}
		nrm = math.Sqrt(nrm)
		for i := range s {
			s[i] /= nrm
		}
	}
}

func finite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
