package ansatz

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
)

// RBM is a restricted Boltzmann machine with N visible and M = alpha·N hidden
// units, the hidden units traced out analytically:
//
//	log ψ(x) = Σ_i a_i x_i + Σ_j lncosh θ_j(x),   θ_j(x) = b_j + Σ_i W_ji x_i.
//
// The parameter order is a (N), b (M), W (M×N, row-major: W_ji at j*N+i).
// A holomorphic RBM has complex parameters; a real RBM has real parameters
// and a real log ψ (positive amplitudes).
//
// This is the RBM of G. Carleo and M. Troyer, Science 355, 602 (2017), with
// the hidden units summed out, up to the constant factor 2^M; the look-up
// tables θ follow their supplementary material.
type RBM struct {
	n, m        int
	holomorphic bool

	// Holomorphic RBM (nil otherwise). The tables are indexed in
	// "transposed" order i*m+j so that a flip of site i reads contiguous
	// memory: wt = W_ji, ch = cosh 2W_ji, sh = sinh 2W_ji, and their moduli.
	// e4 holds the pair exp(−4W_ji), exp(+4W_ji) at 2(i*m+j) and 2(i*m+j)+1,
	// the factors by which a flip multiplies exp(±2θ_j) (see rbmCache).
	a, b, w      []complex128
	wt, ch, sh   []complex128
	absCh, absSh []float64
	e4           []complex128

	// Real RBM (nil otherwise); same layout.
	ar, br, wr    []float64
	wtr, chr, shr []float64
	e4r           []float64
}

var (
	_ Ansatz = (*RBM)(nil)
	_ Cache  = (*rbmCache)(nil)
	_ Cache  = (*realRBMCache)(nil)
)

// NewRBM returns an RBM with n visible and alpha·n hidden units and all
// parameters zero (ψ constant). It panics if n < 1 or alpha < 1.
func NewRBM(n, alpha int, holomorphic bool) *RBM {
	if n < 1 {
		panic(fmt.Sprintf("ansatz: RBM needs n >= 1 visible units, got %d", n))
	}
	if alpha < 1 {
		panic(fmt.Sprintf("ansatz: RBM needs alpha >= 1, got %d", alpha))
	}
	return newRBMHidden(n, alpha*n, holomorphic)
}

// InitRandom sets every parameter to scale times a standard normal variate
// drawn from rng, in parameter order; a holomorphic RBM draws the real and
// then the imaginary part of each parameter. Caches must be Reset afterwards.
func (r *RBM) InitRandom(rng *rand.Rand, scale float64) {
	if r.holomorphic {
		for _, s := range [][]complex128{r.a, r.b, r.w} {
			for k := range s {
				re := scale * rng.NormFloat64()
				s[k] = complex(re, scale*rng.NormFloat64())
			}
		}
	} else {
		for _, s := range [][]float64{r.ar, r.br, r.wr} {
			for k := range s {
				s[k] = scale * rng.NormFloat64()
			}
		}
	}
	r.prepare()
}

// NumSites returns the number of visible units N.
func (r *RBM) NumSites() int { return r.n }

// NumHidden returns the number of hidden units M = alpha·N.
func (r *RBM) NumHidden() int { return r.m }

// NumParams returns N + M + M·N.
func (r *RBM) NumParams() int { return r.n + r.m + r.n*r.m }

// Holomorphic reports whether the parameters are complex.
func (r *RBM) Holomorphic() bool { return r.holomorphic }

// Params copies the parameters in the order a, b, W into dst, which must
// have length NumParams. A real RBM reports zero imaginary parts.
func (r *RBM) Params(dst []complex128) {
	if len(dst) != r.NumParams() {
		panic(fmt.Sprintf("ansatz: RBM.Params: len(dst) = %d, want %d", len(dst), r.NumParams()))
	}
	if r.holomorphic {
		k := copy(dst, r.a)
		k += copy(dst[k:], r.b)
		copy(dst[k:], r.w)
		return
	}
	k := 0
	for _, s := range [][]float64{r.ar, r.br, r.wr} {
		for _, v := range s {
			dst[k] = complex(v, 0)
			k++
		}
	}
}

