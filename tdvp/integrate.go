package tdvp

import (
	"fmt"
	"math"
)

// Method names an explicit Runge–Kutta scheme.
type Method string

// Methods.
const (
	Euler Method = "euler" // order 1, fixed step
	Heun  Method = "heun"  // order 2, fixed step (explicit trapezoid)
	RK4   Method = "rk4"   // order 4, fixed step (the classical scheme)
	RK23  Method = "rk23"  // order 3 with an embedded order-2 estimate (Bogacki–Shampine), adaptive
	RK45  Method = "rk45"  // order 5 with an embedded order-4 estimate (Dormand–Prince), adaptive
)

// ParseMethod returns the Method named s.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case Euler, Heun, RK4, RK23, RK45:
		return m, nil
	}
	return "", fmt.Errorf("tdvp: unknown integrator %q (want euler, heun, rk4, rk23 or rk45)", s)
}

// Adaptive reports whether m controls its step by an embedded error
// estimate.
func (m Method) Adaptive() bool { return m == RK23 || m == RK45 }

// tableau is an explicit Butcher tableau: stage i evaluates
// f(t + c_i h, y + h Σ_{j<i} a_ij k_j); the step is y + h Σ b_i k_i and,
// for embedded pairs, the error estimate h Σ e_i k_i with e = b − b̂.
type tableau struct {
	c     []float64
	a     [][]float64
	b     []float64
	e     []float64 // nil for fixed-step schemes
	order int       // of the lower-order solution for embedded pairs (controls the step), else of b
}

