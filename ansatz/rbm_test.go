package ansatz

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"
)

// refRatio is implemented by both RBM caches: the reference log-ratio as a
// sum of exact lncosh differences.
type refRatio interface {
	logRatioRef(flips []int) complex128
}

func randConfig(rng *rand.Rand, n int) []int8 {
	x := make([]int8, n)
	for i := range x {
		x[i] = 1
		if rng.IntN(2) == 0 {
			x[i] = -1
		}
	}
	return x
}

// randFlips returns k distinct sites out of n in dst[:0].
func randFlips(rng *rand.Rand, dst []int, n, k int) []int {
	dst = dst[:0]
	for len(dst) < k {
		i := rng.IntN(n)
		dup := false
		for _, j := range dst {
			dup = dup || i == j
		}
		if !dup {
			dst = append(dst, i)
		}
	}
	return dst
}

func flipped(x []int8, flips []int) []int8 {
	y := append([]int8(nil), x...)
	for _, i := range flips {
		y[i] = -y[i]
	}
	return y
}

func TestRBMLogDerivFiniteDifference(t *testing.T) {
	// checkLogDerivFD (check_test.go): central differences with h = 1e-5,
	// tolerance 1e-7, along 1 and i for holomorphic machines, and real
	// derivatives for real ones.
	const n, alpha = 6, 2
	for ci, tc := range []struct {
		holomorphic bool
		scale       float64
	}{
		{true, 0.1}, {true, 1}, {false, 0.1}, {false, 1},
	} {
		checkLogDerivFD(t, contractCase{
			name:  fmt.Sprintf("RBM holomorphic=%v scale=%v", tc.holomorphic, tc.scale),
			new:   func() initializer { return NewRBM(n, alpha, tc.holomorphic) },
			scale: tc.scale,
		}, uint64(ci))
	}
}

// seqTol bounds the disagreement between the cached log-ratio (fast and
// reference paths) and the difference of two fresh LogPsi, and between the
// cached and fresh LogPsi, after thousands of accepted moves. Both sides
// carry rounding errors of a few ulps of the individual lncosh terms
// (|θ| ≲ 20 for scale ≤ 2, ≲ 3000 for scale 300) and the θ tables drift by
// a random walk of ulps; the fast path adds at most ~1e-12 per factor (see
// cancelTol). Observed errors are ≲ 1e-12.
const seqTol = 1e-10

func TestRBMCacheSequence(t *testing.T) {
	const (
		n, alpha = 6, 2
		steps    = 6000 // about 3000 accepted moves: crosses refreshEvery
	)
	for ci, tc := range []struct {
		name        string
		holomorphic bool
		scale       float64
		overflow    bool // some cosh 2W_ji overflow to Inf
	}{
		{"complex small", true, 0.1, false},
		{"complex unit", true, 1, false},
		{"complex large", true, 2, false},
		{"complex huge (cosh 2W overflows)", true, 300, true},
		{"real small", false, 0.1, false},
		{"real unit", false, 1, false},
		{"real large", false, 2, false},
		{"real huge (cosh 2W overflows)", false, 300, true},
	} {
		rng := rand.New(rand.NewPCG(uint64(ci), 99))
		r := NewRBM(n, alpha, tc.holomorphic)
		r.InitRandom(rng, tc.scale)
		if tc.overflow != hasOverflow(r) {
			t.Fatalf("case %d (%s): overflow in cosh 2W = %v, want %v", ci, tc.name, !tc.overflow, tc.overflow)
		}
		x := randConfig(rng, n)
		c := r.NewCache(x)
		ref := c.(refRatio)
		flips := make([]int, 0, 3)
		got := make([]complex128, r.NumParams())
		want := make([]complex128, r.NumParams())
		accepted := 0
		for step := range steps {
			k := 1 + rng.IntN(2)
			if step%10 == 9 {
				k = 3 // also exercise the general path
			}
			flips = randFlips(rng, flips, n, k)
			y := flipped(x, flips)
			fresh := r.LogPsi(y) - r.LogPsi(x)
			lr := c.LogRatio(flips)
			if d := logDist(lr, fresh); !(d <= seqTol) {
				t.Fatalf("case %d (%s) step %d: LogRatio(%v) = %v, fresh difference %v (distance %g)",
					ci, tc.name, step, flips, lr, fresh, d)
			}
			if d := logDist(lr, ref.logRatioRef(flips)); !(d <= seqTol) {
				t.Fatalf("case %d (%s) step %d: LogRatio(%v) = %v, reference path %v",
					ci, tc.name, step, flips, lr, ref.logRatioRef(flips))
			}
			if !tc.holomorphic && imag(lr) != 0 {
				t.Fatalf("case %d (%s) step %d: real RBM log-ratio %v is not real", ci, tc.name, step, lr)
			}
			if rng.IntN(2) == 0 {
				continue
			}
			c.Accept(flips)
			accepted++
			x = y
			if got := string(int8sToBytes(c.Config())); got != string(int8sToBytes(x)) {
				t.Fatalf("case %d (%s) step %d: cache config %v, want %v", ci, tc.name, step, c.Config(), x)
			}
			if d := logDist(c.LogPsi(), r.LogPsi(x)); !(d <= seqTol) {
				t.Fatalf("case %d (%s) step %d: cache LogPsi = %v, fresh %v", ci, tc.name, step, c.LogPsi(), r.LogPsi(x))
			}
			if accepted%97 == 0 {
				// The incrementally updated tanh table agrees with a fresh one.
				c.LogDeriv(got)
				r.NewCache(x).LogDeriv(want)
				for k := range got {
					if d := cmplx.Abs(got[k] - want[k]); !(d <= seqTol*math.Max(1, cmplx.Abs(want[k]))) {
						t.Fatalf("case %d (%s) step %d: O_%d = %v, fresh %v", ci, tc.name, step, k, got[k], want[k])
					}
				}
			}
		}
		if accepted < steps/3 {
			t.Errorf("case %d: only %d moves accepted", ci, accepted)
		}
	}
}