// SetParams replaces the parameters by p (order a, b, W), of length
// NumParams, and recomputes the derived tables. A real RBM ignores the
// imaginary parts. Existing caches are stale until Reset.
func (r *RBM) SetParams(p []complex128) {
	if len(p) != r.NumParams() {
		panic(fmt.Sprintf("ansatz: RBM.SetParams: len(p) = %d, want %d", len(p), r.NumParams()))
	}
	if r.holomorphic {
		k := copy(r.a, p)
		k += copy(r.b, p[k:])
		copy(r.w, p[k:])
	} else {
		k := 0
		for _, s := range [][]float64{r.ar, r.br, r.wr} {
			for i := range s {
				s[i] = real(p[k])
				k++
			}
		}
	}
	r.prepare()
}

// prepare recomputes the transposed weights, cosh 2W, sinh 2W and exp(±4W).
// Entries with |Re W| beyond about 177 overflow to Inf or underflow to 0;
// the fast paths detect that and take the exact path for those terms.
func (r *RBM) prepare() {
	n, m := r.n, r.m
	if r.holomorphic {
		for j := range m {
			for i := range n {
				w := r.w[j*n+i]
				k := i*m + j
				r.wt[k] = w
				r.ch[k] = cmplx.Cosh(2 * w)
				r.sh[k] = cmplx.Sinh(2 * w)
				r.absCh[k] = cmplx.Abs(r.ch[k])
				r.absSh[k] = cmplx.Abs(r.sh[k])
				r.e4[2*k] = cmplx.Exp(-4 * w)
				r.e4[2*k+1] = cmplx.Exp(4 * w)
			}
		}
		return
	}
	for j := range m {
		for i := range n {
			w := r.wr[j*n+i]
			k := i*m + j
			r.wtr[k] = w
			r.chr[k] = math.Cosh(2 * w)
			r.shr[k] = math.Sinh(2 * w)
			r.e4r[2*k] = math.Exp(-4 * w)
			r.e4r[2*k+1] = math.Exp(4 * w)
		}
	}
}

func (r *RBM) checkConfig(x []int8, who string) {
	if len(x) != r.n {
		panic(fmt.Sprintf("ansatz: %s: len(x) = %d, want %d sites", who, len(x), r.n))
	}
}

// LogPsi returns log ψ(x) computed from scratch in O(M·N) without
// allocating. For a real RBM the imaginary part is zero.
func (r *RBM) LogPsi(x []int8) complex128 {
	r.checkConfig(x, "RBM.LogPsi")
	n := r.n
	if r.holomorphic {
		var s complex128
		for i, xi := range x {
			s += r.a[i] * complex(float64(xi), 0)
		}
		for j := range r.m {
			s += lncosh(r.thetaC(j, x))
		}
		return s
	}
	var s float64
	for i, xi := range x {
		s += r.ar[i] * float64(xi)
	}
	for j := range r.m {
		th := r.br[j]
		for i, xi := range x {
			th += r.wr[j*n+i] * float64(xi)
		}
		s += lncoshReal(th)
	}
	return complex(s, 0)
}

// thetaC returns θ_j(x) = b_j + Σ_i W_ji x_i of a holomorphic RBM.
func (r *RBM) thetaC(j int, x []int8) complex128 {
	row := r.w[j*r.n : (j+1)*r.n]
	var re, im float64
	for i, xi := range x {
		f := float64(xi)
		re += f * real(row[i])
		im += f * imag(row[i])
	}
	return r.b[j] + complex(re, im)
}

// NewCache returns a cache positioned at a copy of x, holding the look-up
// tables θ_j = b_j + Σ_i W_ji x_i and tanh θ_j. All its buffers are
// allocated here; it shares only the read-only parameter tables with r.
func (r *RBM) NewCache(x []int8) Cache {
	r.checkConfig(x, "RBM.NewCache")
	if r.holomorphic {
		c := &rbmCache{
			r:     r,
			x:     make([]int8, r.n),
			theta: make([]complex128, r.m),
			tanh:  make([]complex128, r.m),
			tabs:  make([]float64, r.m),
			pexp:  make([]complex128, r.m),
			side:  make([]int8, r.m),
			cbuf:  make([]complex128, r.m),
			sbuf:  make([]complex128, r.m),
			ebuf:  make([]float64, r.m),
		}
		c.Reset(x)
		return c
	}
	c := &realRBMCache{
		r:     r,
		x:     make([]int8, r.n),
		theta: make([]float64, r.m),
		tanh:  make([]float64, r.m),
		pexp:  make([]float64, r.m),
		side:  make([]int8, r.m),
		cbuf:  make([]float64, r.m),
		sbuf:  make([]float64, r.m),
		ebuf:  make([]float64, r.m),
	}
	c.Reset(x)
	return c
}

