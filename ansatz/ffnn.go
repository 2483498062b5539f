package ansatz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// FFNN is a fully connected feed-forward network with L ≥ 1 hidden layers
// of widths w_1 … w_L and the same activation σ on every hidden layer:
//
//	h_0 = x,   z_l = W_l h_{l−1} + b_l,   h_l = σ(z_l),   l = 1 … L,
//
// with W_l of shape w_l × w_{l−1} (w_0 = N). The readout depends on the
// mode:
//
//   - holomorphic (complex W_l, b_l): a sum over the units of the last
//     layer, log ψ(x) = Σ_u h_{L,u}. With one lncosh layer this is the RBM
//     without visible bias; a readout weight per unit would be redundant
//     with W_L and b_L for lncosh and is left out for all activations.
//   - real (real W_l, b_l): two real linear heads on the last layer, one
//     for the log-amplitude and one for the phase,
//     log ψ(x) = a(x) + i φ(x),  a(x) = Σ_u v^a_u h_{L,u},  φ(x) = Σ_u v^φ_u h_{L,u}.
//     The phase head gives signs and phases that a real network with a
//     real (positive) output cannot express; a constant offset of either
//     head would only change the normalization or a global phase and is
//     left out.
//
// The parameter order is, layer by layer, b_l (w_l) then W_l (w_l × w_{l−1},
// row-major: W_l[u][v] at u*w_{l−1}+v), for l = 1 … L; a real network then
// has v^a (w_L) and v^φ (w_L). NumParams = Σ_l w_l (w_{l−1} + 1), plus 2 w_L
// for a real network.
//
// Log-derivatives are computed by back-propagation: with
// δ_L = c ⊙ σ'(z_L), c_u = 1 (holomorphic) or v^a_u + i v^φ_u (real),
//
//	∂ log ψ/∂b_l = δ_l,   ∂ log ψ/∂W_l[u][v] = δ_{l,u} h_{l−1,v},
//	δ_{l−1} = (W_lᵀ δ_l) ⊙ σ'(z_{l−1}),
//
// and ∂ log ψ/∂v^a_u = h_{L,u}, ∂ log ψ/∂v^φ_u = i h_{L,u}.
//
// A cache keeps the first layer's pre-activations z_1 = W_1 x + b_1; a move
// changes them by −2 x_i W_1[·][i] per flipped site i in O(w_1) and the
// remaining layers are evaluated forward, so LogRatio costs
// O(w_1·flips + Σ_{l≥2} w_l w_{l−1}) and w_1+…+w_L activations.
//
// Branch cuts: in a holomorphic network with lncosh or softplus the
// imaginary part of σ(z) is one continuous choice of the phase of cosh
// away from the cuts Re z = 0, |Im z| > π/2 (for lncosh; for softplus
// Re z = 0, |Im z| > π), across which it jumps by a multiple of 2π. In the
// last layer (sum readout) that is harmless, ψ is unchanged; in an earlier
// layer the jump is multiplied by the next layer's weights and log ψ is
// discontinuous in the parameters there. Small initial weights
// (|Im z| < π/2) keep the network away from the cuts; tanh has no cuts
// (only poles) and the real network has none.
//
// Choosing a network. In exact-enumeration SR runs on the Heisenberg ring
// of 10 sites (layers [20 10], 300 steps; see the package documentation)
// the real network with tanh or lncosh at init scale 0.5 reached relative
// energy errors of 1e-4 with and without the Marshall sign rule, learning
// the sign through the phase head. Deep lncosh networks have a saddle at
// zero parameters (σ'(0) = 0, so every gradient beyond the last layer
// vanishes there) and stalled from init scales ≲ 0.1; tanh and softplus
// (σ'(0) = 1, ½) do not. The holomorphic network was less reliable: with
// the sign rule softplus (scale 0.1–0.5) reached 2e-4 but lncosh at scale 1
// oscillated; without it the errors were 0.2–30%; and holomorphic tanh
// collapsed onto a few configurations, its poles giving them huge
// amplitudes. (One seed per setting; take these as indications.)
type FFNN struct {
	n           int
	widths      []int // hidden layer widths w_1 … w_L
	act         Activation
	holomorphic bool
	np, maxw    int
	off         []int // off[l]: index of b_{l+1} in the parameter vector

	// Holomorphic network (nil otherwise): pc holds all parameters in
	// order; bc[l], wc[l] are views into it. w1tc is W_1 transposed
	// (W_1[u][i] at i*w_1+u), so that a flip reads contiguous memory.
	pc, w1tc []complex128
	bc, wc   [][]complex128

	// Real network (nil otherwise); same layout, plus the heads.
	pr, w1tr []float64
	br, wr   [][]float64
	va, vp   []float64
}

