package ansatz

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"
)

func ffnnCases() []contractCase {
	var cases []contractCase
	for _, tc := range []struct {
		layers []int
		act    Activation
		holo   bool
		scale  float64
	}{
		{[]int{8, 6}, LnCosh, true, 0.5},
		{[]int{8, 6}, LnCosh, true, 1},
		{[]int{7, 5, 4}, Tanh, true, 0.7},
		{[]int{7, 5}, Softplus, true, 1},
		{[]int{9}, LnCosh, true, 1},
		{[]int{8, 6}, LnCosh, false, 1},
		{[]int{7, 5, 4}, Tanh, false, 1.5},
		{[]int{7, 5}, Softplus, false, 1},
		{[]int{3, 8, 2}, LnCosh, false, 2},
	} {
		dtype := "complex"
		if !tc.holo {
			dtype = "real"
		}
		cases = append(cases, contractCase{
			name:  fmt.Sprintf("%s/%v/%v/scale=%v", dtype, tc.layers, tc.act, tc.scale),
			new:   func() initializer { return NewFFNN(6, tc.layers, tc.act, tc.holo) },
			scale: tc.scale,
		})
	}
	return cases
}

func TestFFNNContract(t *testing.T) { runContract(t, ffnnCases()) }

func TestActivations(t *testing.T) {
	// Values against direct cmplx/math formulas (phases modulo 2π), and
	// σ' against a complex central difference of σ. actTol: a few ulps of
	// O(10) values through log/exp; derivTol: h = 1e-6 gives truncation
	// h²|σ'''| ≲ 1e-11 and rounding ε|σ|/h ≲ 1e-9.
	const (
		actTol   = 1e-13
		derivTol = 1e-8
		h        = 1e-6
	)
	ref := map[Activation]func(z complex128) complex128{
		LnCosh:   func(z complex128) complex128 { return cmplx.Log(cmplx.Cosh(z)) },
		Tanh:     cmplx.Tanh,
		Softplus: func(z complex128) complex128 { return cmplx.Log((1 + cmplx.Exp(z)) / 2) },
	}
	rng := rand.New(rand.NewPCG(61, 62))
	zs := []complex128{0, 1e-9, 0.3 - 0.2i, -1.5 + 0.4i, 4 + 1i, -12 - 0.3i}
	for range 50 {
		zs = append(zs, complex(3*rng.NormFloat64(), 0.7*rng.NormFloat64()))
	}
	for _, act := range []Activation{LnCosh, Tanh, Softplus} {
		v := make([]complex128, len(zs))
		d := make([]complex128, len(zs))
		act.applyC(zs, v)
		act.derivC(zs, d)
		zr := make([]float64, len(zs))
		for k, z := range zs {
			zr[k] = real(z)
		}
		vr := make([]float64, len(zs))
		dr := make([]float64, len(zs))
		act.applyR(zr, vr)
		act.derivR(zr, dr)
		p := make([]complex128, 1)
		m := make([]complex128, 1)
		for k, z := range zs {
			want := ref[act](z)
			if dist := logDist(v[k], want); !(dist <= actTol*math.Max(1, cmplx.Abs(want))) {
				t.Errorf("%v(%v) = %v, want %v", act, z, v[k], want)
			}
			act.applyC([]complex128{z + h}, p)
			act.applyC([]complex128{z - h}, m)
			fd := complex(real(p[0]-m[0]), phaseDiff(imag(p[0]), imag(m[0]))) / (2 * h)
			if dist := cmplx.Abs(fd - d[k]); !(dist <= derivTol*math.Max(1, cmplx.Abs(d[k]))) {
				t.Errorf("%v'(%v) = %v, finite difference %v", act, z, d[k], fd)
			}
			wantR := real(ref[act](complex(zr[k], 0)))
			if dist := math.Abs(vr[k] - wantR); !(dist <= actTol*math.Max(1, math.Abs(wantR))) {
				t.Errorf("real %v(%v) = %v, want %v", act, zr[k], vr[k], wantR)
			}
			pr, mr := []float64{zr[k] + h}, []float64{zr[k] - h}
			act.applyR(pr, pr)
			act.applyR(mr, mr)
			if fd := (pr[0] - mr[0]) / (2 * h); !(math.Abs(fd-dr[k]) <= derivTol*math.Max(1, math.Abs(dr[k]))) {
				t.Errorf("real %v'(%v) = %v, finite difference %v", act, zr[k], dr[k], fd)
			}
		}
	}
	// σ(0) = 0 for all three.
	for _, act := range []Activation{LnCosh, Tanh, Softplus} {
		v := []complex128{0}
		act.applyC(v, v)
		r := []float64{0}
		act.applyR(r, r)
		if v[0] != 0 || r[0] != 0 {
			t.Errorf("%v(0) = %v, %v, want 0", act, v[0], r[0])
		}
	}
}