// Bounds for the fast log-ratio, which multiplies the factors
//
//	f_j = cosh(θ_j + δ_j) / cosh θ_j = cosh δ_j + tanh θ_j · sinh δ_j
//
// (δ_j = −2 Σ_{flipped i} W_ji x_i) and takes one logarithm at the end.
// A factor is used only if
//   - it lost at most 14 bits to cancellation: |f| ≥ 2⁻¹⁴ E, where E is
//     the sum of the moduli of the terms that make up f (an upper bound for
//     three or more flips), so that its rounding error is at most a few
//     times 2¹⁴ ε ≈ 2e-12 relative (measured: ≤ 4e-12 in log ψ ratios for
//     weights of scale 1–3, where 5–50% of the terms take the exact path;
//     none do for weights of scale ≲ 0.3), and
//   - 2⁻³² ≤ |f| ≤ 2³², so that eight factors change the running product
//     by at most 2^±256;
//
// otherwise (cancellation, overflow of cosh 2W, a pole of cosh, NaN) the
// term is computed exactly as lncosh(θ_j+δ_j) − lncosh θ_j. Every eight
// factors the product is brought back to 2^±200 (by taking its log) when it
// has left that range, so it never overflows or underflows. The constants
// below are squared moduli where the complex code compares |f|².
const (
	cancelTol  = 0x1p-14 // |f| / E below this: take the exact path
	cancelTol2 = cancelTol * cancelTol
	factorMax  = 0x1p32
	factorMin  = 0x1p-32
	factorMax2 = factorMax * factorMax
	factorMin2 = factorMin * factorMin
	prodMax    = 0x1p200
	prodMin    = 0x1p-200
	prodMax2   = prodMax * prodMax
	prodMin2   = prodMin * prodMin
	renormMask = 7 // check the running product every renormMask+1 factors
)

// rbmCache is the Cache of a holomorphic RBM.
//
// Besides θ it keeps, for each hidden unit, P_j = exp(2 s_j θ_j) with the
// side s_j = ±1 chosen so that |P_j| ≤ 1 (s_j = −sign Re θ_j), because
//
//	tanh θ_j = s_j (P_j − 1) / (P_j + 1)
//
// needs no transcendental function. A flip of site i multiplies P_j by
// exp(2 s_j δ_j) = exp(∓4 W_ji), read from RBM.e4; when |P_j| exceeds 1 the
// side changes (P_j ← 1/P_j). The multiplicative update carries a relative
// rounding error of a few ε per move, the same as the additive update of θ,
// i.e. an error in θ of order ε·√moves. P_j and tanh θ_j are recomputed
// from θ_j (exp, sincos) when P_j leaves [2^−450, 2^450] (|Re θ_j| ≳ 150, or
// a factor overflowed), when P_j + 1 is tiny (θ_j next to a pole), and for
// all j every refreshEvery accepted moves.
type rbmCache struct {
	r     *RBM
	x     []int8
	theta []complex128 // θ_j = b_j + Σ_i W_ji x_i
	tanh  []complex128 // tanh θ_j
	tabs  []float64    // |tanh θ_j|
	pexp  []complex128 // P_j = exp(2 s_j θ_j)
	side  []int8       // s_j
	moves int          // accepted moves since the last refresh
	// Scratch for moves of three or more flips.
	cbuf, sbuf []complex128
	ebuf       []float64
}

// Bounds for the multiplicative tanh update: P (or |P|² for the complex
// cache, names ending in 2) outside [pMin, pMax], or |P+1|² < pPole2, takes
// the exact path; all tables are recomputed every refreshEvery moves.
const (
	refreshEvery = 1024
	pMin2        = 0x1p-900
	pMax2        = 0x1p900
	pPole2       = 0x1p-60 // |P+1|² below this: recompute tanh θ from θ
	pMin         = 0x1p-450
	pMax         = 0x1p450
)