var (
	_ Ansatz = (*FFNN)(nil)
	_ Cache  = (*ffnnCache)(nil)
	_ Cache  = (*realFFNNCache)(nil)
)

// NewFFNN returns a feed-forward network on n sites with hidden layers of
// the given widths (at least one layer), activation act, complex
// parameters and a sum readout if holomorphic, real parameters and an
// amplitude and a phase head otherwise. All parameters are zero (ψ
// constant); call InitRandom. It panics if n < 1, layers is empty, a width
// is < 1 or act is not one of the Activation constants.
func NewFFNN(n int, layers []int, act Activation, holomorphic bool) *FFNN {
	if n < 1 {
		panic(fmt.Sprintf("ansatz: FFNN needs n >= 1 sites, got %d", n))
	}
	if len(layers) == 0 {
		panic("ansatz: FFNN needs at least one hidden layer")
	}
	for l, w := range layers {
		if w < 1 {
			panic(fmt.Sprintf("ansatz: FFNN layer %d has width %d, want >= 1", l+1, w))
		}
	}
	if !act.valid() {
		panic(fmt.Sprintf("ansatz: FFNN: unknown activation %v", act))
	}
	f := &FFNN{n: n, widths: slices.Clone(layers), act: act, holomorphic: holomorphic}
	nl := len(layers)
	f.off = make([]int, nl)
	np, fan := 0, n
	for l, w := range layers {
		f.off[l] = np
		np += w * (fan + 1)
		fan = w
		f.maxw = max(f.maxw, w)
	}
	wl := layers[nl-1]
	if !holomorphic {
		np += 2 * wl
	}
	f.np = np
	w1 := layers[0]
	if holomorphic {
		f.pc = make([]complex128, np)
		f.w1tc = make([]complex128, n*w1)
		f.bc, f.wc = make([][]complex128, nl), make([][]complex128, nl)
		fan = n
		for l, w := range layers {
			o := f.off[l]
			f.bc[l] = f.pc[o : o+w]
			f.wc[l] = f.pc[o+w : o+w+w*fan]
			fan = w
		}
	} else {
		f.pr = make([]float64, np)
		f.w1tr = make([]float64, n*w1)
		f.br, f.wr = make([][]float64, nl), make([][]float64, nl)
		fan = n
		for l, w := range layers {
			o := f.off[l]
			f.br[l] = f.pr[o : o+w]
			f.wr[l] = f.pr[o+w : o+w+w*fan]
			fan = w
		}
		f.va = f.pr[np-2*wl : np-wl]
		f.vp = f.pr[np-wl:]
	}
	return f
}