func int8sToBytes(x []int8) []byte {
	b := make([]byte, len(x))
	for i, v := range x {
		b[i] = byte(v)
	}
	return b
}

func hasOverflow(r *RBM) bool {
	for _, v := range r.ch {
		if cmplx.IsInf(v) {
			return true
		}
	}
	for _, v := range r.chr {
		if math.IsInf(v, 0) {
			return true
		}
	}
	return false
}

func TestRBMPole(t *testing.T) {
	// One visible and one hidden unit, θ(x) = b + W x with W = 0.5 and
	// b = 0.5 + iπ/2: at x = −1, θ = iπ/2 (the float64 nearest a zero of
	// cosh, |cosh θ| ≈ 6e-17), so log ψ(−1) ≈ −37. Moving onto the pole
	// makes the fast factor cancel to ~0; moving off it has tanh θ ≈ 1.6e16.
	// Both must give the finite exact answer, never NaN. poleTol: the
	// values are O(40) and both sides use the same θ exactly.
	const poleTol = 1e-12
	r := NewRBM(1, 1, true)
	r.SetParams([]complex128{0.1, complex(0.5, math.Pi/2), 0.5})
	c := r.NewCache([]int8{1})
	for step, want := range []complex128{
		r.LogPsi([]int8{-1}) - r.LogPsi([]int8{1}),
		r.LogPsi([]int8{1}) - r.LogPsi([]int8{-1}),
	} {
		got := c.LogRatio([]int{0})
		if cmplx.IsNaN(got) || cmplx.IsInf(got) || logDist(got, want) > poleTol {
			t.Errorf("step %d: LogRatio = %v, want %v", step, got, want)
		}
		c.Accept([]int{0})
		if d := logDist(c.LogPsi(), r.LogPsi(c.Config())); !(d <= poleTol) {
			t.Errorf("step %d: LogPsi = %v, want %v", step, c.LogPsi(), r.LogPsi(c.Config()))
		}
		o := make([]complex128, r.NumParams())
		c.LogDeriv(o)
		for k, v := range o {
			if cmplx.IsNaN(v) || cmplx.IsInf(v) {
				t.Errorf("step %d: O_%d = %v", step, k, v)
			}
		}
	}
	if lp := r.LogPsi([]int8{-1}); !(real(lp) < -30 && real(lp) > -45) {
		t.Errorf("log ψ at the pole = %v, want ≈ log(6e-17) ≈ −37", lp)
	}
}