// Reset positions the cache at a copy of x and recomputes θ, P and tanh θ.
func (c *rbmCache) Reset(x []int8) {
	c.r.checkConfig(x, "RBM cache Reset")
	copy(c.x, x)
	for j := range c.theta {
		c.theta[j] = c.r.thetaC(j, c.x)
	}
	c.refresh()
}

// refresh recomputes P and tanh θ from θ for every hidden unit.
func (c *rbmCache) refresh() {
	for j := range c.theta {
		c.exactTables(j)
	}
	c.moves = 0
}

// exactTables recomputes P_j, s_j and tanh θ_j from θ_j.
func (c *rbmCache) exactTables(j int) {
	th := c.theta[j]
	x, y := real(th), imag(th)
	var s int8 = 1
	if x > 0 {
		s, x, y = -1, -x, -y
	}
	// P = exp(2(x+iy)) with x ≤ 0.
	e := math.Exp(2 * x)
	sn, cs := math.Sincos(2 * y)
	c.pexp[j] = complex(e*cs, e*sn)
	c.side[j] = s
	t := tanhC(th)
	c.tanh[j] = t
	c.tabs[j] = math.Sqrt(real(t)*real(t) + imag(t)*imag(t))
}

// Config returns the current configuration; the caller must not modify it.
func (c *rbmCache) Config() []int8 { return c.x }

// LogPsi returns log ψ of the current configuration from the tables, in
// O(N+M).
func (c *rbmCache) LogPsi() complex128 {
	var s complex128
	for i, xi := range c.x {
		s += c.r.a[i] * complex(float64(xi), 0)
	}
	for _, th := range c.theta {
		s += lncosh(th)
	}
	return s
}

// Accept flips the given sites and updates θ and P in O(M·len(flips)) and
// tanh θ in O(M), without transcendental functions except in the rare
// cases listed at rbmCache (and an O(M) refresh every refreshEvery moves).
func (c *rbmCache) Accept(flips []int) {
	if len(flips) == 0 {
		return
	}
	r := c.r
	m := r.m
	theta := c.theta[:m]
	pexp := c.pexp[:m]
	side := c.side[:m]
	for _, i := range flips {
		xi := c.x[i]
		d := -2 * float64(xi)
		row := r.wt[i*m : (i+1)*m]
		e4 := r.e4[2*i*m : 2*(i+1)*m]
		for j, w := range row {
			theta[j] += complex(d*real(w), d*imag(w))
			// exp(2 s δ) = exp(−4 s x_i W): e4[2j] if s x_i = 1, else e4[2j+1].
			pexp[j] *= e4[2*j+int(1-side[j]*xi)>>1]
		}
		c.x[i] = -xi
	}
	c.moves++
	if c.moves >= refreshEvery {
		c.refresh()
		return
	}
	tanh := c.tanh[:m]
	tabs := c.tabs[:m]
	for j, p := range pexp {
		np := real(p)*real(p) + imag(p)*imag(p)
		if np > 1 {
			if !(np <= pMax2) {
				c.exactTables(j)
				continue
			}
			p = complex(real(p)/np, -imag(p)/np)
			np = 1 / np
			pexp[j] = p
			side[j] = -side[j]
		}
		d := p + 1
		nd := real(d)*real(d) + imag(d)*imag(d)
		if !(np >= pMin2 && nd >= pPole2) {
			c.exactTables(j)
			continue
		}
		// t = s (P−1) conj(P+1) / |P+1|².
		u := (p - 1) * complex(real(d), -imag(d))
		f := float64(side[j]) / nd
		t := complex(f*real(u), f*imag(u))
		tanh[j] = t
		tabs[j] = math.Sqrt(real(t)*real(t) + imag(t)*imag(t))
	}
}