// InitRandom draws every parameter from a normal distribution with mean 0,
// in parameter order, from rng:
//
//	b_l ~ N(0, scale²),   W_l ~ N(0, scale²/w_{l−1}),   v^a, v^φ ~ N(0, scale²/w_L),
//
// i.e. LeCun-normal weights times scale, so that the pre-activations stay
// of order scale in every layer whatever the widths. A holomorphic network
// draws the real and then the imaginary part of each parameter with the
// same standard deviation. The biases are random rather than zero: with
// zero biases an lncosh network is even under x → −x and the odd
// directions are a saddle of the energy. Caches must be Reset afterwards.
func (f *FFNN) InitRandom(rng *rand.Rand, scale float64) {
	fan := f.n
	for l, w := range f.widths {
		o := f.off[l]
		sw := scale / math.Sqrt(float64(fan))
		for k := o; k < o+w*(fan+1); k++ {
			s := sw
			if k < o+w {
				s = scale
			}
			if f.holomorphic {
				re := s * rng.NormFloat64()
				f.pc[k] = complex(re, s*rng.NormFloat64())
			} else {
				f.pr[k] = s * rng.NormFloat64()
			}
		}
		fan = w
	}
	if !f.holomorphic {
		s := scale / math.Sqrt(float64(fan))
		for k := range f.va {
			f.va[k] = s * rng.NormFloat64()
		}
		for k := range f.vp {
			f.vp[k] = s * rng.NormFloat64()
		}
	}
	f.prepare()
}

// NumSites returns the number of sites N.
func (f *FFNN) NumSites() int { return f.n }

// NumParams returns Σ_l w_l (w_{l−1}+1), plus 2 w_L for a real network.
func (f *FFNN) NumParams() int { return f.np }

// Holomorphic reports whether the parameters are complex.
func (f *FFNN) Holomorphic() bool { return f.holomorphic }

// Layers returns a copy of the hidden layer widths.
func (f *FFNN) Layers() []int { return slices.Clone(f.widths) }

// Activation returns the activation of the hidden layers.
func (f *FFNN) Activation() Activation { return f.act }

// String describes the network, e.g.
// "FFNN(N=40, layers=[40 20], lncosh, complex, sum readout, 2480 params)".
func (f *FFNN) String() string {
	mode := "complex, sum readout"
	if !f.holomorphic {
		mode = "real, amplitude and phase heads"
	}
	return fmt.Sprintf("FFNN(N=%d, layers=%v, %v, %s, %d params)", f.n, f.widths, f.act, mode, f.np)
}

// Params copies the parameters (order b_1, W_1, …, b_L, W_L[, v^a, v^φ])
// into dst, which must have length NumParams. A real network reports zero
// imaginary parts.
func (f *FFNN) Params(dst []complex128) {
	if len(dst) != f.np {
		panic(fmt.Sprintf("ansatz: FFNN.Params: len(dst) = %d, want %d", len(dst), f.np))
	}
	if f.holomorphic {
		copy(dst, f.pc)
		return
	}
	for k, v := range f.pr {
		dst[k] = complex(v, 0)
	}
}

// SetParams replaces the parameters by p, of length NumParams, in the
// order of Params. A real network ignores the imaginary parts. Existing
// caches are stale until Reset.
func (f *FFNN) SetParams(p []complex128) {
	if len(p) != f.np {
		panic(fmt.Sprintf("ansatz: FFNN.SetParams: len(p) = %d, want %d", len(p), f.np))
	}
	if f.holomorphic {
		copy(f.pc, p)
	} else {
		for k, v := range p {
			f.pr[k] = real(v)
		}
	}
	f.prepare()
}

// prepare recomputes the transposed first-layer weights.
func (f *FFNN) prepare() {
	n, w1 := f.n, f.widths[0]
	for u := range w1 {
		for i := range n {
			if f.holomorphic {
				f.w1tc[i*w1+u] = f.wc[0][u*n+i]
			} else {
				f.w1tr[i*w1+u] = f.wr[0][u*n+i]
			}
		}
	}
}

func (f *FFNN) checkConfig(x []int8, who string) {
	if len(x) != f.n {
		panic(fmt.Sprintf("ansatz: %s: len(x) = %d, want %d sites", who, len(x), f.n))
	}
}