func TestRBMRealMatchesComplex(t *testing.T) {
	// A holomorphic RBM with real parameters is the real RBM: the two code
	// paths must agree. The fast log-ratios of the two may each be off by a
	// few 1e-12 (see cancelTol), so realTol is seqTol.
	const realTol = seqTol
	const n, alpha = 5, 3
	rng := rand.New(rand.NewPCG(7, 8))
	rr := NewRBM(n, alpha, false)
	rr.InitRandom(rng, 1)
	p := make([]complex128, rr.NumParams())
	rr.Params(p)
	rc := NewRBM(n, alpha, true)
	rc.SetParams(p)
	x := randConfig(rng, n)
	cr, cc := rr.NewCache(x), rc.NewCache(x)
	or := make([]complex128, len(p))
	oc := make([]complex128, len(p))
	flips := make([]int, 0, 4)
	for step := range 200 {
		if d := logDist(cr.LogPsi(), cc.LogPsi()); !(d <= realTol) {
			t.Fatalf("step %d: LogPsi real %v, complex %v", step, cr.LogPsi(), cc.LogPsi())
		}
		cr.LogDeriv(or)
		cc.LogDeriv(oc)
		for k := range or {
			if d := cmplx.Abs(or[k] - oc[k]); !(d <= realTol) {
				t.Fatalf("step %d: O_%d real %v, complex %v", step, k, or[k], oc[k])
			}
		}
		flips = randFlips(rng, flips, n, 1+step%4)
		if d := logDist(cr.LogRatio(flips), cc.LogRatio(flips)); !(d <= realTol) {
			t.Fatalf("step %d: LogRatio(%v) real %v, complex %v", step, flips, cr.LogRatio(flips), cc.LogRatio(flips))
		}
		cr.Accept(flips)
		cc.Accept(flips)
	}
}

func TestRBMParamsRoundTrip(t *testing.T) {
	const n, alpha = 4, 2
	for _, holomorphic := range []bool{true, false} {
		rng := rand.New(rand.NewPCG(11, 12))
		r := NewRBM(n, alpha, holomorphic)
		if got, want := r.NumParams(), n+alpha*n+alpha*n*n; got != want {
			t.Fatalf("holomorphic=%v: NumParams = %d, want %d", holomorphic, got, want)
		}
		p := make([]complex128, r.NumParams())
		for k := range p {
			p[k] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		r.SetParams(p)
		got := make([]complex128, len(p))
		r.Params(got)
		for k := range p {
			want := p[k]
			if !holomorphic {
				want = complex(real(p[k]), 0)
			}
			if got[k] != want {
				t.Errorf("holomorphic=%v: Params[%d] = %v, want %v", holomorphic, k, got[k], want)
			}
		}
		if !holomorphic {
			// Imaginary parts are ignored: log ψ depends on the real parts only.
			x := randConfig(rng, n)
			before := r.LogPsi(x)
			for k := range p {
				p[k] = complex(real(p[k]), 100*rng.NormFloat64())
			}
			r.SetParams(p)
			if after := r.LogPsi(x); after != before || imag(after) != 0 {
				t.Errorf("real RBM: LogPsi changed from %v to %v with the imaginary parts", before, after)
			}
		}
	}
}

func TestRBMParamLayout(t *testing.T) {
	// One nonzero parameter at a time: log ψ(x) = a_i x_i, lncosh b_j, or
	// lncosh(W_ji x_i) + (M−1)·0, which pins down the order a, b, W[j*N+i].
	const n, alpha = 3, 2
	const m = n * alpha
	x := []int8{1, -1, 1}
	r := NewRBM(n, alpha, true)
	p := make([]complex128, r.NumParams())
	for k := range p {
		clear(p)
		p[k] = 0.3 + 0.2i
		r.SetParams(p)
		var want complex128
		switch {
		case k < n:
			want = p[k] * complex(float64(x[k]), 0)
		case k < n+m:
			want = lncosh(p[k])
		default:
			i := (k - n - m) % n
			want = lncosh(p[k] * complex(float64(x[i]), 0))
		}
		if got := r.LogPsi(x); logDist(got, want) > 1e-15 {
			t.Errorf("parameter %d: LogPsi = %v, want %v", k, got, want)
		}
	}
}

func TestRBMZeroFlipsAndZeroParams(t *testing.T) {
	for _, holomorphic := range []bool{true, false} {
		r := NewRBM(4, 1, holomorphic)
		c := r.NewCache([]int8{1, 1, -1, 1})
		if got := c.LogRatio(nil); got != 0 {
			t.Errorf("holomorphic=%v: LogRatio(nil) = %v", holomorphic, got)
		}
		c.Accept(nil)
		// Zero parameters: ψ = cosh(0)^M = 1 for every x.
		if got := c.LogRatio([]int{0, 2}); got != 0 {
			t.Errorf("holomorphic=%v: zero-parameter log-ratio = %v, want 0", holomorphic, got)
		}
		if got := c.LogPsi(); got != 0 {
			t.Errorf("holomorphic=%v: zero-parameter LogPsi = %v, want 0", holomorphic, got)
		}
	}
}

func TestRBMPanics(t *testing.T) {
	r := NewRBM(3, 1, true)
	rr := NewRBM(3, 1, false)
	for k, f := range []func(){
		func() { NewRBM(0, 1, true) },
		func() { NewRBM(3, 0, false) },
		func() { r.SetParams(make([]complex128, 2)) },
		func() { rr.Params(make([]complex128, 100)) },
		func() { r.LogPsi([]int8{1, 1}) },
		func() { rr.NewCache([]int8{1, 1, 1, 1}) },
		func() { r.NewCache([]int8{1, 1, 1}).Reset([]int8{1}) },
		func() { rr.NewCache([]int8{1, 1, 1}).LogDeriv(make([]complex128, 1)) },
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "ansatz: ") {
					t.Errorf("%d: panic %q, want a panic starting with \"ansatz: \"", k, msg)
				}
			}()
			f()
		}()
	}
}