func TestParseActivation(t *testing.T) {
	for _, name := range ActivationNames() {
		a, err := ParseActivation(name)
		if err != nil || a.String() != name {
			t.Errorf("ParseActivation(%q) = %v, %v", name, a, err)
		}
	}
	for _, name := range []string{"", "relu", "LnCosh", "tanh "} {
		if _, err := ParseActivation(name); err == nil || !strings.Contains(err.Error(), "lncosh, tanh, softplus") {
			t.Errorf("ParseActivation(%q): error %v, want one listing the names", name, err)
		}
	}
	if s := Activation(7).String(); s != "Activation(7)" {
		t.Errorf("invalid activation prints as %q", s)
	}
}

func TestFFNNMatchesRBM(t *testing.T) {
	// One lncosh layer with a sum readout is the RBM without visible bias,
	// an independent implementation: log ψ and the derivatives along b and
	// W agree. For the real network the amplitude head is set to 1 and the
	// phase head to 0. matchTol: both sides sum the same lncosh terms,
	// the RBM's fast ratios differ by ≲ 1e-12 (see cancelTol).
	const matchTol = 1e-11
	const n, alpha = 5, 2
	for _, holo := range []bool{true, false} {
		rng := rand.New(rand.NewPCG(71, 72))
		f := NewFFNN(n, []int{alpha * n}, LnCosh, holo)
		f.InitRandom(rng, 0.8)
		pf := make([]complex128, f.NumParams())
		f.Params(pf)
		if !holo {
			m := alpha * n
			for u := range m {
				pf[len(pf)-2*m+u] = 1
				pf[len(pf)-m+u] = 0
			}
			f.SetParams(pf)
		}
		r := NewRBM(n, alpha, holo)
		pr := make([]complex128, r.NumParams())
		copy(pr[n:], pf) // a = 0, then b, W in the same layout
		r.SetParams(pr)
		x := randConfig(rng, n)
		cf, cr := f.NewCache(x), r.NewCache(x)
		of := make([]complex128, f.NumParams())
		or := make([]complex128, r.NumParams())
		flips := make([]int, 0, 2)
		for step := range 50 {
			if d := logDist(f.LogPsi(cf.Config()), r.LogPsi(cr.Config())); !(d <= matchTol) {
				t.Fatalf("holomorphic=%v step %d: FFNN log ψ %v, RBM %v", holo, step, f.LogPsi(cf.Config()), r.LogPsi(cr.Config()))
			}
			cf.LogDeriv(of)
			cr.LogDeriv(or)
			for k := range r.NumParams() - n {
				if d := cmplx.Abs(of[k] - or[n+k]); !(d <= matchTol) {
					t.Fatalf("holomorphic=%v step %d: FFNN O_%d = %v, RBM %v", holo, step, k, of[k], or[n+k])
				}
			}
			flips = randFlips(rng, flips, n, 1+step%2)
			if d := logDist(cf.LogRatio(flips), cr.LogRatio(flips)); !(d <= matchTol) {
				t.Fatalf("holomorphic=%v step %d: log-ratios differ", holo, step)
			}
			cf.Accept(flips)
			cr.Accept(flips)
		}
	}
}

// refFFNN evaluates log ψ straight from the documented parameter layout
// with explicit indices, independently of the FFNN's slicing.
func refFFNN(p []complex128, n int, widths []int, act Activation, holo bool, x []int8) complex128 {
	h := make([]complex128, n)
	for i, xi := range x {
		h[i] = complex(float64(xi), 0)
	}
	k := 0
	for _, w := range widths {
		z := make([]complex128, w)
		for u := range w {
			z[u] = p[k+u] // b_l
		}
		k += w
		for u := range w {
			for v := range h {
				z[u] += p[k+u*len(h)+v] * h[v] // W_l[u][v]
			}
		}
		k += w * len(h)
		act.applyC(z, z)
		h = z
	}
	var s complex128
	for u, v := range h {
		if holo {
			s += v
		} else {
			s += complex(real(p[k+u]), real(p[k+len(h)+u])) * v
		}
	}
	return s
}