// LogPsi returns log ψ(x) computed from scratch in O(Σ_l w_l w_{l−1}). It
// allocates two scratch vectors of the largest width (the Ansatz may be
// shared by goroutines, so it keeps no scratch of its own).
func (f *FFNN) LogPsi(x []int8) complex128 {
	f.checkConfig(x, "FFNN.LogPsi")
	if f.holomorphic {
		z1 := make([]complex128, 2*f.maxw)
		f.firstC(z1[:f.widths[0]], x)
		return f.forwardC(z1[:f.widths[0]], z1, z1[f.maxw:])
	}
	z1 := make([]float64, 2*f.maxw)
	f.firstR(z1[:f.widths[0]], x)
	return f.forwardR(z1[:f.widths[0]], z1, z1[f.maxw:])
}

// firstC writes z_1 = W_1 x + b_1 into z.
func (f *FFNN) firstC(z []complex128, x []int8) {
	n := f.n
	w, b := f.wc[0], f.bc[0]
	for u := range z {
		row := w[u*n : (u+1)*n]
		var re, im float64
		for i, xi := range x {
			s := float64(xi)
			re += s * real(row[i])
			im += s * imag(row[i])
		}
		z[u] = b[u] + complex(re, im)
	}
}

// firstR writes z_1 = W_1 x + b_1 into z.
func (f *FFNN) firstR(z []float64, x []int8) {
	n := f.n
	w, b := f.wr[0], f.br[0]
	for u := range z {
		row := w[u*n : (u+1)*n]
		s := b[u]
		for i, xi := range x {
			s += float64(xi) * row[i]
		}
		z[u] = s
	}
}

// denseTo writes z = W h + b for W of shape len(z) × len(h), row-major.
func denseTo[T float64 | complex128](z, w, b, h []T) {
	fan := len(h)
	for u := range z {
		row := w[u*fan : (u+1)*fan]
		s := b[u]
		for v, hv := range h {
			s += row[v] * hv
		}
		z[u] = s
	}
}

// forwardC evaluates the holomorphic network from the first layer's
// pre-activations z1 (not modified), with scratch p and q of length ≥ the
// largest width, which must not overlap z1 except that p may start at z1.
func (f *FFNN) forwardC(z1, p, q []complex128) complex128 {
	h := p[:len(z1)]
	f.act.applyC(z1, h)
	for l := 1; l < len(f.widths); l++ {
		z := q[:f.widths[l]]
		denseTo(z, f.wc[l], f.bc[l], h)
		f.act.applyC(z, z)
		h = z
		p, q = q, p
	}
	var s complex128
	for _, v := range h {
		s += v
	}
	return s
}

// forwardR evaluates the real network (see forwardC) and returns
// a(x) + i φ(x).
func (f *FFNN) forwardR(z1, p, q []float64) complex128 {
	h := p[:len(z1)]
	f.act.applyR(z1, h)
	for l := 1; l < len(f.widths); l++ {
		z := q[:f.widths[l]]
		denseTo(z, f.wr[l], f.br[l], h)
		f.act.applyR(z, z)
		h = z
		p, q = q, p
	}
	var a, ph float64
	for u, v := range h {
		a += f.va[u] * v
		ph += f.vp[u] * v
	}
	return complex(a, ph)
}

// NewCache returns a cache positioned at a copy of x. All its buffers are
// allocated here: z_1 and a trial copy, two forward scratch vectors, and
// the per-layer tables that LogDeriv fills.
func (f *FFNN) NewCache(x []int8) Cache {
	f.checkConfig(x, "FFNN.NewCache")
	nl := len(f.widths)
	base := ffnnBase{
		x:    make([]int8, f.n),
		last: make([]int, 0, f.n),
		dlt:  make([]complex128, f.maxw),
		acc:  make([]complex128, f.maxw),
	}
	if f.holomorphic {
		c := &ffnnCache{f: f, ffnnBase: base,
			z1: make([]complex128, f.widths[0]),
			zt: make([]complex128, f.widths[0]),
			p:  make([]complex128, f.maxw),
			q:  make([]complex128, f.maxw),
			zs: make([][]complex128, nl),
			hs: make([][]complex128, nl),
		}
		for l, w := range f.widths {
			c.zs[l] = make([]complex128, w)
			c.hs[l] = make([]complex128, w)
		}
		c.Reset(x)
		return c
	}
	c := &realFFNNCache{f: f, ffnnBase: base,
		z1: make([]float64, f.widths[0]),
		zt: make([]float64, f.widths[0]),
		p:  make([]float64, f.maxw),
		q:  make([]float64, f.maxw),
		zs: make([][]float64, nl),
		hs: make([][]float64, nl),
	}
	for l, w := range f.widths {
		c.zs[l] = make([]float64, w)
		c.hs[l] = make([]float64, w)
	}
	c.Reset(x)
	return c
}