func (m Method) tableau() tableau {
	switch m {
	case Euler:
		return tableau{c: []float64{0}, a: [][]float64{{}}, b: []float64{1}, order: 1}
	case Heun:
		return tableau{c: []float64{0, 1}, a: [][]float64{{}, {1}}, b: []float64{0.5, 0.5}, order: 2}
	case RK4:
		return tableau{
			c: []float64{0, 0.5, 0.5, 1},
			a: [][]float64{{}, {0.5}, {0, 0.5}, {0, 0, 1}},
			b: []float64{1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6}, order: 4,
		}
	case RK23:
		// Bogacki and Shampine, Appl. Math. Lett. 2, 321 (1989): b is the
		// third-order solution (FSAL: its last stage is f at the new point),
		// b̂ = (7/24, 1/4, 1/3, 1/8) the second-order one.
		b := []float64{2.0 / 9, 1.0 / 3, 4.0 / 9, 0}
		bh := []float64{7.0 / 24, 1.0 / 4, 1.0 / 3, 1.0 / 8}
		return tableau{
			c: []float64{0, 0.5, 0.75, 1},
			a: [][]float64{{}, {0.5}, {0, 0.75}, {2.0 / 9, 1.0 / 3, 4.0 / 9}},
			b: b, e: diff(b, bh), order: 2,
		}
	case RK45:
		// Dormand and Prince, J. Comput. Appl. Math. 6, 19 (1980): b is the
		// fifth-order solution (local extrapolation), b̂ the fourth-order one.
		b := []float64{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0}
		bh := []float64{5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40}
		return tableau{
			c: []float64{0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1},
			a: [][]float64{
				{},
				{1.0 / 5},
				{3.0 / 40, 9.0 / 40},
				{44.0 / 45, -56.0 / 15, 32.0 / 9},
				{19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
				{9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
				{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
			},
			b: b, e: diff(b, bh), order: 4,
		}
	}
	panic(fmt.Sprintf("tdvp: unknown method %q", string(m)))
}

func diff(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}

// IntegratorOptions configure an Integrator.
type IntegratorOptions struct {
	// Dt is the step of fixed-step methods and the first trial step of
	// adaptive ones (> 0).
	Dt float64
	// Tol is the tolerated local error per step of adaptive methods, in
	// the norm Norm; default 1e-4.
	Tol float64
	// Norm measures the error estimate of adaptive methods; nil means the
	// root mean square over parameters, sqrt(Σ_k |δ_k|²/P).
	// Equation.MetricNorm measures it in the metric S instead.
	Norm func(d []complex128) float64
	// MinDt stops an adaptive integration whose step falls below it
	// (default 1e-8·Dt); MaxDt caps its step (0: none).
	MinDt, MaxDt float64
}

// Integrator advances y' = f(t, y) with an explicit Runge–Kutta method.
// Fixed-step methods take steps of Dt (the last one before a target time
// shortened to land on it). Adaptive methods accept a step when the
// embedded error estimate err = Norm(h Σ e_i k_i)/Tol is at most 1 and
// choose the next step by the standard controller
//
//	h ← h · min(5, max(0.2, 0.9 · err^{−1/(q+1)}))
//
// with q the order of the embedded (lower-order) solution; a rejected step
// is retried with the new h. An Integrator is not safe for concurrent use.
type Integrator struct {
	method Method
	tab    tableau
	f      Func
	opt    IntegratorOptions
	h      float64
	k      [][]complex128
	ytmp   []complex128
	y0     []complex128
	errv   []complex128
	// Steps counts accepted steps, Rejected rejected ones (adaptive).
	Steps, Rejected int
	// LastErr is the scaled error err of the last accepted adaptive step.
	LastErr float64
}

// NewIntegrator returns an integrator of f for vectors of length n.
func NewIntegrator(m Method, f Func, n int, opt IntegratorOptions) (*Integrator, error) {
	if _, err := ParseMethod(string(m)); err != nil {
		return nil, err
	}
	if !(opt.Dt > 0) || math.IsInf(opt.Dt, 0) {
		return nil, fmt.Errorf("tdvp: step %v, want a finite value > 0", opt.Dt)
	}
	if opt.Tol == 0 {
		opt.Tol = 1e-4
	}
	if !(opt.Tol > 0) {
		return nil, fmt.Errorf("tdvp: tolerance %v, want > 0", opt.Tol)
	}
	if opt.MinDt <= 0 {
		opt.MinDt = 1e-8 * opt.Dt
	}
	if opt.Norm == nil {
		opt.Norm = rms
	}
	in := &Integrator{method: m, tab: m.tableau(), f: f, opt: opt, h: opt.Dt}
	in.k = make([][]complex128, len(in.tab.b))
	for i := range in.k {
		in.k[i] = make([]complex128, n)
	}
	in.ytmp = make([]complex128, n)
	in.y0 = make([]complex128, n)
	in.errv = make([]complex128, n)
	return in, nil
}

func rms(d []complex128) float64 {
	if len(d) == 0 {
		return 0
	}
	var s float64
	for _, v := range d {
		s += real(v)*real(v) + imag(v)*imag(v)
	}
	return math.Sqrt(s / float64(len(d)))
}

// Step returns the current (next trial) step length.
func (in *Integrator) Step() float64 { return in.h }

// SetStep sets the next trial step (adaptive) or the step (fixed).
func (in *Integrator) SetStep(h float64) { in.h = h }

// Advance integrates from t to tEnd (> t) in place and returns tEnd. On
// error y holds the state at the last accepted time, which is returned.
func (in *Integrator) Advance(t float64, y []complex128, tEnd float64) (float64, error) {
	for t < tEnd {
		h := in.h
		if in.opt.MaxDt > 0 {
			h = min(h, in.opt.MaxDt)
		}
		last := false
		if t+h >= tEnd-1e-12*max(1, math.Abs(tEnd)) {
			h, last = tEnd-t, true
		}
		err, e := in.try(t, y, h)
		if e != nil {
			return t, e
		}
		if in.tab.e == nil {
			in.Steps++
			if last {
				return tEnd, nil
			}
			t += h
			continue
		}
		fac := 5.0
		if err > 0 {
			fac = min(5, max(0.2, 0.9*math.Pow(err, -1/float64(in.tab.order+1))))
		}
		if err <= 1 {
			in.Steps++
			in.LastErr = err
			if last {
				// Keep the controller's step, not the shortened one.
				in.h = max(in.h, h*fac)
				if in.opt.MaxDt > 0 {
					in.h = min(in.h, in.opt.MaxDt)
				}
				return tEnd, nil
			}
			t += h
			in.h = h * fac
			continue
		}
		in.Rejected++
		copy(y, in.y0)
		in.h = h * fac
		if in.h < in.opt.MinDt {
			return t, fmt.Errorf("tdvp: step %g below the minimum %g at t = %g (error %g × tolerance)", in.h, in.opt.MinDt, t, err)
		}
	}
	return t, nil
}

// try takes one step of length h from (t, y), writing the result into y
// (the old y is kept in y0), and returns the scaled error estimate (0 for
// fixed-step methods).
func (in *Integrator) try(t float64, y []complex128, h float64) (float64, error) {
	tab := in.tab
	copy(in.y0, y)
	for i := range tab.b {
		copy(in.ytmp, in.y0)
		for j, a := range tab.a[i] {
			if a == 0 {
				continue
			}
			c := complex(h*a, 0)
			for r, v := range in.k[j] {
				in.ytmp[r] += c * v
			}
		}
		if err := in.f(t+tab.c[i]*h, in.ytmp, in.k[i]); err != nil {
			copy(y, in.y0)
			return 0, err
		}
	}
	for i, b := range tab.b {
		if b == 0 {
			continue
		}
		c := complex(h*b, 0)
		for r, v := range in.k[i] {
			y[r] += c * v
		}
	}
	if tab.e == nil {
		return 0, nil
	}
	clear(in.errv)
	for i, e := range tab.e {
		if e == 0 {
			continue
		}
		c := complex(h*e, 0)
		for r, v := range in.k[i] {
			in.errv[r] += c * v
		}
	}
	return in.opt.Norm(in.errv) / in.opt.Tol, nil
}