func TestRBMNoAllocs(t *testing.T) {
	for _, holomorphic := range []bool{true, false} {
		r := NewRBM(10, 2, holomorphic)
		r.InitRandom(rand.New(rand.NewPCG(1, 1)), 0.5)
		c := r.NewCache(randConfig(rand.New(rand.NewPCG(2, 2)), 10))
		o := make([]complex128, r.NumParams())
		for _, flips := range [][]int{{3}, {1, 7}, {0, 4, 9}} {
			if a := testing.AllocsPerRun(100, func() { c.LogRatio(flips) }); a != 0 {
				t.Errorf("holomorphic=%v: LogRatio(%v) allocates %v times", holomorphic, flips, a)
			}
			if a := testing.AllocsPerRun(100, func() { c.Accept(flips) }); a != 0 {
				t.Errorf("holomorphic=%v: Accept(%v) allocates %v times", holomorphic, flips, a)
			}
		}
		if a := testing.AllocsPerRun(100, func() { c.LogDeriv(o) }); a != 0 {
			t.Errorf("holomorphic=%v: LogDeriv allocates %v times", holomorphic, a)
		}
	}
}

// TestRBMConcurrentCaches moves several caches of one RBM from several
// goroutines (checkConcurrent, check_test.go); run with -race.
func TestRBMConcurrentCaches(t *testing.T) {
	const n, alpha = 8, 2
	for _, holomorphic := range []bool{true, false} {
		checkConcurrent(t, contractCase{
			name:  fmt.Sprintf("RBM holomorphic=%v", holomorphic),
			new:   func() initializer { return NewRBM(n, alpha, holomorphic) },
			scale: 0.5,
		})
	}
}

// benchRBM runs op on caches of RBMs of the standard sizes (N = 40 with
// alpha = 1, 2, 4 and N = 100 with alpha = 1, 4), complex and real, with
// parameters of scale 0.1 (the fast path throughout).
func benchRBM(b *testing.B, nflips int, op func(c Cache, flips []int)) {
	for _, size := range []struct{ n, alpha int }{{40, 1}, {40, 2}, {40, 4}, {100, 1}, {100, 4}} {
		for _, holomorphic := range []bool{true, false} {
			dtype := "complex"
			if !holomorphic {
				dtype = "real"
			}
			name := fmt.Sprintf("%s/N=%d/alpha=%d", dtype, size.n, size.alpha)
			b.Run(name, func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				r := NewRBM(size.n, size.alpha, holomorphic)
				r.InitRandom(rng, 0.1)
				c := r.NewCache(randConfig(rng, size.n))
				const nmoves = 1024
				moves := make([][]int, nmoves)
				for k := range moves {
					moves[k] = randFlips(rng, make([]int, 0, nflips), size.n, nflips)
				}
				b.ReportAllocs()
				k := 0
				for b.Loop() {
					op(c, moves[k%nmoves])
					k++
				}
			})
		}
	}
}

var sinkRatio complex128

func BenchmarkLogRatio(b *testing.B) {
	for _, nflips := range []int{1, 2} {
		b.Run(fmt.Sprintf("flips=%d", nflips), func(b *testing.B) {
			benchRBM(b, nflips, func(c Cache, flips []int) { sinkRatio = c.LogRatio(flips) })
		})
	}
}

func BenchmarkAccept(b *testing.B) {
	benchRBM(b, 1, func(c Cache, flips []int) { c.Accept(flips) })
}