// ffnnBase is the state shared by both FFNN caches.
//
// LogRatio leaves the trial z_1 and log ψ(x') behind; when Accept is then
// called with the same flips (as a Metropolis step does) it adopts them
// instead of evaluating the network again. last and lastOK record which
// move the trial belongs to.
type ffnnBase struct {
	x       []int8
	logpsi  complex128 // log ψ(x)
	last    []int      // flips of the last LogRatio
	lastOK  bool       // the trial state belongs to last and the current x
	lastOut complex128 // log ψ(x') of the last LogRatio
	moves   int        // accepted moves since the last refresh
	// Back-propagation scratch: δ_l and the accumulator of W_lᵀ δ_l.
	dlt, acc []complex128
}

// Config returns the current configuration; the caller must not modify it.
func (c *ffnnBase) Config() []int8 { return c.x }

// LogPsi returns log ψ of the current configuration, kept up to date by
// Reset and Accept (O(1)).
func (c *ffnnBase) LogPsi() complex128 { return c.logpsi }

// trialMatches reports whether the trial state of the last LogRatio is
// the result of flips, and invalidates it.
func (c *ffnnBase) trialMatches(flips []int) bool {
	ok := c.lastOK && slices.Equal(c.last, flips)
	c.lastOK = false
	return ok
}

func (c *ffnnBase) remember(flips []int, out complex128) {
	c.last = append(c.last[:0], flips...)
	c.lastOut = out
	c.lastOK = true
}

func (c *ffnnBase) checkDeriv(dst []complex128, np int) {
	if len(dst) != np {
		panic(fmt.Sprintf("ansatz: FFNN LogDeriv: len(dst) = %d, want %d", len(dst), np))
	}
}

// ffnnCache is the Cache of a holomorphic FFNN.
type ffnnCache struct {
	f *FFNN
	ffnnBase
	z1, zt []complex128   // z_1 = W_1 x + b_1; trial z_1 of the last LogRatio
	p, q   []complex128   // forward scratch
	zs, hs [][]complex128 // z_l and h_l, filled by LogDeriv
}

// Reset positions the cache at a copy of x and recomputes z_1 and log ψ.
func (c *ffnnCache) Reset(x []int8) {
	c.f.checkConfig(x, "FFNN cache Reset")
	copy(c.x, x)
	c.refresh()
}

func (c *ffnnCache) refresh() {
	c.f.firstC(c.z1, c.x)
	c.logpsi = c.f.forwardC(c.z1, c.p, c.q)
	c.lastOK = false
	c.moves = 0
}

// shiftZ1 adds −2 x_i W_1[·][i] to z for every flipped site i.
func (c *ffnnCache) shiftZ1(z []complex128, flips []int) {
	w1 := len(z)
	for _, i := range flips {
		d := -2 * float64(c.x[i])
		col := c.f.w1tc[i*w1 : (i+1)*w1]
		for u, w := range col {
			z[u] += complex(d*real(w), d*imag(w))
		}
	}
}