// LogDeriv writes O_a_i = x_i, O_b_j = tanh θ_j and O_W_ji = x_i tanh θ_j
// into dst, which must have length NumParams.
func (c *rbmCache) LogDeriv(dst []complex128) {
	r := c.r
	n, m := r.n, r.m
	if len(dst) != r.NumParams() {
		panic(fmt.Sprintf("ansatz: RBM LogDeriv: len(dst) = %d, want %d", len(dst), r.NumParams()))
	}
	for i, xi := range c.x {
		dst[i] = complex(float64(xi), 0)
	}
	copy(dst[n:n+m], c.tanh)
	dw := dst[n+m:]
	for j, t := range c.tanh {
		row := dw[j*n : (j+1)*n]
		for i, xi := range c.x {
			f := float64(xi)
			row[i] = complex(f*real(t), f*imag(t))
		}
	}
}

// biasTerm returns Σ_{flipped i} −2 a_i x_i.
func (c *rbmCache) biasTerm(flips []int) complex128 {
	var s complex128
	for _, i := range flips {
		s += complex(-2*float64(c.x[i]), 0) * c.r.a[i]
	}
	return s
}

// exactTerm returns lncosh(θ_j + δ_j) − lncosh θ_j for the given flips.
func (c *rbmCache) exactTerm(j int, flips []int) complex128 {
	m := c.r.m
	th := c.theta[j]
	d := th
	for _, i := range flips {
		d += complex(-2*float64(c.x[i]), 0) * c.r.wt[i*m+j]
	}
	return lncosh(d) - lncosh(th)
}

// logRatioRef is the reference log-ratio: the sum of exact lncosh
// differences, O(M·len(flips)) logarithms. Tests check LogRatio against it.
func (c *rbmCache) logRatioRef(flips []int) complex128 {
	s := c.biasTerm(flips)
	for j := range c.theta {
		s += c.exactTerm(j, flips)
	}
	return s
}

// LogRatio returns log ψ(x') − log ψ(x) for x' = x with the given distinct
// sites flipped, as the bias term plus the log of the product of the
// factors f_j = cosh δ_j + tanh θ_j sinh δ_j (see the constants above for
// the safeguards). Cost O(M·len(flips)); it allocates nothing. The
// imaginary part is defined modulo 2π.
func (c *rbmCache) LogRatio(flips []int) complex128 {
	switch len(flips) {
	case 0:
		return 0
	case 1:
		return c.logRatio1(flips)
	case 2:
		return c.logRatio2(flips)
	}
	return c.logRatioK(flips)
}

// logRatio1 handles one flip at site i: δ_j = −2 x_i W_ji, so
// cosh δ_j = cosh 2W_ji and sinh δ_j = −x_i sinh 2W_ji, and
//
//	f_j = cosh 2W_ji − x_i tanh θ_j sinh 2W_ji,
//	E_j = |cosh 2W_ji| + |tanh θ_j| |sinh 2W_ji|.
func (c *rbmCache) logRatio1(flips []int) complex128 {
	r := c.r
	m := r.m
	i := flips[0]
	row := i * m
	ch := r.ch[row : row+m]
	sh := r.sh[row : row+m]
	ac := r.absCh[row : row+m]
	as := r.absSh[row : row+m]
	tanh := c.tanh[:m]
	tabs := c.tabs[:m]
	sg := -float64(c.x[i])

	sum := c.biasTerm(flips)
	p := complex(1, 0)
	for j, t := range tanh {
		ts := t * sh[j]
		f := ch[j] + complex(sg*real(ts), sg*imag(ts))
		nf := real(f)*real(f) + imag(f)*imag(f)
		e := ac[j] + tabs[j]*as[j]
		if nf >= cancelTol2*e*e && nf >= factorMin2 && nf <= factorMax2 {
			p *= f
		} else {
			sum += c.exactTerm(j, flips)
		}
		if j&renormMask == renormMask {
			if np := real(p)*real(p) + imag(p)*imag(p); np > prodMax2 || np < prodMin2 {
				sum += cmplx.Log(p)
				p = 1
			}
		}
	}
	return sum + cmplx.Log(p)
}

