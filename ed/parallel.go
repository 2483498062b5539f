package ed

import (
	"context"
	"fmt"
	"runtime"

	"gonum.org/v1/gonum/floats"

	"github.com/vmc-lattice/vmc/internal/parallel"
)

// rowBlock is the number of rows a goroutine takes at a time when building
// or applying a matrix. Work is handed out dynamically; each row is computed
// by exactly one goroutine, so results do not depend on scheduling. A
// matrix records the value at construction. (A variable only so that tests
// can exercise parallel code on small matrices.)
var rowBlock = 4096

// vecChunk is the block of vector elements used by reductions (dot products,
// norms). A reduction sums one partial per chunk in chunk order, and the
// chunks depend only on the vector length, so the result is bitwise the same
// for any number of threads. Vectors shorter than 4 chunks are processed by
// one goroutine. (A variable only so that tests can exercise parallel code
// on small vectors.)
var vecChunk = 1 << 14

// interrupted returns nil while ctx is live and, once it is done, ctx.Err()
// wrapped with the stage that stopped, so that errors.Is(err,
// context.Canceled) (or context.DeadlineExceeded) holds. A nil ctx is
// never done.
func interrupted(ctx context.Context, stage string) error {
	if ctx == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ed: %s interrupted: %w", stage, err)
	}
	return nil
}

// defaultThreads resolves a thread count: t ≤ 0 means GOMAXPROCS.
func defaultThreads(t int) int {
	if t <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return t
}

// numBlocks returns the number of blocks of size bs covering n items.
func numBlocks(n, bs int) int { return (n + bs - 1) / bs }

// blockRange returns the half-open range of block c of size bs in [0, n).
func blockRange(c, bs, n int) (lo, hi int) {
	lo = c * bs
	hi = min(lo+bs, n)
	return lo, hi
}

// vec holds the thread count and scratch space for deterministic parallel
// vector operations of one length.
type vec struct {
	n       int
	threads int
	chunk   int
	part    []float64 // one partial sum per chunk
}

func newVec(n, threads int) *vec {
	return &vec{n: n, threads: threads, chunk: vecChunk, part: make([]float64, numBlocks(n, vecChunk))}
}

// each runs fn on every chunk, in parallel when the vector is long enough to
// pay for it.
func (v *vec) each(fn func(c, lo, hi int)) {
	nb := len(v.part)
	t := v.threads
	if v.n < 4*v.chunk {
		t = 1
	}
	parallel.For(t, nb, func(_, c int) {
		lo, hi := blockRange(c, v.chunk, v.n)
		fn(c, lo, hi)
	})
}

// sum adds the chunk partials in order.
func (v *vec) sum() float64 {
	var s float64
	for _, p := range v.part {
		s += p
	}
	return s
}

// dot returns x·y.
func (v *vec) dot(x, y []float64) float64 {
	v.each(func(c, lo, hi int) { v.part[c] = floats.Dot(x[lo:hi], y[lo:hi]) })
	return v.sum()
}

// axpy sets y += a·x.
func (v *vec) axpy(a float64, x, y []float64) {
	v.each(func(_, lo, hi int) { floats.AddScaled(y[lo:hi], a, x[lo:hi]) })
}

// scale sets dst = a·x.
func (v *vec) scale(a float64, x, dst []float64) {
	v.each(func(_, lo, hi int) { floats.ScaleTo(dst[lo:hi], a, x[lo:hi]) })
}

// lanczosUpdate sets w -= α·v + β·u and returns |w|².
func (v *vec) lanczosUpdate(w, x, u []float64, alpha, beta float64) float64 {
	v.each(func(c, lo, hi int) {
		ww := w[lo:hi]
		xx := x[lo:hi][:len(ww)]
		uu := u[lo:hi][:len(ww)]
		var s float64
		for i := range ww {
			t := ww[i] - alpha*xx[i] - beta*uu[i]
			ww[i] = t
			s += t * t
		}
		v.part[c] = s
	})
	return v.sum()
}

// project removes from w its components along the orthonormal vectors q
// (classical Gram–Schmidt, applied twice for stability) and writes the
// coefficients of the first pass plus the second into h, which must have
// len(q) elements. Work is O(len(q)·n).
func (v *vec) project(w []float64, q [][]float64, h []float64) {
	for k := range h {
		h[k] = 0
	}
	if len(q) == 0 {
		return
	}
	c := make([]float64, len(q))
	parts := make([]float64, len(v.part)*len(q))
	for pass := 0; pass < 2; pass++ {
		v.each(func(ch, lo, hi int) {
			ww := w[lo:hi]
			for k, qk := range q {
				parts[ch*len(q)+k] = floats.Dot(qk[lo:hi], ww)
			}
		})
		for k := range c {
			var s float64
			for ch := range v.part {
				s += parts[ch*len(q)+k]
			}
			c[k] = s
			h[k] += s
		}
		v.each(func(_, lo, hi int) {
			ww := w[lo:hi]
			for k, qk := range q {
				floats.AddScaled(ww, -c[k], qk[lo:hi])
			}
		})
	}
}