// LogRatio returns log ψ(x') − log ψ(x) for the given distinct flipped
// sites: z_1 is shifted in a scratch copy and the network evaluated from
// there. It allocates nothing.
func (c *ffnnCache) LogRatio(flips []int) complex128 {
	if len(flips) == 0 {
		return 0
	}
	copy(c.zt, c.z1)
	c.shiftZ1(c.zt, flips)
	out := c.f.forwardC(c.zt, c.p, c.q)
	c.remember(flips, out)
	return out - c.logpsi
}

// Accept flips the given sites, updating z_1 in O(w_1·flips) and log ψ by
// a forward pass (or adopting both from the preceding LogRatio of the
// same move). z_1 is recomputed from x every refreshEvery moves so that
// rounding errors of the updates do not accumulate.
func (c *ffnnCache) Accept(flips []int) {
	if len(flips) == 0 {
		return
	}
	if c.trialMatches(flips) {
		c.z1, c.zt = c.zt, c.z1
		c.logpsi = c.lastOut
	} else {
		c.shiftZ1(c.z1, flips)
		c.logpsi = c.f.forwardC(c.z1, c.p, c.q)
	}
	for _, i := range flips {
		c.x[i] = -c.x[i]
	}
	c.moves++
	if c.moves >= refreshEvery {
		c.refresh()
	}
}

// LogDeriv writes ∂ log ψ/∂θ_k for the current configuration into dst, of
// length NumParams, by a forward pass that keeps z_l and h_l and the
// back-propagation described at FFNN. It allocates nothing.
func (c *ffnnCache) LogDeriv(dst []complex128) {
	f := c.f
	c.checkDeriv(dst, f.np)
	nl := len(f.widths)
	copy(c.zs[0], c.z1)
	f.act.applyC(c.zs[0], c.hs[0])
	for l := 1; l < nl; l++ {
		denseTo(c.zs[l], f.wc[l], f.bc[l], c.hs[l-1])
		f.act.applyC(c.zs[l], c.hs[l])
	}
	// δ_L = σ'(z_L) (readout weights 1).
	dlt := c.dlt[:f.widths[nl-1]]
	f.act.derivC(c.zs[nl-1], dlt)
	for l := nl - 1; l >= 0; l-- {
		w := f.widths[l]
		o := f.off[l]
		copy(dst[o:o+w], dlt)
		dw := dst[o+w:]
		if l == 0 {
			n := f.n
			for u, d := range dlt {
				row := dw[u*n : (u+1)*n]
				for i, xi := range c.x {
					s := float64(xi)
					row[i] = complex(s*real(d), s*imag(d))
				}
			}
			break
		}
		h := c.hs[l-1]
		fan := len(h)
		acc := c.acc[:fan]
		clear(acc)
		wl := f.wc[l]
		for u, d := range dlt {
			row := dw[u*fan : (u+1)*fan]
			wrow := wl[u*fan : (u+1)*fan]
			for v, hv := range h {
				row[v] = d * hv
				acc[v] += wrow[v] * d
			}
		}
		// δ_{l−1} = acc ⊙ σ'(z_{l−1}); σ' is written over h_{l−1}, which
		// is no longer needed.
		f.act.derivC(c.zs[l-1], h)
		dlt = c.dlt[:fan]
		for v := range dlt {
			dlt[v] = acc[v] * h[v]
		}
	}
}

// realFFNNCache is the Cache of a real FFNN; the network runs in float64,
// only δ (and the log-derivatives) are complex because the readout
// v^a + i v^φ is.
type realFFNNCache struct {
	f *FFNN
	ffnnBase
	z1, zt []float64
	p, q   []float64
	zs, hs [][]float64
}

// Reset positions the cache at a copy of x and recomputes z_1 and log ψ.
func (c *realFFNNCache) Reset(x []int8) {
	c.f.checkConfig(x, "FFNN cache Reset")
	copy(c.x, x)
	c.refresh()
}

func (c *realFFNNCache) refresh() {
	c.f.firstR(c.z1, c.x)
	c.logpsi = c.f.forwardR(c.z1, c.p, c.q)
	c.lastOK = false
	c.moves = 0
}