// logRatio2 handles two flips, δ = δ₁ + δ₂, by the addition formulas:
// with C_k = cosh δ_k, S_k = sinh δ_k and t = tanh θ_j,
//
//	f_j = C₁ (C₂ + t S₂) + S₁ (S₂ + t C₂),
//	E_j = |C₁| (|C₂| + |t| |S₂|) + |S₁| (|S₂| + |t| |C₂|).
func (c *rbmCache) logRatio2(flips []int) complex128 {
	r := c.r
	m := r.m
	i1, i2 := flips[0], flips[1]
	r1, r2 := i1*m, i2*m
	ch1, sh1 := r.ch[r1:r1+m], r.sh[r1:r1+m]
	ch2, sh2 := r.ch[r2:r2+m], r.sh[r2:r2+m]
	ac1, as1 := r.absCh[r1:r1+m], r.absSh[r1:r1+m]
	ac2, as2 := r.absCh[r2:r2+m], r.absSh[r2:r2+m]
	tanh := c.tanh[:m]
	tabs := c.tabs[:m]
	sg1, sg2 := -float64(c.x[i1]), -float64(c.x[i2])

	sum := c.biasTerm(flips)
	p := complex(1, 0)
	for j, t := range tanh {
		c1, c2 := ch1[j], ch2[j]
		s1 := complex(sg1*real(sh1[j]), sg1*imag(sh1[j]))
		s2 := complex(sg2*real(sh2[j]), sg2*imag(sh2[j]))
		f := c1*(c2+t*s2) + s1*(s2+t*c2)
		nf := real(f)*real(f) + imag(f)*imag(f)
		ta := tabs[j]
		e := ac1[j]*(ac2[j]+ta*as2[j]) + as1[j]*(as2[j]+ta*ac2[j])
		if nf >= cancelTol2*e*e && nf >= factorMin2 && nf <= factorMax2 {
			p *= f
		} else {
			sum += c.exactTerm(j, flips)
		}
		if j&renormMask == renormMask {
			if np := real(p)*real(p) + imag(p)*imag(p); np > prodMax2 || np < prodMin2 {
				sum += cmplx.Log(p)
				p = 1
			}
		}
	}
	return sum + cmplx.Log(p)
}

// logRatioK handles three or more flips by composing cosh and sinh of the
// partial sums of δ in the scratch buffers:
//
//	C ← C C_k + S S_k,  S ← S C_k + C S_k,  E ← E (|C_k|+|S_k|),
//
// then f_j = C + t S with E_j = E (1+|t|).
func (c *rbmCache) logRatioK(flips []int) complex128 {
	r := c.r
	m := r.m
	cb, sb, eb := c.cbuf[:m], c.sbuf[:m], c.ebuf[:m]
	for k, i := range flips {
		row := i * m
		ch, sh := r.ch[row:row+m], r.sh[row:row+m]
		ac, as := r.absCh[row:row+m], r.absSh[row:row+m]
		sg := -float64(c.x[i])
		if k == 0 {
			for j := range cb {
				cb[j] = ch[j]
				sb[j] = complex(sg*real(sh[j]), sg*imag(sh[j]))
				eb[j] = ac[j] + as[j]
			}
			continue
		}
		for j := range cb {
			ck := ch[j]
			sk := complex(sg*real(sh[j]), sg*imag(sh[j]))
			cb[j], sb[j] = cb[j]*ck+sb[j]*sk, sb[j]*ck+cb[j]*sk
			eb[j] *= ac[j] + as[j]
		}
	}

	sum := c.biasTerm(flips)
	p := complex(1, 0)
	for j, t := range c.tanh[:m] {
		f := cb[j] + t*sb[j]
		nf := real(f)*real(f) + imag(f)*imag(f)
		e := eb[j] * (1 + c.tabs[j])
		if nf >= cancelTol2*e*e && nf >= factorMin2 && nf <= factorMax2 {
			p *= f
		} else {
			sum += c.exactTerm(j, flips)
		}
		if j&renormMask == renormMask {
			if np := real(p)*real(p) + imag(p)*imag(p); np > prodMax2 || np < prodMin2 {
				sum += cmplx.Log(p)
				p = 1
			}
		}
	}
	return sum + cmplx.Log(p)
}

// realRBMCache is the Cache of a real RBM; all arithmetic is in float64.
// It keeps tanh θ_j up to date as rbmCache does, through
// P_j = exp(2 s_j θ_j) ∈ (0, 1] with s_j = −sign θ_j.
type realRBMCache struct {
	r     *RBM
	x     []int8
	theta []float64
	tanh  []float64
	pexp  []float64
	side  []int8
	moves int
	// Scratch for moves of three or more flips.
	cbuf, sbuf, ebuf []float64
}