func TestFFNNParamLayout(t *testing.T) {
	// layoutTol: the same operations in a different order.
	const layoutTol = 1e-12
	const n = 5
	for _, holo := range []bool{true, false} {
		for _, widths := range [][]int{{4}, {6, 3}, {3, 4, 2}} {
			rng := rand.New(rand.NewPCG(81, 82))
			f := NewFFNN(n, widths, Softplus, holo)
			want := n*widths[0] + widths[0]
			for l := 1; l < len(widths); l++ {
				want += widths[l] * (widths[l-1] + 1)
			}
			if !holo {
				want += 2 * widths[len(widths)-1]
			}
			if f.NumParams() != want {
				t.Fatalf("holomorphic=%v %v: NumParams = %d, want %d", holo, widths, f.NumParams(), want)
			}
			f.InitRandom(rng, 1)
			p := make([]complex128, f.NumParams())
			f.Params(p)
			for range 5 {
				x := randConfig(rng, n)
				got, ref := f.LogPsi(x), refFFNN(p, n, widths, Softplus, holo, x)
				if d := logDist(got, ref); !(d <= layoutTol) {
					t.Errorf("holomorphic=%v %v: LogPsi = %v, layout reference %v", holo, widths, got, ref)
				}
			}
		}
	}
}

func TestFFNNInitScale(t *testing.T) {
	// LeCun scaling: a first-layer pre-activation z_u = b_u + Σ_i W_ui x_i
	// has variance scale² (bias) + N·scale²/N (weights) = 2 scale² whatever
	// N. The mean of z² over w = 1024 units and 32 configurations has a
	// relative standard deviation of about 2.5% (mostly from the w bias
	// draws, √(2/w)/2 ≈ 2.2%), so 12% is a 5σ bound.
	const n, w, samples, scale = 256, 1024, 32, 0.5
	f := NewFFNN(n, []int{w}, LnCosh, false)
	f.InitRandom(rand.New(rand.NewPCG(91, 92)), scale)
	rng := rand.New(rand.NewPCG(93, 94))
	z := make([]float64, w)
	var s2 float64
	for range samples {
		f.firstR(z, randConfig(rng, n))
		for _, v := range z {
			s2 += v * v
		}
	}
	if v := s2 / (samples * w); math.Abs(v/(2*scale*scale)-1) > 0.12 {
		t.Errorf("variance of z_1 = %v, want ≈ 2·%v² = %v", v, scale, 2*scale*scale)
	}
}

func TestFFNNZeroFlipsAndString(t *testing.T) {
	for _, holo := range []bool{true, false} {
		f := NewFFNN(4, []int{3, 2}, Tanh, holo)
		c := f.NewCache([]int8{1, -1, 1, 1})
		if got := c.LogRatio(nil); got != 0 {
			t.Errorf("holomorphic=%v: LogRatio(nil) = %v", holo, got)
		}
		c.Accept(nil)
		// Zero parameters and tanh: every unit is 0, ψ = 1.
		if got := c.LogPsi(); got != 0 {
			t.Errorf("holomorphic=%v: zero-parameter LogPsi = %v", holo, got)
		}
		if l := f.Layers(); len(l) != 2 || l[0] != 3 || l[1] != 2 || f.Activation() != Tanh {
			t.Errorf("Layers() = %v, Activation() = %v", l, f.Activation())
		}
		s := f.String()
		for _, want := range []string{"FFNN(N=4", "[3 2]", "tanh"} {
			if !strings.Contains(s, want) {
				t.Errorf("String() = %q, want it to contain %q", s, want)
			}
		}
	}
	if f := NewFFNN(40, []int{40, 20}, LnCosh, true); f.String() != "FFNN(N=40, layers=[40 20], lncosh, complex, sum readout, 2460 params)" {
		t.Errorf("String() = %q", f.String())
	}
}

func TestFFNNPanics(t *testing.T) {
	f := NewFFNN(3, []int{2}, LnCosh, true)
	fr := NewFFNN(3, []int{2, 2}, Tanh, false)
	checkPanics(t,
		func() { NewFFNN(0, []int{2}, LnCosh, true) },
		func() { NewFFNN(3, nil, LnCosh, true) },
		func() { NewFFNN(3, []int{2, 0}, LnCosh, true) },
		func() { NewFFNN(3, []int{2}, Activation(9), true) },
		func() { f.SetParams(make([]complex128, 2)) },
		func() { fr.Params(make([]complex128, 100)) },
		func() { f.LogPsi([]int8{1, 1}) },
		func() { fr.NewCache([]int8{1, 1, 1, 1}) },
		func() { f.NewCache([]int8{1, 1, 1}).Reset([]int8{1}) },
		func() { fr.NewCache([]int8{1, 1, 1}).LogDeriv(make([]complex128, 1)) },
	)
}

func BenchmarkFFNN(b *testing.B) {
	// N = 40 chain, layers [40, 20], parameters at the recommended scale.
	for _, holo := range []bool{true, false} {
		for _, act := range []Activation{LnCosh, Tanh} {
			dtype := "complex"
			if !holo {
				dtype = "real"
			}
			b.Run(fmt.Sprintf("%s/%v/N=40/layers=40,20", dtype, act), func(b *testing.B) {
				benchOps(b, func() initializer { return NewFFNN(40, []int{40, 20}, act, holo) }, 0.5)
			})
		}
	}
}