func (c *realFFNNCache) shiftZ1(z []float64, flips []int) {
	w1 := len(z)
	for _, i := range flips {
		d := -2 * float64(c.x[i])
		col := c.f.w1tr[i*w1 : (i+1)*w1]
		for u, w := range col {
			z[u] += d * w
		}
	}
}

// LogRatio returns log ψ(x') − log ψ(x) as ffnnCache.LogRatio does.
func (c *realFFNNCache) LogRatio(flips []int) complex128 {
	if len(flips) == 0 {
		return 0
	}
	copy(c.zt, c.z1)
	c.shiftZ1(c.zt, flips)
	out := c.f.forwardR(c.zt, c.p, c.q)
	c.remember(flips, out)
	return out - c.logpsi
}

// Accept flips the given sites as ffnnCache.Accept does.
func (c *realFFNNCache) Accept(flips []int) {
	if len(flips) == 0 {
		return
	}
	if c.trialMatches(flips) {
		c.z1, c.zt = c.zt, c.z1
		c.logpsi = c.lastOut
	} else {
		c.shiftZ1(c.z1, flips)
		c.logpsi = c.f.forwardR(c.z1, c.p, c.q)
	}
	for _, i := range flips {
		c.x[i] = -c.x[i]
	}
	c.moves++
	if c.moves >= refreshEvery {
		c.refresh()
	}
}

// LogDeriv writes ∂ log ψ/∂θ_k (complex: the phase head makes log ψ
// complex) into dst, of length NumParams, as ffnnCache.LogDeriv does.
func (c *realFFNNCache) LogDeriv(dst []complex128) {
	f := c.f
	c.checkDeriv(dst, f.np)
	nl := len(f.widths)
	copy(c.zs[0], c.z1)
	f.act.applyR(c.zs[0], c.hs[0])
	for l := 1; l < nl; l++ {
		denseTo(c.zs[l], f.wr[l], f.br[l], c.hs[l-1])
		f.act.applyR(c.zs[l], c.hs[l])
	}
	// Heads: ∂/∂v^a_u = h_{L,u}, ∂/∂v^φ_u = i h_{L,u}.
	wL := f.widths[nl-1]
	hL := c.hs[nl-1]
	for u, h := range hL {
		dst[f.np-2*wL+u] = complex(h, 0)
		dst[f.np-wL+u] = complex(0, h)
	}
	// δ_L = (v^a + i v^φ) ⊙ σ'(z_L); σ'(z_L) overwrites h_L.
	f.act.derivR(c.zs[nl-1], hL)
	dlt := c.dlt[:wL]
	for u := range dlt {
		dlt[u] = complex(f.va[u]*hL[u], f.vp[u]*hL[u])
	}
	for l := nl - 1; l >= 0; l-- {
		w := f.widths[l]
		o := f.off[l]
		copy(dst[o:o+w], dlt)
		dw := dst[o+w:]
		if l == 0 {
			n := f.n
			for u, d := range dlt {
				row := dw[u*n : (u+1)*n]
				for i, xi := range c.x {
					s := float64(xi)
					row[i] = complex(s*real(d), s*imag(d))
				}
			}
			break
		}
		h := c.hs[l-1]
		fan := len(h)
		acc := c.acc[:fan]
		clear(acc)
		wl := f.wr[l]
		for u, d := range dlt {
			row := dw[u*fan : (u+1)*fan]
			wrow := wl[u*fan : (u+1)*fan]
			dr, di := real(d), imag(d)
			for v, hv := range h {
				row[v] = complex(dr*hv, di*hv)
				wv := wrow[v]
				acc[v] += complex(wv*dr, wv*di)
			}
		}
		f.act.derivR(c.zs[l-1], h)
		dlt = c.dlt[:fan]
		for v := range dlt {
			s := h[v]
			dlt[v] = complex(s*real(acc[v]), s*imag(acc[v]))
		}
	}
}