// Reset positions the cache at a copy of x and recomputes θ, P and tanh θ.
func (c *realRBMCache) Reset(x []int8) {
	r := c.r
	r.checkConfig(x, "RBM cache Reset")
	copy(c.x, x)
	n := r.n
	for j := range c.theta {
		th := r.br[j]
		for i, xi := range c.x {
			th += r.wr[j*n+i] * float64(xi)
		}
		c.theta[j] = th
	}
	c.refresh()
}

func (c *realRBMCache) refresh() {
	for j := range c.theta {
		c.exactTables(j)
	}
	c.moves = 0
}

func (c *realRBMCache) exactTables(j int) {
	th := c.theta[j]
	c.side[j] = 1
	if th > 0 {
		c.side[j] = -1
	}
	c.pexp[j] = math.Exp(-2 * math.Abs(th))
	c.tanh[j] = math.Tanh(th)
}

// Config returns the current configuration; the caller must not modify it.
func (c *realRBMCache) Config() []int8 { return c.x }

// LogPsi returns log ψ of the current configuration (zero imaginary part).
func (c *realRBMCache) LogPsi() complex128 {
	var s float64
	for i, xi := range c.x {
		s += c.r.ar[i] * float64(xi)
	}
	for _, th := range c.theta {
		s += lncoshReal(th)
	}
	return complex(s, 0)
}

// Accept flips the given sites and updates θ, P and tanh θ as
// rbmCache.Accept does.
func (c *realRBMCache) Accept(flips []int) {
	if len(flips) == 0 {
		return
	}
	r := c.r
	m := r.m
	theta := c.theta[:m]
	pexp := c.pexp[:m]
	side := c.side[:m]
	for _, i := range flips {
		xi := c.x[i]
		d := -2 * float64(xi)
		row := r.wtr[i*m : (i+1)*m]
		e4 := r.e4r[2*i*m : 2*(i+1)*m]
		for j, w := range row {
			theta[j] += d * w
			pexp[j] *= e4[2*j+int(1-side[j]*xi)>>1]
		}
		c.x[i] = -xi
	}
	c.moves++
	if c.moves >= refreshEvery {
		c.refresh()
		return
	}
	tanh := c.tanh[:m]
	for j, p := range pexp {
		if p > 1 {
			if !(p <= pMax) {
				c.exactTables(j)
				continue
			}
			p = 1 / p
			pexp[j] = p
			side[j] = -side[j]
		}
		if !(p >= pMin) {
			c.exactTables(j)
			continue
		}
		tanh[j] = float64(side[j]) * (p - 1) / (p + 1)
	}
}

// LogDeriv writes O_a_i = x_i, O_b_j = tanh θ_j and O_W_ji = x_i tanh θ_j
// (all real) into dst, which must have length NumParams.
func (c *realRBMCache) LogDeriv(dst []complex128) {
	r := c.r
	n, m := r.n, r.m
	if len(dst) != r.NumParams() {
		panic(fmt.Sprintf("ansatz: RBM LogDeriv: len(dst) = %d, want %d", len(dst), r.NumParams()))
	}
	for i, xi := range c.x {
		dst[i] = complex(float64(xi), 0)
	}
	for j, t := range c.tanh {
		dst[n+j] = complex(t, 0)
	}
	dw := dst[n+m:]
	for j, t := range c.tanh {
		row := dw[j*n : (j+1)*n]
		for i, xi := range c.x {
			row[i] = complex(float64(xi)*t, 0)
		}
	}
}

func (c *realRBMCache) biasTerm(flips []int) float64 {
	var s float64
	for _, i := range flips {
		s -= 2 * float64(c.x[i]) * c.r.ar[i]
	}
	return s
}

func (c *realRBMCache) exactTerm(j int, flips []int) float64 {
	m := c.r.m
	th := c.theta[j]
	d := th
	for _, i := range flips {
		d -= 2 * float64(c.x[i]) * c.r.wtr[i*m+j]
	}
	return lncoshReal(d) - lncoshReal(th)
}

func (c *realRBMCache) logRatioRef(flips []int) complex128 {
	s := c.biasTerm(flips)
	for j := range c.theta {
		s += c.exactTerm(j, flips)
	}
	return complex(s, 0)
}

// LogRatio returns log ψ(x') − log ψ(x) (real) for the given distinct
// flipped sites; the same scheme as the holomorphic cache in float64.
// Here |tanh θ| < 1 and every exact factor is positive.
func (c *realRBMCache) LogRatio(flips []int) complex128 {
	switch len(flips) {
	case 0:
		return 0
	case 1:
		return complex(c.logRatio1(flips), 0)
	case 2:
		return complex(c.logRatio2(flips), 0)
	}
	return complex(c.logRatioK(flips), 0)
}

func (c *realRBMCache) logRatio1(flips []int) float64 {
	r := c.r
	m := r.m
	i := flips[0]
	row := i * m
	ch := r.chr[row : row+m]
	sh := r.shr[row : row+m]
	sg := -float64(c.x[i])

	sum := c.biasTerm(flips)
	p := 1.0
	for j, t := range c.tanh[:m] {
		ts := sg * t * sh[j]
		f := ch[j] + ts
		e := ch[j] + math.Abs(ts)
		if f >= cancelTol*e && f >= factorMin && f <= factorMax {
			p *= f
		} else {
			sum += c.exactTerm(j, flips)
		}
		if j&renormMask == renormMask && (p > prodMax || p < prodMin) {
			sum += math.Log(p)
			p = 1
		}
	}
	return sum + math.Log(p)
}

func (c *realRBMCache) logRatio2(flips []int) float64 {
	r := c.r
	m := r.m
	i1, i2 := flips[0], flips[1]
	r1, r2 := i1*m, i2*m
	ch1, sh1 := r.chr[r1:r1+m], r.shr[r1:r1+m]
	ch2, sh2 := r.chr[r2:r2+m], r.shr[r2:r2+m]
	sg1, sg2 := -float64(c.x[i1]), -float64(c.x[i2])

	sum := c.biasTerm(flips)
	p := 1.0
	for j, t := range c.tanh[:m] {
		c1, c2 := ch1[j], ch2[j]
		s1, s2 := sg1*sh1[j], sg2*sh2[j]
		f := c1*(c2+t*s2) + s1*(s2+t*c2)
		ta, as1, as2 := math.Abs(t), math.Abs(s1), math.Abs(s2)
		e := c1*(c2+ta*as2) + as1*(as2+ta*c2)
		if f >= cancelTol*e && f >= factorMin && f <= factorMax {
			p *= f
		} else {
			sum += c.exactTerm(j, flips)
		}
		if j&renormMask == renormMask && (p > prodMax || p < prodMin) {
			sum += math.Log(p)
			p = 1
		}
	}
	return sum + math.Log(p)
}

func (c *realRBMCache) logRatioK(flips []int) float64 {
	r := c.r
	m := r.m
	cb, sb, eb := c.cbuf[:m], c.sbuf[:m], c.ebuf[:m]
	for k, i := range flips {
		row := i * m
		ch, sh := r.chr[row:row+m], r.shr[row:row+m]
		sg := -float64(c.x[i])
		if k == 0 {
			for j := range cb {
				cb[j] = ch[j]
				sb[j] = sg * sh[j]
				eb[j] = ch[j] + math.Abs(sh[j])
			}
			continue
		}
		for j := range cb {
			ck, sk := ch[j], sg*sh[j]
			cb[j], sb[j] = cb[j]*ck+sb[j]*sk, sb[j]*ck+cb[j]*sk
			eb[j] *= ck + math.Abs(sk)
		}
	}

	sum := c.biasTerm(flips)
	p := 1.0
	for j, t := range c.tanh[:m] {
		f := cb[j] + t*sb[j]
		e := eb[j] * (1 + math.Abs(t))
		if f >= cancelTol*e && f >= factorMin && f <= factorMax {
			p *= f
		} else {
			sum += c.exactTerm(j, flips)
		}
		if j&renormMask == renormMask && (p > prodMax || p < prodMin) {
			sum += math.Log(p)
			p = 1
		}
	}
	return sum + math.Log(p)
}
